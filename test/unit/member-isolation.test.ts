/**
 * One member of a bundle never affects another: whatever its handler throws, its
 * failure is its own; a retry never runs before its backoff; a member taken over
 * from a dead worker counts its attempts in our ledger, never from SQS's receive
 * count; a deleted job's queued occurrence runs whatever its overlap policy.
 */
import { describe, expect, it } from 'vitest';
import { claimGroupOf } from '../../core/execution/bundle.js';
import { executeBundle, type BundleDeps } from '../../core/execution/bundle-executor.js';
import { executeOccurrence } from '../../core/execution/occurrence-executor.js';
import { MAX_ERROR_MESSAGE_CHARS } from '../../core/execution/failure.js';
import { HandlerRegistry, RetryAfterError, type Handler } from '../../core/execution/handlers.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import { aJob, anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';
import { mulberry32 } from '../../adapters/faults/prng.js';

const at = '2026-01-01T00:01:00.000Z';

function setup(handlers: Record<string, Handler>) {
  const base = memoryDeps(at);
  const deps: BundleDeps = { ...base, handlers: new HandlerRegistry(handlers), maxEarlyWaitMs: 5_000 };
  return { ...base, deps };
}

function sameGroup(count: number): Occurrence[] {
  const all = Array.from({ length: count * 200 }, (_, i) => anOccurrence({ jobId: `job-${i}`, scheduledFor: at }));
  const group = claimGroupOf(all[0]!);
  return all.filter((o) => claimGroupOf(o) === group).slice(0, count);
}

const prng = mulberry32;

/** Things a handler can throw that are not a plain Error. */
const oddThrows: (() => unknown)[] = [
  () => Object.create(null),
  () => Object.assign(Object.create(null), { message: 42 }),
  () => undefined,
  () => null,
  () => 'a string',
  () => 12345n,
  () => Symbol('sym'),
  () => new Error('x'.repeat(2_000_000)),
  () => Object.assign(new Error('named'), { name: 'N'.repeat(100_000) }),
  () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    ),
  () => new RetryAfterError(Number.NaN),
  () => new RetryAfterError(-5),
  () => new RetryAfterError(Number.POSITIVE_INFINITY),
  () => {
    const e = new Error('getter');
    Object.defineProperty(e, 'message', {
      get() {
        throw new Error('no message for you');
      },
    });
    return e;
  },
];

describe('a bundle with bad handlers', () => {
  const seed = Number(process.env.ISOLATION_SEED ?? 20261201);
  it(`keeps every member's failure its own, records it within size, and runs the healthy ones (seed ${seed})`, async () => {
    const random = prng(seed);
    for (let round = 0; round < 30; round++) {
      const members = sameGroup(12);
      const bad = new Map(members.filter(() => random() < 0.5).map((m) => [m.jobId, oddThrows[Math.floor(random() * oddThrows.length)]!]));
      const ran: string[] = [];
      const t = setup({
        log: (_p, ctx) => {
          ran.push(ctx.jobId);
          const thrower = bad.get(ctx.jobId);
          if (thrower) throw thrower();
        },
      });
      const result = await executeBundle({ group: claimGroupOf(members[0]!), occurrences: members }, { id: `d${round}` }, t.deps);
      expect(result, `round ${round}`).toMatchObject({ ran: 12, succeeded: 12 - bad.size, comeBack: false });
      expect(ran.sort()).toEqual(members.map((m) => m.jobId).sort());
      for (const m of members) {
        const record = await t.executions.get(m.jobId, at);
        if (!bad.has(m.jobId)) {
          expect(record).toMatchObject({ status: 'succeeded', attempt: 1 });
          continue;
        }
        expect(record).toMatchObject({ status: 'failed', attempt: 1 });
        expect(typeof record!.error!.name).toBe('string');
        expect(record!.error!.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + 100);
        expect(Number.isNaN(Date.parse(record!.retryAt!))).toBe(false);
        expect(JSON.stringify(record).length).toBeLessThan(100_000);
      }
    }
  });
});

describe('a retry', () => {
  it('never runs before its backoff, even when its message arrives before anything else happens', async () => {
    let runs = 0;
    const t = setup({
      flaky: () => {
        runs++;
        throw new Error('not yet');
      },
    });
    const [member] = sameGroup(1);
    const flaky = { ...member!, handler: 'flaky' };
    // The retry's message is delivered the moment it is sent.
    const early: string[] = [];
    const send = t.queue.send.bind(t.queue);
    t.deps.queue = {
      ...t.queue,
      sendToDeadLetters: t.queue.sendToDeadLetters.bind(t.queue),
      send: async (occurrences) => {
        await send(occurrences);
        for (const o of occurrences) early.push((await executeOccurrence(o, t.deps)).kind);
      },
    };
    await executeBundle({ group: claimGroupOf(flaky), occurrences: [flaky] }, { id: 'd' }, t.deps);
    expect(early).toEqual(['retry']);
    expect(runs).toBe(1);
    expect(await t.executions.get(flaky.jobId, at)).toMatchObject({ status: 'failed', attempt: 1 });
  });
});

describe('a member taken over from a dead worker', () => {
  it('counts attempts in the ledger, not from SQS receive counts, however many receives came first', async () => {
    const attempts: number[] = [];
    const t = setup({ log: (_p, ctx) => void attempts.push(ctx.attempt) });
    const [member] = sameGroup(1);
    const group = claimGroupOf(member!);
    // The first delivery claimed it and died; on AWS every later receive that found it held counted too.
    await t.claims.claim(group, [member!.jobId], { id: 'dead', leaseUntil: '2026-01-01T00:01:40.000Z' }, at);
    t.clock.set('2026-01-01T00:02:00.000Z');
    const result = await executeBundle({ group, occurrences: [member!] }, { id: 'later', receiveCount: 9 }, t.deps);
    expect(result).toMatchObject({ ran: 1, succeeded: 1 });
    expect(attempts).toEqual([2]);
    expect(await t.executions.get(member!.jobId, at)).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('counts a second death as a further attempt, and is dead only after maxAttempts by our count', async () => {
    const t = setup({ log: () => new Promise<void>(() => undefined) });
    const [member] = sameGroup(1);
    const occurrence = { ...member!, maxAttempts: 3, timeoutMs: 1_000 };
    const group = claimGroupOf(occurrence);
    await t.claims.claim(group, [occurrence.jobId], { id: 'dead-1', leaseUntil: '2026-01-01T00:01:06.000Z' }, at);
    // Second delivery, after the lease: runs as attempt 2 in the ledger, and its worker dies (the handler never returns).
    t.clock.set('2026-01-01T00:01:10.000Z');
    void executeBundle({ group, occurrences: [occurrence] }, { id: 'dead-2', receiveCount: 30 }, t.deps);
    await new Promise((r) => setImmediate(r));
    expect(await t.executions.get(occurrence.jobId, at)).toMatchObject({ status: 'running', attempt: 2 });
    // Third delivery after both leases: attempt 3, the last; it fails for real and is dead.
    t.clock.set('2026-01-01T00:02:00.000Z');
    t.deps.handlers = new HandlerRegistry({
      log: () => {
        throw new Error('still broken');
      },
    });
    await executeBundle({ group, occurrences: [occurrence] }, { id: 'third', receiveCount: 49 }, t.deps);
    expect(await t.executions.get(occurrence.jobId, at)).toMatchObject({ status: 'dead', attempt: 3, deadReason: 'attempts-exhausted' });
  });
});

describe('a deleted job', () => {
  it('runs its already-queued occurrence even with overlap "skip"', async () => {
    const ran: string[] = [];
    const t = setup({ log: (_p, ctx) => void ran.push(ctx.scheduledFor) });
    const job = aJob({ id: 'gone' });
    await t.jobs.create(job);
    await t.jobs.delete(job.id);
    const occurrence = anOccurrence({ jobId: job.id, overlap: 'skip', scheduledFor: at });
    expect(await executeOccurrence(occurrence, t.deps)).toEqual({ kind: 'succeeded' });
    expect(ran).toEqual([at]);
  });
});

describe('a bundle whose claim answer was lost and retried', () => {
  it('runs a regained member with no record as attempt 1, and leaves one that has a record', async () => {
    const attempts: string[] = [];
    const t = setup({ log: (_p, ctx) => void attempts.push(`${ctx.jobId}#${ctx.attempt}`) });
    const [done, fresh] = sameGroup(2);
    await t.executions.recordOutcomes([
      {
        jobId: done!.jobId,
        scheduledFor: at,
        jobName: 'x',
        handler: 'log',
        status: 'succeeded',
        attempt: 1,
        startedAt: at,
        leaseUntil: at,
      },
    ]);
    t.deps.claims = {
      claim: async (_group, jobIds) => ({ taken: jobIds, takenOver: [], regained: jobIds, heldElsewhere: [], heldByPause: [] }),
      release: async () => false,
    };
    const result = await executeBundle({ group: claimGroupOf(done!), occurrences: [done!, fresh!] }, { id: 'd' }, t.deps);
    expect(attempts).toEqual([`${fresh!.jobId}#1`]);
    expect(result).toMatchObject({ ran: 1, dropped: 1, comeBack: false });
  });
});

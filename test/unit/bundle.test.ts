/** Bundles of first attempts: how they are formed, claimed and run (in memory, fake clock). */
import { describe, expect, it } from 'vitest';
import { bundle, claimGroupOf, MAX_BUNDLE_SIZE } from '../../core/execution/bundle.js';
import { executeBundle, type BundleDeps } from '../../core/execution/bundle-executor.js';
import { HandlerRegistry, NonRetryableError, type Handler } from '../../core/execution/handlers.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const at = '2026-01-01T00:01:00.000Z';

function setup(handlers: Record<string, Handler>) {
  const base = memoryDeps(at);
  const deps: BundleDeps = { ...base, handlers: new HandlerRegistry(handlers), maxEarlyWaitMs: 5_000 };
  return { ...base, deps };
}

/** Occurrences at one instant that share a claim group, as the tick would bundle them. */
function sameGroup(count: number, overrides: Partial<Occurrence> = {}): Occurrence[] {
  const all = Array.from({ length: count * 200 }, (_, i) => anOccurrence({ jobId: `job-${i}`, scheduledFor: at, ...overrides }));
  const group = claimGroupOf(all[0]!);
  return all.filter((o) => claimGroupOf(o) === group).slice(0, count);
}

describe('bundle', () => {
  it('groups occurrences by instant and claim group, at most MAX_BUNDLE_SIZE to a message, always the same way', () => {
    // 2,000 at :01 share 8 groups, about 250 each: more than one message holds.
    const many = Array.from({ length: 4_000 }, (_, i) =>
      anOccurrence({ jobId: `job-${i}`, scheduledFor: i % 2 ? at : '2026-01-01T00:01:01.000Z' }),
    );
    const bundles = bundle(many);
    expect(bundles.flatMap((b) => b.occurrences)).toHaveLength(4_000);
    expect(bundles.filter((b) => b.occurrences.length === MAX_BUNDLE_SIZE).length).toBeGreaterThanOrEqual(8);
    for (const b of bundles) {
      expect(b.occurrences.length).toBeLessThanOrEqual(MAX_BUNDLE_SIZE);
      expect(new Set(b.occurrences.map(claimGroupOf))).toEqual(new Set([b.group]));
    }
    // Whatever order they come in, the same occurrences make the same bundles.
    const canonical = (bs: typeof bundles) => bs.map((b) => `${b.group}:${b.occurrences.map((o) => o.jobId).join(',')}`).sort();
    expect(canonical(bundle([...many].reverse()))).toEqual(canonical(bundles));
  });
});

describe('executeBundle', () => {
  it('claims the bundle with one write, runs every member once, and records each outcome', async () => {
    const ran: string[] = [];
    const t = setup({ log: (_p, ctx) => void ran.push(`${ctx.jobId}#${ctx.attempt}`) });
    const members = sameGroup(5);
    const result = await executeBundle({ group: claimGroupOf(members[0]!), occurrences: members }, { id: 'd1', receiveCount: 1 }, t.deps);
    expect(result).toEqual({ ran: 5, succeeded: 5, dropped: 0, comeBack: false, waitingForSlots: 0 });
    expect(ran.sort()).toEqual(members.map((m) => `${m.jobId}#1`).sort());
    for (const m of members) expect(await t.executions.get(m.jobId, at)).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('runs nothing twice when the same message is delivered twice at once', async () => {
    let runs = 0;
    const t = setup({ log: () => void runs++ });
    const members = sameGroup(4);
    const message = { group: claimGroupOf(members[0]!), occurrences: members };
    const [a, b] = await Promise.all([
      executeBundle(message, { id: 'first', receiveCount: 1 }, t.deps),
      executeBundle(message, { id: 'second', receiveCount: 2 }, t.deps),
    ]);
    expect(runs).toBe(4);
    expect(a.ran + b.ran).toBe(4);
  });

  it('after its worker died, the next delivery runs what has no outcome, as attempt 2, and skips what has one', async () => {
    const ran: string[] = [];
    const t = setup({ log: (_p, ctx) => void ran.push(`${ctx.jobId}#${ctx.attempt}`) });
    const [done, lost] = sameGroup(2);
    const group = claimGroupOf(done!);
    // The first delivery claimed both, recorded one, and died.
    await t.claims.claim(group, [done!.jobId, lost!.jobId], { id: 'dead', leaseUntil: '2026-01-01T00:02:05.000Z' }, at);
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

    // Redelivered while the lease still runs: left to the holder, and asked to come back.
    expect(await executeBundle({ group, occurrences: [done!, lost!] }, { id: 'early', receiveCount: 2 }, t.deps)).toMatchObject({
      ran: 0,
      comeBack: true,
    });
    t.clock.set('2026-01-01T00:02:30.000Z');
    expect(await executeBundle({ group, occurrences: [done!, lost!] }, { id: 'later', receiveCount: 3 }, t.deps)).toMatchObject({
      ran: 1,
      comeBack: false,
    });
    // Attempts come from the ledger, never from SQS's receive count (3 here).
    expect(ran).toEqual([`${lost!.jobId}#2`]);
  });

  it('sends a failed member on as a retry of its own, and parks a dead one in the dead-letter queue', async () => {
    const t = setup({
      flaky: () => {
        throw new Error('try later');
      },
      broken: () => {
        throw new NonRetryableError('never');
      },
    });
    const [flaky, broken] = sameGroup(2);
    const members = [
      { ...flaky!, handler: 'flaky' },
      { ...broken!, handler: 'broken' },
    ];
    await executeBundle({ group: claimGroupOf(flaky!), occurrences: members }, { id: 'd', receiveCount: 1 }, t.deps);
    expect(await t.executions.get(flaky!.jobId, at)).toMatchObject({ status: 'failed', attempt: 1, retryAt: '2026-01-01T00:01:10.000Z' });
    expect(await t.executions.get(broken!.jobId, at)).toMatchObject({ status: 'dead', deadReason: 'non-retryable' });
    expect(t.queue.sent.map((o) => [o.jobId, o.delaySeconds])).toEqual([[flaky!.jobId, 0]]);
    expect(t.queue.deadLetters.map((d) => d.occurrence.jobId)).toEqual([broken!.jobId]);
    expect((await t.executions.listDead({ limit: 5 })).items.map((e) => e.jobId)).toEqual([broken!.jobId]);
  });

  it('waits for the instant before running anything', async () => {
    let ranAt: string | undefined;
    const t = setup({ log: () => void (ranAt = t.clock.now().toISOString()) });
    t.clock.set('2026-01-01T00:00:58.300Z');
    const members = sameGroup(1);
    await executeBundle({ group: claimGroupOf(members[0]!), occurrences: members }, { id: 'd', receiveCount: 1 }, t.deps);
    expect(ranAt).toBe(at);
  });
});

describe('a bundle with a member twice', () => {
  it('is never formed, and is run once if it comes anyway', async () => {
    const [one] = sameGroup(1);
    expect(bundle([one!, { ...one! }]).flatMap((b) => b.occurrences)).toHaveLength(1);
    let runs = 0;
    const t = setup({ log: () => void runs++ });
    expect(
      await executeBundle({ group: claimGroupOf(one!), occurrences: [one!, one!] }, { id: 'd', receiveCount: 1 }, t.deps),
    ).toMatchObject({ ran: 1 });
    expect(runs).toBe(1);
  });
});

describe('claim groups', () => {
  it('are many at the top of a minute, where cron jobs cluster, and few elsewhere; the same whoever asks', () => {
    const groupsAt = (scheduledFor: string) =>
      new Set(Array.from({ length: 2_000 }, (_, i) => claimGroupOf({ jobId: `job-${i}`, scheduledFor }))).size;
    expect(groupsAt('2026-01-01T00:01:00.000Z')).toBe(64);
    expect(groupsAt('2026-01-01T00:01:17.000Z')).toBe(8);
    expect(groupsAt('2026-01-01T00:01:00.500Z')).toBe(8);
  });

  it("follow the 32-bit FNV-1a hash of the job id, modulo the instant's count: fixed for every sender and release", () => {
    // FNV-1a("a") = 0xe40c292c, FNV-1a("foobar") = 0xbf9cf968: the published test vectors.
    expect(claimGroupOf({ jobId: 'a', scheduledFor: '2026-01-01T00:01:00.000Z' })).toBe(`2026-01-01T00:01:00.000Z#${0xe40c292c % 64}`);
    expect(claimGroupOf({ jobId: 'a', scheduledFor: '2026-01-01T00:01:17.000Z' })).toBe(`2026-01-01T00:01:17.000Z#${0xe40c292c % 8}`);
    expect(claimGroupOf({ jobId: 'foobar', scheduledFor: '2026-01-01T00:01:00.000Z' })).toBe('2026-01-01T00:01:00.000Z#40');
    expect(claimGroupOf({ jobId: 'foobar', scheduledFor: '2026-01-01T00:01:17.000Z' })).toBe('2026-01-01T00:01:17.000Z#0');
  });
});

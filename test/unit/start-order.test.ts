/**
 * Start order after an outage (core/start-order.ts): SQS hands out what is visible
 * in no set order, and a catch-up goes out with newer occurrences already due. The
 * promise: no first attempt starts after that of an occurrence more than its grace
 * newer. Here the queue's messages are delivered shuffled, many at once, as SQS
 * and a busy event source do.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { claimGroupOf, looksLikeBundle, type Bundle } from '../../core/bundle.js';
import { executeBundle, LEADER_RECHECK_SECONDS, type BundleDeps } from '../../core/bundle-executor.js';
import { executeOccurrence } from '../../core/executor.js';
import { HandlerRegistry } from '../../core/handlers.js';
import type { Occurrence } from '../../core/occurrence.js';
import { recoverFreshQueue, DEFAULT_RECOVERY } from '../../core/recovery.js';
import { DUE_MARGIN_MS, inStartOrder, LEADER_WAIT_MS } from '../../core/start-order.js';
import { previousJobOccurrence } from '../../core/job-occurrences.js';
import { runTick } from '../../core/tick.js';
import { JobService } from '../../core/jobs.js';
import { MemoryQueue } from '../../core/adapters/memory/memory-queue.js';
import { aJob, anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';
import { seededRandom as mulberry32 } from '../helpers/random-text.js';

describe('inStartOrder', () => {
  it('in a send with one due within the margin, has each occurrence wait for the fire time before it; leaves any other send alone', () => {
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const iso = (s: number) => new Date(base + s * 1000).toISOString();
    const job = aJob({ schedule: { every: '1s' }, createdAt: iso(-3600) });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 600 }), (seconds, nowS) => {
        const now = new Date(base + nowS * 1000);
        const marked = inStartOrder(job, seconds.map((s) => anOccurrence({ scheduledFor: iso(s) })), now);
        const sorted = [...seconds].sort((a, b) => a - b);
        expect(marked.map((o) => o.scheduledFor)).toEqual(sorted.map(iso));
        const ordered = (sorted[0]! - nowS) * 1000 <= DUE_MARGIN_MS;
        const until = new Date(now.getTime() + LEADER_WAIT_MS).toISOString();
        marked.forEach((o, i) => {
          // The first waits for the job's previous fire time: a second before it.
          expect(o.after).toEqual(ordered ? { scheduledFor: i > 0 ? iso(sorted[i - 1]!) : iso(sorted[0]! - 1), until } : undefined);
          expect(o.leads).toBe(ordered && i < sorted.length - 1 ? true : undefined);
        });
      }),
    );
  });

  it('finds the previous fire time of sparse and dense schedules, and none before the job was created', () => {
    const yearly = aJob({ schedule: { cron: '0 0 1 1 *', timezone: 'UTC' }, createdAt: '2020-06-01T00:00:00.000Z' });
    expect(previousJobOccurrence(yearly, new Date('2026-01-01T00:00:00.000Z'))?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(previousJobOccurrence(yearly, new Date('2021-01-01T00:00:00.000Z'))).toBeUndefined();
    const everySecond = aJob({ schedule: { cron: '* * * * * *', timezone: 'UTC' }, createdAt: '2020-06-01T00:00:00.000Z' });
    expect(previousJobOccurrence(everySecond, new Date('2026-01-01T00:00:00.000Z'))?.toISOString()).toBe('2025-12-31T23:59:59.000Z');
    const every = aJob({ schedule: { every: '90s' }, createdAt: '2026-01-01T00:00:00.000Z' });
    expect(previousJobOccurrence(every, new Date('2026-01-01T00:04:30.000Z'))?.toISOString()).toBe('2026-01-01T00:03:00.000Z');
    expect(previousJobOccurrence(every, new Date('2026-01-01T00:01:30.000Z'))).toBeUndefined();
  });
});

describe('a follower in a bundle', () => {
  const at = '2026-01-01T00:05:00.000Z';
  const leaderAt = '2026-01-01T00:01:00.000Z';
  function setup() {
    const base = memoryDeps('2026-01-01T00:05:00.500Z');
    const order: string[] = [];
    const handlers = new HandlerRegistry({ log: (_p, ctx) => void order.push(`${ctx.jobId}@${ctx.scheduledFor}`) });
    const deps: BundleDeps = { ...base, handlers, maxEarlyWaitMs: 5_000 };
    const follower = anOccurrence({ jobId: 'a', scheduledFor: at, after: { scheduledFor: leaderAt, until: '2026-01-01T00:06:00.000Z' } });
    return { ...base, deps, order, follower };
  }

  it('waits for its leader to show in the ledger, and another job in its bundle does not wait', async () => {
    const w = setup();
    const other = Array.from({ length: 200 }, (_, i) => anOccurrence({ jobId: `b${i}`, scheduledFor: at })).find((o) => claimGroupOf(o) === claimGroupOf(w.follower))!;
    const leader = anOccurrence({ jobId: 'a', scheduledFor: leaderAt, leads: true });
    // The leader's delivery comes with it: it claims in the ledger, and the follower starts after it.
    const [result] = await Promise.all([
      executeBundle({ group: claimGroupOf(w.follower), occurrences: [w.follower, other] }, { id: 'd1' }, w.deps),
      executeBundle({ group: claimGroupOf(leader), occurrences: [leader] }, { id: 'd2' }, w.deps),
    ]);
    expect(w.order[0]).toBe(`${other.jobId}@${at}`);
    expect(w.order.slice(1)).toEqual([`a@${leaderAt}`, `a@${at}`]);
    expect(result).toMatchObject({ ran: 2, comeBack: false });
    expect(result.comeBackInSeconds).toBeUndefined();
  });

  it('is not claimed while its leader has not started when the wait runs out: the message comes back soon for it', async () => {
    const w = setup();
    const result = await executeBundle({ group: claimGroupOf(w.follower), occurrences: [w.follower] }, { id: 'd1' }, w.deps);
    expect(w.order).toEqual([]);
    expect(result).toMatchObject({ ran: 0, comeBack: true, comeBackInSeconds: LEADER_RECHECK_SECONDS });
    // Nothing is held: a later delivery can run it.
    expect((await w.claims.claim(claimGroupOf(w.follower), ['a'], { id: 'probe', leaseUntil: at }, at)).taken).toEqual(['a']);
  });

  it('runs without its leader once its wait is over (a leader lost on the way holds it back for a minute at most)', async () => {
    const w = setup();
    w.clock.set('2026-01-01T00:06:00.000Z');
    const result = await executeBundle({ group: claimGroupOf(w.follower), occurrences: [w.follower] }, { id: 'd1' }, w.deps);
    expect(w.order).toEqual([`a@${at}`]);
    expect(result).toMatchObject({ ran: 1, comeBack: false });
  });
});

/**
 * Seeded outages under shuffled, concurrent delivery: the tick or a fresh start's
 * recovery sends a catch-up with newer occurrences already due.
 */
describe('after an outage, under shuffled delivery', () => {
  const seeds = Number(process.env.ORDER_SEEDS ?? 40);
  it(`no first attempt starts after that of an occurrence more than its grace newer (${seeds} seeds)`, async () => {
    const violations: string[] = [];
    const first = Number(process.env.ORDER_SEED ?? 1);
    for (let seed = first; seed < first + (process.env.ORDER_SEED ? 1 : seeds); seed++) violations.push(...(await outage(seed)));
    expect(violations).toEqual([]);
  }, 120_000);
});

async function outage(seed: number): Promise<string[]> {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // One clock for everything, timers included (the handler timeout, the followers' waits): time moves
  // only when nothing can run, so concurrent waits overlap as they do for real.
  vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00.000Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  try {
    const clock = { now: () => new Date() };
    const base = memoryDeps();
    const queue = new MemoryQueue(clock);
    if (process.env.ORDER_DEBUG) {
      const send = queue.sendBundles.bind(queue);
      queue.sendBundles = async (bs) => {
        const os = bs.flatMap((b) => b.occurrences);
        console.log('send', new Date().toISOString(), os.length, os[0]?.scheduledFor, os.at(-1)?.scheduledFor, os.filter((o) => o.after).length);
        return send(bs);
      };
    }
    const started: { jobId: string; scheduledFor: string; at: string }[] = [];
    const handlers = new HandlerRegistry({ log: (_p, ctx) => void (ctx.attempt === 1 && started.push({ jobId: ctx.jobId, scheduledFor: ctx.scheduledFor, at: new Date().toISOString() })) });
    const t = { ...base, clock, queue, handlers, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)), maxEarlyWaitMs: 5_000 };
    const api = new JobService(t);
    const jobs = [];
    for (let i = 0; i < 1 + Math.floor(random() * 3); i++) {
      const misfire = { policy: pick(['once', 'skip'] as const), grace: pick(['1s', '3s', '10s', '30s']), maxCatchUp: 1 };
      jobs.push(await api.create({ name: `job-${i}`, handler: 'log', schedule: { every: pick(['1s', '2s', '5s']) }, misfire }));
    }
    // What a delivery asked to see again soon, and when.
    let again: { body: unknown; visibleAt: number }[] = [];
    const inFlight = new Set<Promise<void>>();
    const deliver = (body: unknown) => {
      const run = (async () => {
        const text = JSON.stringify(body);
        if (!looksLikeBundle(text)) return void (await executeOccurrence(body as Occurrence, t));
        const result = await executeBundle(body as Bundle, { id: `d${random()}` }, t);
        if (result.comeBackInSeconds) again.push({ body, visibleAt: Date.now() + result.comeBackInSeconds * 1000 });
      })();
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    };
    /** Each second: what is visible goes out shuffled, in concurrent batches, as an event source does. */
    const runFor = async (seconds: number, options: { down?: boolean; noTick?: boolean } = {}) => {
      for (let i = 0; i < seconds; i++) {
        await vi.advanceTimersByTimeAsync(1_000);
        if (options.down) continue;
        if (!options.noTick && new Date().getUTCSeconds() === 30) {
          const r = await runTick(t);
          if (process.env.ORDER_DEBUG) console.log('tick', new Date().toISOString(), JSON.stringify(r));
        }
        const now = Date.now();
        const shown = [...again.filter((a) => a.visibleAt <= now).map((a) => a.body), ...queue.takeVisible()];
        again = again.filter((a) => a.visibleAt > now);
        shown.sort(() => random() - 0.5);
        for (const body of shown) deliver(body);
      }
    };
    await runFor(60 + Math.floor(random() * 60));
    const freshQueue = random() < 0.5;
    const downFor = 30 + Math.floor(random() * 200);
    if (freshQueue) {
      // The local runtime stopped and started again: its queue forgot everything, and
      // recovery sends again what was lost before the first tick.
      await runFor(downFor, { down: true });
      queue.forgetAll();
      again = [];
      await recoverFreshQueue(t, DEFAULT_RECOVERY, new Date());
    } else {
      // The tick stopped (its schedule, or the store under it); the workers went on.
      await runFor(downFor, { noTick: true });
    }
    await runTick(t);
    await runFor(180);
    await vi.advanceTimersByTimeAsync(120_000);
    await Promise.all(inFlight);

    if (process.env.ORDER_DEBUG) for (const s of started) console.log(s.jobId, s.scheduledFor, 'at', s.at);
    const out: string[] = [];
    const keys = started.map((s) => `${s.jobId}@${s.scheduledFor}`);
    for (const twice of keys.filter((k, i) => keys.indexOf(k) !== i)) out.push(`seed ${seed}: ${twice} started twice as attempt 1`);
    for (const job of jobs) {
      let newest: string | undefined;
      for (const s of started.filter((x) => x.jobId === job.id)) {
        if (newest && Date.parse(newest) - Date.parse(s.scheduledFor) > job.policy.misfire.graceMs) out.push(`seed ${seed} (${freshQueue ? 'fresh queue' : 'tick'}): ${JSON.stringify(job.schedule)} ${JSON.stringify(job.policy.misfire)}: ${s.scheduledFor} started after ${newest}`);
        if (!newest || s.scheduledFor > newest) newest = s.scheduledFor;
      }
    }
    return out;
  } finally {
    vi.useRealTimers();
  }
}

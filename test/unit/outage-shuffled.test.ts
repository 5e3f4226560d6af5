/**
 * Outages and restarts under shuffled delivery: SQS hands out what is visible in no
 * set order, and an event source runs many batches at once. Seeded: the tick stops
 * for a while (workers go on), or the local runtime stops and starts with an empty
 * queue (recovery re-sends before the first tick); every visible message is then
 * delivered shuffled and concurrently, on one fake clock for everything, timers
 * included. Judged from the ledger and the handler's own log: every fire time ends
 * with one final record, no first attempt runs twice, and of what the outage missed
 * `once` runs one occurrence, `all` at most `maxCatchUp` and `skip` none, also when
 * the first tick after a fresh start comes seconds after its recovery.
 */
import { describe, expect, it, vi } from 'vitest';
import { looksLikeBundle, type Bundle } from '../../core/execution/bundle.js';
import { executeBundle } from '../../core/execution/bundle-executor.js';
import { executeOccurrence } from '../../core/execution/occurrence-executor.js';
import { HandlerRegistry } from '../../core/execution/handlers.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import { recoverFreshQueue, DEFAULT_RECOVERY } from '../../core/dispatch/recovery.js';
import { runTick } from '../../core/dispatch/tick.js';
import { JobService } from '../../core/service/job-service.js';
import { MemoryQueue } from '../../adapters/memory/memory-queue.js';
import { jobOccurrences } from '../../core/schedule/fire-times.js';
import { memoryDeps } from '../helpers/memory-deps.js';
import { seededRandom as mulberry32 } from '../helpers/random-text.js';

describe('after an outage, under shuffled delivery', () => {
  const seeds = Number(process.env.OUTAGE_SEEDS ?? 40);
  it(
    'every fire time ends with one record, nothing runs twice, ' + `and each misfire policy runs what it promises (${seeds} seeds)`,
    async () => {
      const violations: string[] = [];
      const first = Number(process.env.OUTAGE_SEED ?? 1);
      for (let seed = first; seed < first + (process.env.OUTAGE_SEED ? 1 : seeds); seed++) violations.push(...(await outage(seed)));
      expect(violations).toEqual([]);
    },
    120_000,
  );
});

async function outage(seed: number): Promise<string[]> {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // One clock for everything, timers included (the handler timeout, the wait for an instant): time
  // moves only when nothing can run, so concurrent waits overlap as they do for real.
  vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00.000Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  try {
    const clock = { now: () => new Date() };
    const base = memoryDeps();
    const queue = new MemoryQueue(clock);
    const started: { jobId: string; scheduledFor: string; at: string }[] = [];
    const handlers = new HandlerRegistry({
      log: (_p, ctx) =>
        void (ctx.attempt === 1 && started.push({ jobId: ctx.jobId, scheduledFor: ctx.scheduledFor, at: new Date().toISOString() })),
    });
    const t = {
      ...base,
      clock,
      queue,
      handlers,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      maxEarlyWaitMs: 5_000,
    };
    const api = new JobService(t);
    const jobs = [];
    for (let i = 0; i < 1 + Math.floor(random() * 3); i++) {
      const misfire = {
        policy: pick(['once', 'skip', 'all'] as const),
        grace: pick(['1s', '3s', '10s', '30s']),
        maxCatchUp: 1 + Math.floor(random() * 3),
      };
      jobs.push(await api.create({ name: `job-${i}`, handler: 'log', schedule: { every: pick(['1s', '2s', '5s']) }, misfire }));
    }
    const inFlight = new Set<Promise<void>>();
    const deliver = (body: unknown) => {
      const run = (async () => {
        const text = JSON.stringify(body);
        if (!looksLikeBundle(text)) return void (await executeOccurrence(body as Occurrence, t));
        await executeBundle(body as Bundle, { id: `d${random()}` }, t);
      })();
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    };
    /** Each second: what is visible goes out shuffled, in concurrent batches, as an event source does. */
    const runFor = async (seconds: number, options: { down?: boolean; noTick?: boolean } = {}) => {
      for (let i = 0; i < seconds; i++) {
        await vi.advanceTimersByTimeAsync(1_000);
        if (options.down) continue;
        if (!options.noTick && new Date().getUTCSeconds() === 30) await runTick(t);
        const shown = queue.takeVisible();
        shown.sort(() => random() - 0.5);
        for (const body of shown) deliver(body);
      }
    };
    await runFor(60 + Math.floor(random() * 60));
    const freshQueue = random() < 0.5;
    /** When what the outage missed is decided: the start's recovery, or the tick's return. */
    let decidedMs = 0;
    const downFor = 30 + Math.floor(random() * 200);
    if (freshQueue) {
      // The local runtime stopped and started again: its queue forgot everything, and
      // recovery sends again what was lost before the first tick.
      await runFor(downFor, { down: true });
      queue.forgetAll();
      const decidedAt = new Date();
      decidedMs = decidedAt.getTime();
      await recoverFreshQueue(t, DEFAULT_RECOVERY, decidedAt, decidedAt);
      t.settings = { ...t.settings, judgedAsOf: decidedAt.toISOString() };
      // The local runtime's first tick comes a while after the start's decision (seconds, under load).
      await vi.advanceTimersByTimeAsync(Math.floor(random() * 25_000));
    } else {
      // The tick stopped (its schedule, or the store under it); the workers went on.
      await runFor(downFor, { noTick: true });
      decidedMs = Date.now();
    }
    await runTick(t);
    await runFor(180);
    await vi.advanceTimersByTimeAsync(120_000);
    await Promise.all(inFlight);

    const out: string[] = [];
    const story = `seed ${seed} (${freshQueue ? 'fresh queue' : 'tick'} down ${downFor} s)`;
    const keys = started.map((s) => `${s.jobId}@${s.scheduledFor}`);
    for (const twice of keys.filter((k, i) => keys.indexOf(k) !== i)) out.push(`${story}: ${twice} started twice as attempt 1`);
    const horizon = new Date(Date.now() - 300_000);
    for (const job of jobs) {
      const records = new Map((await t.executions.listForJob(job.id, { limit: 100_000 })).items.map((r) => [r.scheduledFor, r]));
      for (const at of jobOccurrences(job, new Date(job.createdAt), horizon, 100_000)) {
        const record = records.get(at.toISOString());
        if (!record || !['succeeded', 'skipped', 'dead'].includes(record.status))
          out.push(`${story}: ${job.name} ${at.toISOString()} ends ${record?.status ?? 'without a record'}`);
      }
      // What the outage missed: more than its grace late when it was decided, and run after that.
      const late = started.filter(
        (s) => s.jobId === job.id && Date.parse(s.at) >= decidedMs && Date.parse(s.scheduledFor) < decidedMs - job.policy.misfire.graceMs,
      );
      const { policy, maxCatchUp } = job.policy.misfire;
      const allowed = policy === 'once' ? 1 : policy === 'all' ? maxCatchUp : 0;
      if (late.length > allowed)
        out.push(
          `${story}: ${job.name} (${job.policy.misfire.policy}) ran ${late.length} late: ${late.map((l) => l.scheduledFor).join(', ')}`,
        );
    }
    return out;
  } finally {
    vi.useRealTimers();
  }
}

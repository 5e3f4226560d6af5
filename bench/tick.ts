/**
 * The tick's cost against how many jobs are stored: the same number due, more
 * stored. A tick that reads only what is due stays flat.
 */
import { requestCount, type Usage } from '../adapters/aws/metering.js';
import { slotAfter, slotOf } from '../core/dispatch/due-index.js';
import { DEFAULT_TICK_SETTINGS, runTick, type TickResult, type TickSettings } from '../core/dispatch/tick.js';
import { batchWrite } from '../adapters/aws/dynamo-batch.js';
import { benchJob, loadJobs, type BenchEnvironment } from './environment.js';
import { percentiles } from './timing.js';

export interface TickFigures {
  storedJobs: number;
  dueJobs: number;
  /** The median of `ticks` ticks, each with `dueJobs` due; the fastest and slowest beside it. */
  tickMs: number;
  tickMsMin: number;
  tickMsMax: number;
  ticks: number;
  /** Per tick, the mean over the ticks. */
  readUnits: number;
  writeUnits: number;
  requests: number;
  scans: number;
  sent: number;
}

/**
 * No worker runs here, so recovery would find an earlier measurement's sends lost
 * and send them again, five shifted minutes on. Each tick still queries the
 * dispatch log; what recovery's later check of a send costs is in the cost figure.
 */
const TICK_ALONE: TickSettings = {
  ...DEFAULT_TICK_SETTINGS,
  recovery: { ...DEFAULT_TICK_SETTINGS.recovery, staleAfterMs: 7 * 86_400_000 },
};

const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);

interface TickRun {
  ms: number;
  result: TickResult;
  usage: Usage;
}

/**
 * Adds jobs until `storedJobs` are stored, `dueJobs` of them due in each of the
 * next `ticks` slots no tick has processed yet; returns those slots.
 */
async function loadSlots(
  env: BenchEnvironment,
  storedJobs: number,
  dueJobs: number,
  alreadyStored: number,
  ticks: number,
): Promise<string[]> {
  // The slots right after the last one ticked, so no tick walks empty slots.
  const first = (await env.deps.due.progress()) ?? slotAfter(slotOf(new Date()));
  const slots = Array.from({ length: ticks }, (_, k) => new Date(Date.parse(first) + k * 60_000).toISOString());
  const later = Array.from({ length: storedJobs - alreadyStored - dueJobs * ticks }, () => benchJob('later'));
  const due = slots.flatMap((slot) => Array.from({ length: dueJobs }, () => benchJob(new Date(Date.parse(slot) + 30_000))));
  await loadJobs(env, [...later, ...due]);
  return slots;
}

/** Runs the tick of the minute before `slot`, whatever the time now (loading 100,000 jobs takes minutes). */
async function tickBefore(env: BenchEnvironment, slot: string): Promise<TickRun> {
  const shift = Date.parse(slot) - 55_000 - Date.now();
  const clock = { now: () => new Date(Date.now() + shift) };
  env.meter.reset();
  const started = performance.now();
  const result = await runTick({ ...env.deps, clock, settings: TICK_ALONE });
  const ms = performance.now() - started;
  return { ms, result, usage: env.meter.reset() };
}

function summarize(storedJobs: number, runs: TickRun[]): TickFigures {
  const times = runs.map((r) => r.ms);
  const { p50Ms, maxMs } = percentiles(times);
  return {
    storedJobs,
    dueJobs: mean(runs.map((r) => r.result.dueJobs)),
    tickMs: p50Ms,
    tickMsMin: Math.round(Math.min(...times)),
    tickMsMax: maxMs,
    ticks: runs.length,
    readUnits: mean(runs.map((r) => r.usage.readUnits)),
    writeUnits: mean(runs.map((r) => r.usage.writeUnits)),
    requests: mean(runs.map((r) => requestCount(r.usage))),
    scans: runs.reduce((n, r) => n + (r.usage.requests['DynamoDB.Scan'] ?? 0), 0),
    sent: mean(runs.map((r) => r.result.sent)),
  };
}

/** Writes `count` items no tick reads, about a job's size each, into the ledger table. */
async function scratchWrites(env: BenchEnvironment, count: number): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ({
    jobId: `#bench-warm-up#${i}`,
    scheduledFor: 'warm-up',
    job: JSON.stringify(benchJob('later')),
  }));
  await batchWrite(
    env.db,
    'scheduler-executions',
    items.map((Item) => ({ PutRequest: { Item } })),
  );
}

/** Unrecorded ticks before the measured ones, so the first measured does not pay for warming up. */
const WARM_UP_TICKS = 2;

/**
 * The tick's figures for each stored size. Every size has emulators of its own,
 * all running at once, and has done the same work before its measured ticks:
 * WARM_UP_TICKS ticks, then as many writes as the largest size needs (its jobs,
 * topped up with scratch items for a smaller one; measured here, DynamoDB Local
 * answers faster once it has served 100,000 writes than after 10,000). Then the
 * sizes take turns, tick by tick, so a slow spell of the machine falls on all of
 * them; one tick's time on two shared cores varies by tens of milliseconds, so
 * each size's time is the median of `ticks`.
 */
export async function measureTicks(
  sizes: number[],
  dueJobs: number,
  ticks: number,
  start: () => Promise<BenchEnvironment>,
  log: (message: string) => void,
): Promise<TickFigures[]> {
  const largest = Math.max(...sizes);
  const envs: BenchEnvironment[] = [];
  try {
    const slots: string[][] = [];
    for (const storedJobs of sizes) {
      log(`tick: loading ${storedJobs.toLocaleString('en')} stored jobs`);
      const env = await start();
      envs.push(env);
      const warmUpJobs = dueJobs * WARM_UP_TICKS;
      for (const slot of await loadSlots(env, warmUpJobs, dueJobs, 0, WARM_UP_TICKS)) await tickBefore(env, slot);
      await scratchWrites(env, largest - storedJobs);
      slots.push(await loadSlots(env, storedJobs, dueJobs, warmUpJobs, ticks));
    }
    log(`tick: ${ticks} ticks of ${dueJobs} due for each size, in turns`);
    const runs: TickRun[][] = sizes.map(() => []);
    for (let k = 0; k < ticks; k++) for (const [i, env] of envs.entries()) runs[i]!.push(await tickBefore(env, slots[i]![k]!));
    return sizes.map((storedJobs, i) => summarize(storedJobs, runs[i]!));
  } finally {
    await Promise.all(envs.map((env) => env.stop()));
  }
}

/**
 * The tick's cost against how many jobs are stored: the same number due, ever
 * more stored. A tick that reads only what is due stays flat.
 */
import { requestCount } from '../core/adapters/aws/metering.js';
import { slotAfter, slotOf } from '../core/due-index.js';
import { DEFAULT_TICK_SETTINGS, runTick, type TickSettings } from '../core/tick.js';
import { batchWrite } from '../core/adapters/aws/dynamo-batch.js';
import { benchJob, loadJobs, type BenchEnvironment } from './environment.js';

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
const TICK_ALONE: TickSettings = { ...DEFAULT_TICK_SETTINGS, recovery: { ...DEFAULT_TICK_SETTINGS.recovery, staleAfterMs: 7 * 86_400_000 } };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);

/**
 * Adds jobs until `storedJobs` are stored, `dueJobs` of them due in each of the
 * next `ticks` slots no tick has processed yet, then ticks once per slot, as the
 * tick of the minute before it. One tick's time on two shared cores varies by
 * tens of milliseconds, so the time is the median of several.
 */
export async function measureTick(env: BenchEnvironment, storedJobs: number, dueJobs: number, alreadyStored: number, ticks: number): Promise<TickFigures> {
  // The slots right after the last one ticked, so no tick walks empty slots.
  const first = (await env.deps.due.progress()) ?? slotAfter(slotOf(new Date()));
  const slots = Array.from({ length: ticks }, (_, k) => new Date(Date.parse(first) + k * 60_000).toISOString());
  const later = Array.from({ length: storedJobs - alreadyStored - dueJobs * ticks }, () => benchJob('later'));
  const due = slots.flatMap((slot) => Array.from({ length: dueJobs }, () => benchJob(new Date(Date.parse(slot) + 30_000))));
  await loadJobs(env, [...later, ...due]);

  const runs = [];
  for (const slot of slots) {
    // The tick of the minute before the slot, whatever the time now (loading 100,000 jobs takes minutes).
    const shift = Date.parse(slot) - 55_000 - Date.now();
    const clock = { now: () => new Date(Date.now() + shift) };
    env.meter.reset();
    const started = performance.now();
    const result = await runTick({ ...env.deps, clock, settings: TICK_ALONE });
    const ms = performance.now() - started;
    runs.push({ ms, result, usage: env.meter.reset() });
  }
  const times = runs.map((r) => r.ms);
  return {
    storedJobs,
    dueJobs: mean(runs.map((r) => r.result.dueJobs)),
    tickMs: Math.round(median(times)),
    tickMsMin: Math.round(Math.min(...times)),
    tickMsMax: Math.round(Math.max(...times)),
    ticks,
    readUnits: mean(runs.map((r) => r.usage.readUnits)),
    writeUnits: mean(runs.map((r) => r.usage.writeUnits)),
    requests: mean(runs.map((r) => requestCount(r.usage))),
    scans: runs.reduce((n, r) => n + (r.usage.requests['DynamoDB.Scan'] ?? 0), 0),
    sent: mean(runs.map((r) => r.result.sent)),
  };
}

/** Writes `count` items no tick reads, about a job's size each, into the ledger table. */
async function scratchWrites(env: BenchEnvironment, count: number): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ({ jobId: `#bench-warm-up#${i}`, scheduledFor: 'warm-up', job: JSON.stringify(benchJob('later')) }));
  await batchWrite(env.db, 'scheduler-executions', items.map((Item) => ({ PutRequest: { Item } })));
}

/**
 * The tick's figures for each stored size, each on fresh emulators that have done
 * the same work before the measured ticks: `ticks` unrecorded ticks, then as many
 * writes as the largest size needs (its jobs, topped up with scratch items for a
 * smaller size). Measured here: DynamoDB Local answers faster once it has served
 * 100,000 writes than after 10,000, which would flatter the larger size.
 */
export async function measureTicks(
  sizes: number[],
  dueJobs: number,
  ticks: number,
  start: () => Promise<BenchEnvironment>,
  log: (message: string) => void,
): Promise<TickFigures[]> {
  const largest = Math.max(...sizes);
  const figures: TickFigures[] = [];
  for (const storedJobs of sizes) {
    log(`tick with ${storedJobs.toLocaleString('en')} stored, ${dueJobs} due, ${ticks} times`);
    const env = await start();
    try {
      const warmUp = dueJobs * ticks;
      await measureTick(env, warmUp, dueJobs, 0, ticks);
      await scratchWrites(env, largest - storedJobs);
      figures.push(await measureTick(env, storedJobs, dueJobs, warmUp, ticks));
    } finally {
      await env.stop();
    }
  }
  return figures;
}

/**
 * The tick's cost against how many jobs are stored: the same number due, ever
 * more stored. A tick that reads only what is due stays flat.
 */
import { requestCount } from '../core/adapters/aws/metering.js';
import { slotAfter, slotOf } from '../core/due-index.js';
import { runTick } from '../core/tick.js';
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);

/**
 * Adds jobs until `storedJobs` are stored, `dueJobs` of them due in each of the
 * next `ticks` slots no tick has processed yet, then ticks once per slot, as the
 * tick of the minute before it. One tick's time on two shared cores varies by
 * tens of milliseconds, so the time is the median of several.
 */
export async function measureTick(env: BenchEnvironment, storedJobs: number, dueJobs: number, alreadyStored: number, ticks: number): Promise<TickFigures> {
  const progress = await env.deps.due.progress();
  const nextSlot = slotAfter(slotOf(new Date()));
  const first = progress && progress > nextSlot ? progress : nextSlot;
  const slots = Array.from({ length: ticks }, (_, k) => new Date(Date.parse(first) + k * 60_000).toISOString());
  const later = Array.from({ length: storedJobs - alreadyStored - dueJobs * ticks }, () => benchJob('later'));
  const due = slots.flatMap((slot) => Array.from({ length: dueJobs }, () => benchJob(new Date(Date.parse(slot) + 30_000))));
  await loadJobs(env, [...later, ...due]);

  const runs = [];
  for (const slot of slots) {
    // The tick of the minute before the slot: an earlier tick may have processed up to a minute ahead of now.
    const shift = Math.max(0, Date.parse(slot) - 55_000 - Date.now());
    const clock = { now: () => new Date(Date.now() + shift) };
    env.meter.reset();
    const started = performance.now();
    const result = await runTick({ ...env.deps, clock });
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

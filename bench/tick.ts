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
  tickMs: number;
  readUnits: number;
  writeUnits: number;
  requests: number;
  scans: number;
  sent: number;
}

/**
 * Adds jobs until `storedJobs` are stored, `dueJobs` of them due in a slot no tick
 * has processed yet, then ticks once, as the tick of the minute before that slot.
 */
export async function measureTick(env: BenchEnvironment, storedJobs: number, dueJobs: number, alreadyStored: number): Promise<TickFigures> {
  const progress = await env.deps.due.progress();
  const nextSlot = slotAfter(slotOf(new Date()));
  const slot = progress && progress > nextSlot ? progress : nextSlot;
  const later = Array.from({ length: storedJobs - alreadyStored - dueJobs }, () => benchJob('later'));
  const due = Array.from({ length: dueJobs }, () => benchJob(new Date(Date.parse(slot) + 30_000)));
  await loadJobs(env, [...later, ...due]);
  // An earlier measurement's tick may have processed up to a minute ahead: this one runs on a clock shifted to that minute.
  const shift = Math.max(0, Date.parse(slot) - 55_000 - Date.now());
  const clock = { now: () => new Date(Date.now() + shift) };

  env.meter.reset();
  const started = performance.now();
  const result = await runTick({ ...env.deps, clock });
  const tickMs = performance.now() - started;
  const usage = env.meter.reset();
  return {
    storedJobs,
    dueJobs: result.dueJobs,
    tickMs: Math.round(tickMs),
    readUnits: usage.readUnits,
    writeUnits: usage.writeUnits,
    requests: requestCount(usage),
    scans: usage.requests['DynamoDB.Scan'] ?? 0,
    sent: result.sent,
  };
}

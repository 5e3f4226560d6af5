/**
 * The tick's cost against how many jobs are stored: the same number due, ever
 * more stored. A tick that reads only what is due stays flat.
 */
import { requestCount } from '../core/adapters/aws/metering.js';
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

/** Adds jobs until `storedJobs` are stored, `dueJobs` of them due in the coming minute, then ticks once. */
export async function measureTick(env: BenchEnvironment, storedJobs: number, dueJobs: number, alreadyStored: number): Promise<TickFigures> {
  const dueAt = new Date(Date.now() + 30_000);
  const later = Array.from({ length: storedJobs - alreadyStored - dueJobs }, () => benchJob('later'));
  const due = Array.from({ length: dueJobs }, () => benchJob(dueAt));
  await loadJobs(env, [...later, ...due]);

  env.meter.reset();
  const started = performance.now();
  const result = await runTick(env.deps);
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

/**
 * One tick: read what is due, send it, then advance cursors. The order is the
 * guarantee: a tick that dies after sending but before advancing re-sends next
 * time (the worker's claim drops the duplicate); it never loses an occurrence.
 */
import type { Job } from './job.js';
import { planTick } from './planner.js';
import { DEFAULT_RECOVERY, recoverLost, type RecoveryDeps, type RecoveryResult, type RecoverySettings } from './recovery.js';

export interface TickSettings {
  lookAheadMs: number;
  maxOccurrencesPerJob: number;
  /** Jobs read from the due index per round; a full round triggers another. */
  pageSize: number;
  /** Bounds one tick's work so it always ends inside its minute. */
  maxRounds: number;
  recovery: RecoverySettings;
}

export const DEFAULT_TICK_SETTINGS: TickSettings = {
  // One minute between ticks plus slack, so a tick that starts a little late
  // still finds the next minute's early occurrences already queued.
  lookAheadMs: 65_000,
  maxOccurrencesPerJob: 1_000,
  pageSize: 500,
  maxRounds: 20,
  recovery: DEFAULT_RECOVERY,
};

export interface TickResult {
  recovered?: RecoveryResult;
  dueJobs: number;
  sent: number;
  /** Occurrences recorded as skipped (missed past their grace, by misfire policy). */
  skipped: number;
  advanced: number;
  /** Cursors another tick moved first; their occurrences may be sent twice, never lost. */
  conflicts: number;
}

/** What recovery needs is what a tick needs; a tick also has its settings. */
export interface TickDeps extends RecoveryDeps {
  settings?: TickSettings;
}

/**
 * Sends the occurrences of `jobs` that fall inside the look-ahead window, then
 * advances their cursors. The tick calls it for what the due index returns; job
 * creation calls it for the new job, so a job due in seconds does not wait for
 * the next minute's tick.
 */
export async function dispatch(
  jobs: Job[],
  now: Date,
  deps: Pick<TickDeps, 'jobs' | 'executions' | 'queue' | 'dispatchLog'>,
  settings: Pick<TickSettings, 'lookAheadMs' | 'maxOccurrencesPerJob'>,
): Promise<TickResult> {
  const plan = planTick(jobs, { now, lookAheadMs: settings.lookAheadMs, maxOccurrencesPerJob: settings.maxOccurrencesPerJob });
  // Logged before sending, so that a message the queue loses can be found again.
  const at = now.toISOString();
  await deps.dispatchLog.record(plan.occurrences.map((o) => ({ jobId: o.jobId, scheduledFor: o.scheduledFor, sentAt: at })), at);
  // Sent and skipped before the cursor moves: a tick that dies here repeats both, and both are idempotent.
  await deps.queue.send(plan.occurrences);
  await deps.executions.recordSkipped(plan.skipped, now.toISOString());
  const advanced = await Promise.all(plan.cursorUpdates.map((u) => deps.jobs.advanceCursor(u)));
  const conflicts = advanced.filter((ok) => !ok).length;
  return { dueJobs: jobs.length, sent: plan.occurrences.length, skipped: plan.skipped.length, advanced: advanced.length - conflicts, conflicts };
}

export async function runTick(deps: TickDeps): Promise<TickResult> {
  const settings = deps.settings ?? DEFAULT_TICK_SETTINGS;
  const now = deps.clock.now();
  const result: TickResult = { dueJobs: 0, sent: 0, skipped: 0, advanced: 0, conflicts: 0 };
  const horizon = new Date(now.getTime() + settings.lookAheadMs);

  for (let round = 0; round < settings.maxRounds; round++) {
    const due = await deps.jobs.findDue(horizon, settings.pageSize);
    if (due.length === 0) break;
    const done = await dispatch(due, now, deps, settings);
    result.dueJobs += done.dueJobs;
    result.sent += done.sent;
    result.skipped += done.skipped;
    result.advanced += done.advanced;
    result.conflicts += done.conflicts;
    if (due.length < settings.pageSize) break;
  }
  // Recovery comes after the schedule's own work; its failure must not hide that work.
  try {
    result.recovered = await recoverLost(deps, settings.recovery);
  } catch (error) {
    deps.logger.error('recovery failed; it runs again next tick', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
  deps.logger.info('tick finished', { at: now.toISOString(), ...result });
  return result;
}

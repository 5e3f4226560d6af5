/**
 * The tick planner: given "now" and the jobs the due index returned, which
 * occurrences to send (with their delay), which to record as skipped (missed
 * past their grace, by the job's misfire policy) and where each job's cursor
 * moves. Pure: the tick service does the I/O around it.
 */
import type { Job, JobCursorUpdate } from './job.js';
import { jobOccurrences, nextJobOccurrence } from './job-occurrences.js';
import type { Occurrence } from './occurrence.js';

/** SQS's upper bound for DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

export interface SkippedOccurrence {
  jobId: string;
  jobName: string;
  handler: string;
  scheduledFor: string;
  reason: 'misfire' | 'paused';
}

export interface TickPlan {
  occurrences: Occurrence[];
  skipped: SkippedOccurrence[];
  cursorUpdates: JobCursorUpdate[];
}

export interface PlanOptions {
  now: Date;
  /** Occurrences before now + lookAheadMs are sent this tick, delayed to their instant. */
  lookAheadMs: number;
  /** Bounds one job's share of a tick; the rest follow next tick from the cursor. */
  maxOccurrencesPerJob: number;
}

/**
 * Delay in whole seconds, rounded down so the message becomes visible at or just
 * before its instant; the worker waits out the remaining fraction.
 */
export function delayFor(scheduledFor: Date, now: Date): number {
  const seconds = Math.floor((scheduledFor.getTime() - now.getTime()) / 1000);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, seconds));
}

/** The message for one occurrence of a job: what the worker needs, without reading the job. */
export function occurrenceOf(job: Job, at: Date): Occurrence {
  const { maxAttempts, ...retry } = job.policy.retry;
  return {
    jobId: job.id,
    jobName: job.name,
    handler: job.handler,
    payload: job.payload as Occurrence['payload'],
    scheduledFor: at.toISOString(),
    maxAttempts,
    retry,
    timeoutMs: job.policy.timeoutMs,
    overlap: job.policy.overlap,
  };
}

/** Splits missed occurrences (oldest first) into those to run and those to skip. */
export function applyMisfire(missed: Date[], policy: Job['policy']['misfire']): { run: Date[]; skip: Date[] } {
  const keep = policy.policy === 'skip' ? 0 : policy.policy === 'once' ? 1 : policy.maxCatchUp;
  const cut = Math.max(0, missed.length - keep);
  return { run: missed.slice(cut), skip: missed.slice(0, cut) };
}

export function planTick(jobs: Job[], options: PlanOptions): TickPlan {
  const plan: TickPlan = { occurrences: [], skipped: [], cursorUpdates: [] };
  const windowEnd = new Date(options.now.getTime() + Math.min(options.lookAheadMs, MAX_DELAY_SECONDS * 1000));
  for (const job of jobs) {
    if (job.status !== 'active' || job.nextRunAt === null) continue;
    const cursor = new Date(job.nextRunAt);
    if (cursor >= windowEnd) continue;

    // The cursor is itself an occurrence not yet sent; the rest follow it.
    const considered = [cursor, ...jobOccurrences(job, cursor, windowEnd, options.maxOccurrencesPerJob - 1)];
    const graceStart = options.now.getTime() - job.policy.misfire.graceMs;
    const missed = considered.filter((t) => t.getTime() < graceStart);
    const onTime = considered.slice(missed.length);
    const { run: caughtUp, skip } = applyMisfire(missed, job.policy.misfire);

    let toSend = [...caughtUp, ...onTime];
    let spent = false;
    if (job.maxRuns !== undefined) {
      const left = Math.max(0, job.maxRuns - job.runs);
      if (toSend.length >= left) {
        toSend = toSend.slice(0, left);
        spent = true;
      }
    }
    for (const at of skip) {
      plan.skipped.push({ jobId: job.id, jobName: job.name, handler: job.handler, scheduledFor: at.toISOString(), reason: 'misfire' });
    }
    for (const at of toSend) plan.occurrences.push({ ...occurrenceOf(job, at), delaySeconds: delayFor(at, options.now) });

    const next = spent ? undefined : nextJobOccurrence(job, considered[considered.length - 1]!);
    plan.cursorUpdates.push({
      jobId: job.id,
      expectedNextRunAt: job.nextRunAt,
      nextRunAt: next ? next.toISOString() : null,
      addRuns: toSend.length,
      updatedAt: options.now.toISOString(),
    });
  }
  return plan;
}

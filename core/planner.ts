/**
 * The tick planner: given "now" and the jobs the due index returned, which
 * occurrences to send (with their delay) and where each job's cursor moves.
 * Pure: the tick service does the I/O around it.
 */
import type { Job, JobCursorUpdate } from './job.js';
import type { Occurrence } from './occurrence.js';
import { nextOccurrence, occurrencesBetween } from './schedule.js';

/** SQS's upper bound for DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

export interface TickPlan {
  occurrences: Occurrence[];
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
  };
}

export function planTick(jobs: Job[], options: PlanOptions): TickPlan {
  const plan: TickPlan = { occurrences: [], cursorUpdates: [] };
  const windowEnd = new Date(options.now.getTime() + Math.min(options.lookAheadMs, MAX_DELAY_SECONDS * 1000));
  for (const job of jobs) {
    if (job.status !== 'active' || job.nextRunAt === null) continue;
    const cursor = new Date(job.nextRunAt);
    if (cursor >= windowEnd) continue;
    const anchor = new Date(job.createdAt);
    // The cursor is itself an occurrence not yet sent; the rest follow it.
    const due = [cursor, ...occurrencesBetween(job.schedule, anchor, cursor, windowEnd, options.maxOccurrencesPerJob - 1)];
    for (const at of due) {
      plan.occurrences.push({ ...occurrenceOf(job, at), delaySeconds: delayFor(at, options.now) });
    }
    const next = nextOccurrence(job.schedule, anchor, due[due.length - 1]!);
    plan.cursorUpdates.push({
      jobId: job.id,
      expectedNextRunAt: job.nextRunAt,
      nextRunAt: next ? next.toISOString() : null,
      updatedAt: options.now.toISOString(),
    });
  }
  return plan;
}

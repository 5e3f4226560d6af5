/**
 * The tick planner: for one job and a window of time, which occurrences to send
 * (with their delay), which to record as skipped (missed past their grace, by the
 * job's misfire policy) and where its schedule continues. Pure: the tick service
 * does the I/O around it.
 */
import type { Job } from '../jobs/job.js';
import { jobOccurrences, nextJobOccurrence } from '../schedule/fire-times.js';
import type { Occurrence } from '../execution/occurrence.js';

/** The message for one occurrence of a job: what the worker needs, without reading the job. */
export function occurrenceOf(job: Job, at: Date): Occurrence {
  const { maxAttempts, ...retry } = job.policy.retry;
  return {
    jobId: job.id,
    jobName: job.name,
    handler: job.handler,
    payload: job.payload,
    scheduledFor: at.toISOString(),
    maxAttempts,
    retry,
    timeoutMs: job.policy.timeoutMs,
    overlap: job.policy.overlap,
  };
}

/** How many of the latest missed occurrences a misfire policy runs. */
export function keptByMisfire(policy: Job['policy']['misfire']): number {
  return policy.policy === 'skip' ? 0 : policy.policy === 'once' ? 1 : policy.maxCatchUp;
}

/** Splits missed occurrences (oldest first) into those to run and those to skip. */
export function applyMisfire(missed: Date[], policy: Job['policy']['misfire']): { run: Date[]; skip: Date[] } {
  const keep = keptByMisfire(policy);
  const cut = Math.max(0, missed.length - keep);
  return { run: missed.slice(cut), skip: missed.slice(0, cut) };
}

export interface JobPlan {
  /** Occurrences to send now, oldest first. */
  send: Date[];
  /** Missed past their grace and dropped by the misfire policy. */
  skip: Date[];
  /** The first occurrence at or after `until`; undefined when the schedule is spent. */
  next?: Date;
  /** Occurrences sent including these. */
  runs: number;
}

/** Occurrences a job has at or after `from`, before `until`; a minute holds at most 60 (intervals are at least a second). */
const MAX_PER_WINDOW = 100_000;

/**
 * What to do with a job's occurrences from `from` (itself an occurrence) up to
 * `until`, judged at `now`. On time ones are sent. Missed ones (before now minus
 * the grace) follow the misfire policy, judged against every missed occurrence up
 * to now, not just those in this window: when a backlog is worked through slot by
 * slot, `once` still runs only the latest, and `all` only the last `maxCatchUp`.
 */
export function planJob(job: Job, from: Date, runs: number, until: Date, now: Date): JobPlan {
  const considered = from < until ? [from, ...jobOccurrences(job, from, until, MAX_PER_WINDOW)] : [];
  const graceStart = new Date(now.getTime() - job.policy.misfire.graceMs);
  const missed = considered.filter((t) => t < graceStart);
  const onTime = considered.slice(missed.length);

  const misfire = job.policy.misfire;
  const keep = keptByMisfire(misfire);
  const last = considered[considered.length - 1];
  const missedLater = missed.length > 0 && keep > 0 && last ? [...jobOccurrences(job, last, graceStart, keep)].length : 0;
  const { run: caughtUp, skip } = applyMisfire(missed, { ...misfire, policy: 'all', maxCatchUp: Math.max(0, keep - missedLater) });

  let send = [...caughtUp, ...onTime];
  let spent = false;
  if (job.maxRuns !== undefined && runs + send.length >= job.maxRuns) {
    send = send.slice(0, Math.max(0, job.maxRuns - runs));
    spent = true;
  }
  const next = spent ? undefined : considered.length > 0 ? nextJobOccurrence(job, last!) : from;
  return { send, skip, runs: runs + send.length, ...(next ? { next } : {}) };
}

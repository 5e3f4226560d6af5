/**
 * The job store port: job definitions, their status, and the overlap lock.
 * Adapters in adapters/ implement it; its contract suite in test/integration
 * runs against every adapter.
 */
import type { Page } from '../kernel/ports.js';
import type { Job, JobStatus, JobStatusChange } from './job.js';

export interface JobStore {
  /** Stores a new job; throws JobNameTakenError when the name is in use. */
  create(job: Job): Promise<void>;
  get(id: string): Promise<Job | undefined>;
  list(options: { limit: number; next?: string }): Promise<Page<Job>>;
  /** How many jobs there are in each status (reads every job: fine for thousands, see README). */
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** Deletes the job and frees its name; returns false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Several at once, keyed by id; missing ones are absent. May lag a write by a moment. */
  getMany(ids: string[]): Promise<Map<string, Job>>;
  /** Applies a pause, resume or completion; false when the job's status or revision is no longer the expected one. */
  changeStatus(change: JobStatusChange): Promise<boolean>;
  /**
   * Keeps the count of sent occurrences of a job with maxRuns, and up to where it
   * counts (Job.runsUntil); false when the revision moved on.
   */
  recordRuns(jobId: string, rev: number, runs: number, runsUntil: string): Promise<boolean>;

  /**
   * The overlap lock: marks the job as running `scheduledFor` until `leaseUntil`.
   * Succeeds when no run holds it, the holder's lease has passed, or it is this
   * occurrence's own; otherwise says which occurrence holds it. A job that no
   * longer exists has no lock: acquired (its queued occurrences still run).
   */
  acquireRun(
    jobId: string,
    scheduledFor: string,
    leaseUntil: string,
    now: string,
  ): Promise<{ acquired: true } | { acquired: false; holder: string }>;
  /** Parks one occurrence (its encoded message) to run after the holder; false when the slot is taken. */
  queueRun(jobId: string, occurrence: string): Promise<boolean>;
  /** Releases the lock held by `scheduledFor`; returns the parked occurrence, if any, now removed. */
  releaseRun(jobId: string, scheduledFor: string): Promise<string | undefined>;
}

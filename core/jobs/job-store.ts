/**
 * The job store port: job definitions, their status, and the overlap lock.
 * Adapters in adapters/ implement it; its contract suite in test/integration
 * runs against every adapter.
 */
import type { Page } from '../kernel/ports.js';
import type { Job, JobStatus, JobStatusChange } from './job.js';
import type { JobFilter } from './job-list.js';

/** A create's Idempotency-Key (see core/service/idempotency.ts). */
export interface IdempotencyRecord {
  key: string;
  /** Of the request body (the HTTP layer's hash): the same key must come with the same body. */
  fingerprint: string;
  /** The id the job gets. */
  jobId: string;
  startedAt: string;
  expiresAt: string;
  /** Set once the create has answered: the job as it answered. */
  answer?: Job;
}

export interface JobStore {
  /**
   * Records an Idempotency-Key unless it is recorded already (or `takeOver` is the
   * startedAt of the stale record to replace); otherwise returns the record that holds it.
   */
  beginIdempotent(record: IdempotencyRecord, takeOver?: string): Promise<{ begun: true } | { begun: false; existing: IdempotencyRecord }>;
  /** Keeps the answer of the create that began the key (its jobId). */
  finishIdempotent(key: string, jobId: string, answer: Job): Promise<void>;
  /** Forgets a key whose create was refused (nothing was made), if it is still that create's. */
  abandonIdempotent(key: string, jobId: string): Promise<void>;

  /** Stores a new job; throws JobNameTakenError when the name is in use. */
  create(job: Job): Promise<void>;
  get(id: string): Promise<Job | undefined>;
  /**
   * Jobs, not tasks (kind `task`), that pass the filter (see matchesFilter), in an
   * order of the store's. A page may hold fewer than `limit` (even none) and still
   * have a `next`: a store reads a bounded amount per page.
   */
  list(options: { limit: number; next?: string; filter?: JobFilter }): Promise<Page<Job>>;
  /**
   * Locks a task's uniqueKey for `holder` (an execution id). Taken when free, or
   * when it is held by `takeOverFrom` (a holder the caller found final or gone).
   * Returns the holder when someone else has it.
   */
  lockUniqueKey(
    key: string,
    lock: { holder: string; lockedAt: string; expiresAt: string },
    takeOverFrom?: string,
  ): Promise<{ locked: true } | { locked: false; holder: string; lockedAt: string }>;
  /**
   * Reserves an instant for a manual run of a job, so that two runs asked for at once
   * never share one (an occurrence is its job and instant). False when it is taken.
   */
  reserveRunInstant(jobId: string, instant: string, expiresAt: string): Promise<boolean>;
  /** Lets go of a uniqueKey if `holder` still has it (an enqueue that was refused after locking). */
  unlockUniqueKey(key: string, holder: string): Promise<void>;
  /** How many jobs (not tasks) there are in each status (reads every job: fine for thousands, see README). */
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** Deletes the job and frees its name; returns false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Several at once, keyed by id; missing ones are absent. May lag a write by a moment. */
  getMany(ids: string[]): Promise<Map<string, Job>>;
  /**
   * Writes an edited definition in place of the job (its overlap lock stays), when
   * the job is still at `expected.rev`; a changed name moves the name lock (throws
   * JobNameTakenError when the new name is in use). False when the revision moved on.
   */
  replace(job: Job, expected: { rev: number; name: string }): Promise<boolean>;
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

/**
 * The narrow ports through which the domain talks to the world. Adapters in
 * adapters/ implement them; the contract suites in test/integration run
 * against every adapter.
 */
import type { ClaimResult, DeadArrival, Execution, ExecutionClaim, ExecutionOutcome, SkipRecord } from '../execution/ledger-record.js';
import type { DispatchEntry, DispatchRef } from '../dispatch/dispatch-log.js';
import type { Bundle, ClaimHolder, GroupClaim } from '../execution/bundle.js';
import type { DueEntry, SubmittedEntry } from '../dispatch/due-index.js';
import type { Job, JobStatusChange } from '../jobs/job.js';
import type { Occurrence } from '../execution/occurrence.js';

export interface Clock {
  now(): Date;
}

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  next?: string;
}

export interface JobStore {
  /** Stores a new job; throws JobNameTakenError when the name is in use. */
  create(job: Job): Promise<void>;
  get(id: string): Promise<Job | undefined>;
  list(options: { limit: number; next?: string }): Promise<Page<Job>>;
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
  acquireRun(jobId: string, scheduledFor: string, leaseUntil: string, now: string): Promise<{ acquired: true } | { acquired: false; holder: string }>;
  /** Parks one occurrence (its encoded message) to run after the holder; false when the slot is taken. */
  queueRun(jobId: string, occurrence: string): Promise<boolean>;
  /** Releases the lock held by `scheduledFor`; returns the parked occurrence, if any, now removed. */
  releaseRun(jobId: string, scheduledFor: string): Promise<string | undefined>;
}

export interface ExecutionStore {
  /**
   * Claims an occurrence before its handler runs. Succeeds when the occurrence was
   * never claimed, its last attempt failed and its retry time has come, or its running claim's lease expired
   * (the worker died). Otherwise returns the record that holds it: running under
   * a live lease, or already succeeded.
   */
  claim(claim: ExecutionClaim): Promise<ClaimResult>;
  /**
   * Records occurrences that will not run. An occurrence that already has a
   * record keeps it (a skip never hides a run). Returns how many were recorded.
   * `overUnfinished`: a record that is not final (failed, queued, or running past
   * its lease) is replaced too: its job is gone and nothing will finish it.
   */
  recordSkipped(skips: SkipRecord[], at: string, options?: { overUnfinished?: boolean }): Promise<number>;
  /** Records how the claimed attempt ended. */
  /** Returns false when the attempt is no longer the current one (a stale worker). */
  complete(outcome: ExecutionOutcome): Promise<boolean>;
  /**
   * Writes finished records as they are, in batches (a bundle's outcomes: their
   * claim was the group's, so nothing here is conditional). A dead one is listed
   * as a dead letter.
   */
  recordOutcomes(records: Execution[]): Promise<void>;
  get(jobId: string, scheduledFor: string): Promise<Execution | undefined>;
  /** Several at once, keyed by occurrenceKey; missing ones are absent. May lag a write by a moment. */
  getMany(keys: { jobId: string; scheduledFor: string }[]): Promise<Map<string, Execution>>;
  /** Newest first. */
  listForJob(jobId: string, options: { limit: number; next?: string }): Promise<Page<Execution>>;

  /**
   * Records a message that reached the dead-letter queue without our worker
   * declaring it dead (SQS's maxReceiveCount). Leaves finished records alone;
   * returns false when there was nothing to change.
   */
  recordArrivalInDeadLetters(arrival: DeadArrival): Promise<boolean>;
  /** Dead letters not yet redriven or discarded, newest first. */
  listDead(options: { limit: number; next?: string }): Promise<Page<Execution>>;
  /**
   * Arms a dead letter for redrive: only a message carrying `redriveId` may claim
   * it. Returns the record, or undefined when it is not a dead letter.
   */
  armRedrive(key: { jobId: string; scheduledFor: string }, redriveId: string): Promise<Execution | undefined>;
  /** Takes a dead letter off the list; returns false when it was not one. */
  discard(key: { jobId: string; scheduledFor: string }, at: string): Promise<boolean>;
}

/** Claims on first attempts, by claim group (see bundle.ts). */
export interface BundleClaims {
  /**
   * Claims members of a group for `holder`, all in one write: each one that is free
   * or whose holder's lease ended before `now`.
   */
  claim(group: string, jobIds: string[], holder: ClaimHolder, now: string): Promise<GroupClaim>;
  /** Lets go of a member if `holder` (the same id and lease) still holds it; false when it did not. */
  release(group: string, jobId: string, holder: ClaimHolder): Promise<boolean>;
}

/** The due index (see due-index.ts): slots of entries, the tick's progress, and the inbox of new chains. */
export interface DueIndex {
  /**
   * Writes entries into the slots of their `from`. What one `source` wrote to a
   * slot is replaced when it writes there again, so repeating a write never
   * doubles an entry.
   */
  write(entries: DueEntry[], source: string): Promise<void>;
  /** Every entry in one slot. */
  read(slot: string): Promise<DueEntry[]>;
  /** The first slot at or after `slot` (or at all) that holds entries, if any. */
  firstSlotFrom(slot?: string): Promise<string | undefined>;
  /** The next slot the tick has to process; undefined before the first tick. */
  progress(): Promise<string | undefined>;
  /**
   * When `slot` was first planned: `now` the first time it is asked for that slot,
   * the same answer when asked again (a tick repeating the slot after a crash), so a
   * repeated slot is planned as it was the first time.
   */
  planningTime(slot: string, now: string): Promise<string>;
  /** Moves the progress from `expected` to `to`; false when another tick moved it first. */
  advance(expected: string | undefined, to: string): Promise<boolean>;
  /** Starts a chain: the next tick picks the entry up, whatever slot it falls in. */
  submit(entry: SubmittedEntry): Promise<void>;
  /** Submitted entries not yet taken, oldest first. */
  inbox(limit: number): Promise<SubmittedEntry[]>;
  /** Removes taken entries from the inbox. */
  take(entries: SubmittedEntry[]): Promise<void>;
}

export interface DispatchLog {
  /** Records occurrences about to be sent (chunked into entries as needed). */
  record(refs: DispatchRef[], at: string): Promise<void>;
  /** Entries written before `before`, oldest first. */
  pending(before: string, limit: number): Promise<DispatchEntry[]>;
  /**
   * Removes the entry when nothing in it is open; otherwise files `open` again as an
   * entry written at `at`, in place of this one, so that entries behind it come next.
   */
  settle(entry: DispatchEntry, open: DispatchRef[], at: string): Promise<void>;
}

export interface Queue {
  /**
   * Sends occurrences; batches as the transport allows. Each is hidden until its
   * instant (to the second, rounded down, reckoned when it goes out), or delivered
   * at once when its `delaySeconds` is 0. Throws if any is not accepted.
   */
  send(occurrences: Occurrence[]): Promise<void>;
  /**
   * Sends bundles of first attempts (see bundle.ts), one message each, hidden until
   * their instant, or delivered at once when every member's `delaySeconds` is 0.
   */
  sendBundles(bundles: Bundle[]): Promise<void>;
  /** Hides a received message for `delaySeconds` before it is delivered again (the backoff). */
  postpone(deliveryHandle: string, delaySeconds: number): Promise<void>;
  /** Parks an occurrence in the dead-letter queue. */
  sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void>;
}

export interface Logger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

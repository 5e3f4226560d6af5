/**
 * The execution ports: the ledger, the claims on bundles of first attempts, and
 * the queue. Adapters in adapters/ implement them; the contract suites in
 * test/integration run against every adapter.
 */
import type { Page } from '../kernel/ports.js';
import type { Bundle, ClaimHolder, GroupClaim } from './bundle.js';
import type {
  ClaimResult,
  DeadArrival,
  Execution,
  ExecutionClaim,
  ExecutionOutcome,
  ExecutionStatus,
  SkipRecord,
} from './ledger-record.js';
import type { Occurrence } from './occurrence.js';

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
  recordSkipped(skips: SkipRecord[], at: string, options?: { overUnfinished?: boolean; expiresAt?: string }): Promise<number>;
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
   * History, newest first by (scheduledFor, jobId), across jobs or of one (`jobId`), in
   * [from, to), filtered; expired records (`expiresAt` before `now`) are left out. A page may hold
   * fewer than `limit` (even none) with a `next` when it stopped at HISTORY_READS_PER_PAGE; each
   * `next` is further on. Records written before the history index existed are listed only per job.
   */
  listHistory(query: HistoryQuery): Promise<Page<Execution>>;
  /** Records scheduled in [from, to) by status, reading at most HISTORY_READS_PER_COUNT pages; `complete` false when it stopped there. */
  countByStatus(from: string, to: string): Promise<{ counts: Partial<Record<ExecutionStatus, number>>; complete: boolean }>;
  /**
   * Deletes final records (succeeded, skipped, dead letters discarded) scheduled before `before`,
   * never another (a conditional delete each); at most CLEANUP_DELETES_PER_CALL, looking back
   * HISTORY_REACH_DAYS. `more`: it stopped at its budget; call again.
   */
  deleteFinishedBefore(before: string): Promise<{ deleted: number; more: boolean }>;

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
  discard(key: { jobId: string; scheduledFor: string }, at: string, options?: { expiresAt?: string }): Promise<boolean>;
}

export interface HistoryQuery {
  limit: number;
  next?: string;
  /** Inclusive. */
  from: string;
  /** Exclusive. */
  to: string;
  jobId?: string;
  statuses?: ExecutionStatus[];
  handler?: string;
  /** Records that expired before this are not shown (TTL deletes lag by up to two days on AWS). */
  now: string;
}

/** Queries (pages) one history page may read before it answers with what it has and a `next`. */
export const HISTORY_READS_PER_PAGE = 64;
/** Pages one count may read (about 2,000 index items each). */
export const HISTORY_READS_PER_COUNT = 200;
/** How far back before its upper bound a listing across jobs and a cleanup look: a year and a day. */
export const HISTORY_REACH_DAYS = 366;
export const CLEANUP_DELETES_PER_CALL = 1_000;
/** Enough for every shard of every day of the reach (366 × 8 queries, most of them on empty days) in one call. */
export const CLEANUP_READS_PER_CALL = 4_000;

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
  /** How many messages wait (visible), are received and not yet deleted, are delayed, and sit in the DLQ; approximate on SQS. */
  depths(): Promise<QueueDepths>;
}

export interface QueueDepths {
  queued: number;
  inFlight: number;
  delayed: number;
  deadLetters: number;
}

/** Slots leased from the global concurrency limit (see concurrency.ts): what `acquire` gave one holder. */
export interface SlotGrant {
  holder: string;
  leaseUntil: string;
  /** The slots taken, each one of 0..limit-1. */
  slots: number[];
}

/** The global concurrency limit's slots, each held by at most one holder at a time. */
export interface ConcurrencySlots {
  /**
   * Takes up to `want` of the slots 0..limit-1 that are free (never taken, released,
   * or their lease ended before `now`) for `holder` until `leaseUntil`; fewer, or
   * none, when fewer are free. Two acquirers never both get one slot.
   */
  acquire(request: { want: number; limit: number; holder: string; leaseUntil: string; now: string }): Promise<SlotGrant>;
  /** Lets go of the grant's slots its holder still holds (one whose lease ended may be someone else's by now). */
  release(grant: SlotGrant): Promise<void>;
}

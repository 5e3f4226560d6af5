/**
 * The execution ports: the ledger, the claims on bundles of first attempts, and
 * the queue. Adapters in adapters/ implement them; the contract suites in
 * test/integration run against every adapter.
 */
import type { Page } from '../kernel/ports.js';
import type { Bundle, ClaimHolder, GroupClaim } from './bundle.js';
import type { ClaimResult, DeadArrival, Execution, ExecutionClaim, ExecutionOutcome, SkipRecord } from './ledger-record.js';
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

/** The execution ledger's records: one per occurrence, updated per attempt. */
import type { ManualTrigger } from './occurrence.js';

/**
 * - running: an attempt holds the claim.
 * - succeeded: done.
 * - failed: the last attempt failed; another will come (`retryAt`).
 * - dead: no more attempts; listed as a dead letter until redriven or discarded.
 * - skipped: never run, for `skipReason` (misfire: missed past its grace while the
 *   scheduler was down; paused: the job was paused; overlap: the previous run was
 *   still running).
 * - queued: waits for the job's running occurrence to end (overlap `queue-one`).
 */
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'dead' | 'skipped' | 'queued';

export interface ExecutionError {
  name: string;
  message: string;
}

export interface Execution {
  jobId: string;
  scheduledFor: string;
  jobName: string;
  handler: string;
  status: ExecutionStatus;
  /** Our own count of attempts, 1-based, across redrives; never SQS's receive count. */
  attempt: number;
  /** Attempts made before the last redrive; `attempt - attemptBase` counts against maxAttempts. */
  attemptBase?: number;
  startedAt: string;
  /** A running claim older than this may be taken over: its worker is presumed dead. */
  leaseUntil: string;
  finishedAt?: string;
  durationMs?: number;
  error?: ExecutionError;
  /** When the next attempt is due, for a failed one. */
  retryAt?: string;
  /** For a dead one: when it died and why (`attempts-exhausted`, `non-retryable`, `max-receives`, `unsendable`). */
  diedAt?: string;
  deadReason?: DeadReason;
  /** The message it was sent with, kept while dead so a redrive can send it again. */
  occurrence?: string;
  skipReason?: SkipReason;
  /** A manual run's: who asked and why (absent on a scheduled occurrence). */
  trigger?: ManualTrigger;
  /** Every attempt, oldest first, the newest 25 (see attempts.ts); none for one that never ran. */
  attempts?: Attempt[];
  /** When the record goes by itself (final history, after the retention period); absent: kept. */
  expiresAt?: string;
}

/** `lost`: its worker died before the attempt ended (the claim's lease ran out). */
export type AttemptStatus = 'running' | 'succeeded' | 'failed' | 'dead' | 'skipped' | 'queued' | 'lost';

export interface Attempt {
  attempt: number;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  status: AttemptStatus;
  error?: ExecutionError;
}

/** `deleted`: its job was deleted before a lost message of it could be sent again. */
export type SkipReason = 'misfire' | 'paused' | 'overlap' | 'deleted';

export interface SkipRecord {
  jobId: string;
  scheduledFor: string;
  jobName: string;
  handler: string;
  reason: SkipReason;
}

/** `unsendable`: the queue refused its message (the error says why); it never ran. */
export type DeadReason = 'attempts-exhausted' | 'non-retryable' | 'max-receives' | 'unsendable';

export interface ExecutionClaim {
  jobId: string;
  scheduledFor: string;
  jobName: string;
  handler: string;
  startedAt: string;
  leaseUntil: string;
  /** A redriven message's token; lets the claim revive a dead record that expects it. */
  redriveId?: string;
  trigger?: ManualTrigger;
  /** Attempts made that the ledger has no record of (a bundle's, whose worker died); counted when the record is new. */
  priorAttempts?: number;
}

export type ClaimResult = { claimed: true; execution: Execution } | { claimed: false; holder: Execution };

export interface ExecutionOutcome {
  jobId: string;
  scheduledFor: string;
  /** The attempt this outcome belongs to; a stale worker's outcome is ignored. */
  attempt: number;
  status: 'succeeded' | 'failed' | 'dead' | 'skipped' | 'queued';
  finishedAt: string;
  durationMs: number;
  error?: ExecutionError;
  retryAt?: string;
  deadReason?: DeadReason;
  skipReason?: SkipReason;
  /** For a queued one: attempts so far, so that its run counts as a first attempt. */
  attemptBase?: number;
  /** The encoded message, for a dead outcome. */
  occurrence?: string;
  /** The attempt number to keep, when it is not `attempt` (a claim past the budget that ran nothing). */
  recordAttempt?: number;
  /** When the record goes by itself (final outcomes only; see core/execution/retention.ts). */
  expiresAt?: string;
}

/** What the dead-letter consumer records for a message SQS moved to the DLQ itself. */
export interface DeadArrival {
  jobId: string;
  scheduledFor: string;
  jobName: string;
  handler: string;
  at: string;
  occurrence: string;
}

/** Executions (and dead letters, which are executions) are named by their occurrence key, encoded for URLs. */
export function executionId(e: { jobId: string; scheduledFor: string }): string {
  return Buffer.from(`${e.jobId}\n${e.scheduledFor}`).toString('base64url');
}

/**
 * The occurrence key an id names, or undefined. Only a job's id and a canonical instant: the
 * ledger table's reserved partitions (`#tick`, `#due#…`) are never reachable through an id.
 */
export function parseExecutionId(id: string): { jobId: string; scheduledFor: string } | undefined {
  const [jobId, scheduledFor, ...rest] = Buffer.from(id, 'base64url').toString('utf8').split('\n');
  if (!jobId || !scheduledFor || rest.length > 0 || !/^[A-Za-z0-9_-]{1,256}$/.test(jobId)) return undefined;
  const ms = Date.parse(scheduledFor);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== scheduledFor) return undefined;
  return { jobId, scheduledFor };
}

/** The dead-letter API's names for the same ids. */
export const deadLetterId = executionId;
export const parseDeadLetterId = parseExecutionId;

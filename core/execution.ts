/** The execution ledger's records: one per occurrence, updated per attempt. */

export type ExecutionStatus = 'running' | 'succeeded' | 'failed';

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
  /** Our own count of attempts, 1-based; never SQS's receive count. */
  attempt: number;
  startedAt: string;
  /** A running claim older than this may be taken over: its worker is presumed dead. */
  leaseUntil: string;
  finishedAt?: string;
  durationMs?: number;
  error?: ExecutionError;
}

export interface ExecutionClaim {
  jobId: string;
  scheduledFor: string;
  jobName: string;
  handler: string;
  startedAt: string;
  leaseUntil: string;
}

export type ClaimResult = { claimed: true; execution: Execution } | { claimed: false; holder: Execution };

export interface ExecutionOutcome {
  jobId: string;
  scheduledFor: string;
  /** The attempt this outcome belongs to; a stale worker's outcome is ignored. */
  attempt: number;
  status: 'succeeded' | 'failed';
  finishedAt: string;
  durationMs: number;
  error?: ExecutionError;
}

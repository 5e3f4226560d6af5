/** What the API shows of domain records: no internals (revisions as versions, no leases, no stored messages). */
import type { Execution } from '../../core/execution/ledger-record.js';
import type { Job } from '../../core/jobs/job.js';

export type JobView = Omit<Job, 'rev' | 'sentUntil'> & { version: number };

export function jobView(job: Job): JobView {
  const { rev, sentUntil: _sentUntil, ...shown } = job;
  return { ...shown, version: rev };
}

export type ExecutionView = Omit<Execution, 'leaseUntil' | 'attemptBase' | 'occurrence'>;

export function executionView(execution: Execution): ExecutionView {
  const { leaseUntil: _lease, attemptBase: _base, occurrence: _message, ...shown } = execution;
  return shown;
}

/** A strong entity tag naming the job's version: what `If-Match` sends back. */
export function etagOf(job: { rev: number }): string {
  return `"${job.rev}"`;
}

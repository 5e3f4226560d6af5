/** What the API shows of domain records: no internals (revisions as versions, no leases, no stored messages). */
import type { Context } from 'hono';
import type { Page } from '../../core/kernel/ports.js';
import { executionId, type Attempt, type Execution } from '../../core/execution/ledger-record.js';
import type { Job } from '../../core/jobs/job.js';

export type JobView = Omit<Job, 'rev' | 'sentUntil'> & { version: number };

export function jobView(job: Job): JobView {
  const { rev, sentUntil: _sentUntil, ...shown } = job;
  return { ...shown, version: rev };
}

export type ExecutionView = Omit<Execution, 'leaseUntil' | 'attemptBase' | 'occurrence' | 'attempts'> & { id: string };

/** An execution as listings show it: its id, no internals, no attempts (GET /v1/executions/{id} has them). */
export function executionView(execution: Execution): ExecutionView {
  const { leaseUntil: _lease, attemptBase: _base, occurrence: _message, attempts: _attempts, ...shown } = execution;
  return { id: executionId(execution), ...shown };
}

export function executionDetailView(execution: Execution): ExecutionView & { attempts: Attempt[] } {
  return { ...executionView(execution), attempts: execution.attempts ?? [] };
}

/** A strong entity tag naming the job's version: what `If-Match` sends back. */
export function etagOf(job: { rev: number }): string {
  return `"${job.rev}"`;
}

/** A job as an answer: its view, with its version as the ETag. */
export function answerJob<S extends 200 | 201>(c: Context, job: Job, status: S) {
  c.header('ETag', etagOf(job));
  return c.json(jobView(job), status);
}

/** A page as an answer: its items under `key`, and `next` when there is more. */
export function pageBody<K extends string, T, V>(key: K, page: Page<T>, view: (item: T) => V): { [P in K]: V[] } & { next?: string } {
  return { [key]: page.items.map(view), ...(page.next ? { next: page.next } : {}) } as { [P in K]: V[] } & { next?: string };
}

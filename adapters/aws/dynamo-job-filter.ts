/** The job list's filter as a DynamoDB FilterExpression, and how much a page reads. */
import type { JobFilter } from '../../core/jobs/job-list.js';

/** A page's reads: enough for a sparse filter over a few thousand jobs, bounded for a larger table. */
export const SCAN_CALLS_PER_PAGE = 10;
export const SCAN_READ_PER_CALL = 500;

/** Jobs, not tasks, that pass the filter (matchesFilter in core/jobs/job-list.ts; `q` is matched on the lower-cased name). */
export function filterExpression(filter: JobFilter): {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const parts = ['begins_with(pk, :job)', 'attribute_not_exists(#kind)'];
  const names: Record<string, string> = { '#kind': 'kind' };
  const values: Record<string, unknown> = { ':job': 'JOB#' };
  if (filter.status !== undefined) {
    parts.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = filter.status;
  }
  if (filter.handler !== undefined) {
    parts.push('#handler = :handler');
    names['#handler'] = 'handler';
    values[':handler'] = filter.handler;
  }
  if (filter.namePrefix !== undefined) {
    parts.push('begins_with(#name, :prefix)');
    names['#name'] = 'name';
    values[':prefix'] = filter.namePrefix;
  }
  if (filter.q !== undefined) {
    parts.push('contains(#search, :q)');
    names['#search'] = SEARCH_NAME;
    values[':q'] = filter.q.toLowerCase();
  }
  return { expression: parts.join(' AND '), names, values };
}

/** The lower-cased name, written with every job, for `q`. */
export const SEARCH_NAME = 'nameLower';

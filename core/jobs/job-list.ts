/** Listing jobs: the filters a store applies, and the orders the service sorts in. */
import type { Job, JobStatus } from './job.js';

export interface JobFilter {
  status?: JobStatus;
  /** The handler's name, exactly. */
  handler?: string;
  /** Names starting with this, case as given. */
  namePrefix?: string;
  /** Names containing this, in any case. */
  q?: string;
}

/** Whether a job passes a filter: the rule every store applies (and the reference the contract suite holds them to). */
export function matchesFilter(job: Job, filter: JobFilter = {}): boolean {
  return (
    (filter.status === undefined || job.status === filter.status) &&
    (filter.handler === undefined || job.handler === filter.handler) &&
    (filter.namePrefix === undefined || job.name.startsWith(filter.namePrefix)) &&
    (filter.q === undefined || job.name.toLowerCase().includes(filter.q.toLowerCase()))
  );
}

export type JobSort = 'name' | '-name' | 'nextRun' | '-nextRun';

/**
 * A job's place in an order, as a string compared by code units, then by id. A job
 * with no next run (completed) sorts after every one that has one, either way.
 */
export function sortKey(job: Job, sort: JobSort): string {
  if (sort === 'name' || sort === '-name') return job.name;
  return job.nextRunAt ?? '\uffff';
}

export function compareBy(sort: JobSort): (a: Job, b: Job) => number {
  const descending = sort.startsWith('-');
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (a, b) => {
    const ka = sortKey(a, sort);
    const kb = sortKey(b, sort);
    const none = '\uffff';
    // Without a next run: last in both directions.
    if (ka === none || kb === none) return ka === kb ? cmp(a.id, b.id) : ka === none ? 1 : -1;
    return (descending ? -cmp(ka, kb) : cmp(ka, kb)) || cmp(a.id, b.id);
  };
}

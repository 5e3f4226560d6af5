/**
 * A sorted job list. No store keeps jobs in name or next-run order (the next run is
 * worked out live), so a sorted page reads every job that passes the filter, up to
 * MAX_SORTED, and sorts them; its token names the last job shown by its place in the
 * order, so pages follow on even when jobs are added or removed between them.
 */
import { ValidationError } from '../kernel/errors.js';
import type { Page } from '../kernel/ports.js';
import type { Job } from '../jobs/job.js';
import { compareBy, sortKey, type JobFilter, type JobSort } from '../jobs/job-list.js';
import type { JobStore } from '../jobs/job-store.js';

/** Past this many matching jobs a sorted list is refused: filter first, or list unsorted. */
export const MAX_SORTED = 10_000;

interface Cursor {
  sort: JobSort;
  key: string;
  id: string;
}

const invalid = () =>
  new ValidationError('the page token is not valid', [{ path: 'next', message: 'is not a token this API returned for this sort' }]);

function decodeCursor(token: string, sort: JobSort): Cursor {
  try {
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.toString('base64url') !== token) throw invalid();
    const value = JSON.parse(bytes.toString('utf8')) as Partial<Cursor>;
    if (value.sort !== sort || typeof value.key !== 'string' || typeof value.id !== 'string' || Object.keys(value).length !== 3)
      throw invalid();
    return value as Cursor;
  } catch {
    throw invalid();
  }
}

export async function sortedPage(
  store: Pick<JobStore, 'list'>,
  options: { limit: number; next?: string; filter?: JobFilter; sort: JobSort },
  present: (job: Job) => Job,
): Promise<Page<Job>> {
  const after = options.next === undefined ? undefined : decodeCursor(options.next, options.sort);
  const all: Job[] = [];
  let token: string | undefined;
  do {
    const page = await store.list({
      limit: 1_000,
      ...(token ? { next: token } : {}),
      ...(options.filter ? { filter: options.filter } : {}),
    });
    all.push(...page.items.map(present));
    if (all.length > MAX_SORTED)
      throw new ValidationError('too many jobs to sort', [
        { path: 'sort', message: `more than ${MAX_SORTED} jobs match; filter by status, handler, name or q, or list without sort` },
      ]);
    token = page.next;
  } while (token);
  const compare = compareBy(options.sort);
  all.sort(compare);
  let start = 0;
  if (after) {
    const probe = { id: after.id, name: after.key, nextRunAt: after.key === '\uffff' ? null : after.key } as Job;
    start = all.findIndex((job) => compare(job, probe) > 0);
    if (start < 0) start = all.length;
  }
  const items = all.slice(start, start + options.limit);
  const last = items.at(-1);
  const more = start + items.length < all.length;
  return more && last
    ? {
        items,
        next: Buffer.from(JSON.stringify({ sort: options.sort, key: sortKey(last, options.sort), id: last.id })).toString('base64url'),
      }
    : { items };
}

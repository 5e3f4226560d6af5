/** The in-memory ledger's history queries: the same answers as the DynamoDB index, without its budget. */
import type { Execution, ExecutionStatus } from '../../core/execution/ledger-record.js';
import { CLEANUP_DELETES_PER_CALL, type HistoryQuery } from '../../core/execution/ports.js';
import type { Page } from '../../core/kernel/ports.js';
import { belowBound, decodeHistoryCursor, encodeHistoryCursor, historyKeyOf } from '../history-cursor.js';

type Stored = Omit<Execution, 'attempts'> & { listedDead?: boolean };

const live = (r: Stored, now: string) => !r.expiresAt || r.expiresAt > now;

export function listHistory<T extends Stored>(records: Iterable<T>, query: HistoryQuery): Page<T> {
  const cursor = decodeHistoryCursor(query.next);
  const matching = [...records]
    .filter((r) => (query.jobId === undefined || r.jobId === query.jobId) && live(r, query.now))
    .filter((r) => !query.statuses || query.statuses.includes(r.status))
    .filter((r) => query.handler === undefined || r.handler === query.handler)
    .filter((r) => historyKeyOf(r) >= query.from && belowBound(historyKeyOf(r), query.to, cursor))
    .sort((a, b) => historyKeyOf(b).localeCompare(historyKeyOf(a)));
  const items = matching.slice(0, query.limit);
  return matching.length > items.length ? { items, next: encodeHistoryCursor({ k: historyKeyOf(items.at(-1)!) }) } : { items };
}

export function countByStatus(records: Iterable<Stored>, from: string, to: string) {
  const counts: Partial<Record<ExecutionStatus, number>> = {};
  for (const r of records) if (historyKeyOf(r) >= from && historyKeyOf(r) < to) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return { counts, complete: true };
}

/** Final: succeeded, skipped, or dead and no longer listed (discarded). */
export function isFinished(r: Stored): boolean {
  return r.status === 'succeeded' || r.status === 'skipped' || (r.status === 'dead' && !r.listedDead);
}

export function finishedBefore<T extends Stored>(records: Iterable<T>, before: string): { doomed: T[]; more: boolean } {
  const all = [...records].filter((r) => r.scheduledFor < before && isFinished(r));
  return { doomed: all.slice(0, CLEANUP_DELETES_PER_CALL), more: all.length > CLEANUP_DELETES_PER_CALL };
}

/**
 * The history listing's page token: the key (`<scheduledFor>#<job id>`, the history index's
 * sort key) up to which everything newer was listed or passed over, exclusive, or inclusive
 * when the record there is still to be listed. The same in every adapter. A forged one is a
 * 400 naming `next` (decodeToken), never a query the store would refuse.
 */
import { decodeToken, encodeToken } from './paging.js';

export interface HistoryCursor {
  k: string;
  /** The record at `k` is still to be listed. */
  i?: 1;
}

/** A history key starts with a canonical instant of the stored range, then `#` and a job id (or nothing: a bound). */
function isHistoryKey(key: string): boolean {
  const instant = key.slice(0, 24);
  const ms = Date.parse(instant);
  return (
    key.length <= 400 &&
    !Number.isNaN(ms) &&
    new Date(ms).toISOString() === instant &&
    (key.length === 24 || /^#[A-Za-z0-9_-]{1,256}$/.test(key.slice(24)))
  );
}

function isCursor(value: unknown): value is HistoryCursor {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const { k, i, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length === 0 && typeof k === 'string' && isHistoryKey(k) && (i === undefined || i === 1);
}

export function decodeHistoryCursor(token: string | undefined): HistoryCursor | undefined {
  return decodeToken(token, isCursor);
}

export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return encodeToken(cursor);
}

export const historyKeyOf = (e: { jobId: string; scheduledFor: string }) => `${e.scheduledFor}#${e.jobId}`;

/** Whether a key lies at or below the upper bound: `to` (exclusive) and the cursor's (exclusive unless `i`). */
export function belowBound(key: string, to: string, cursor: HistoryCursor | undefined): boolean {
  if (!(key < to)) return false;
  if (!cursor) return true;
  return cursor.i ? key <= cursor.k : key < cursor.k;
}

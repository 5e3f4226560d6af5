/**
 * The instants the system stores and sorts. Keys and slots are ISO strings
 * compared as text, which holds only for years 1970 to 9999 (`toISOString()` of
 * year 10000 is `+010000-…`, which sorts before `2026-…`). Every instant a request
 * gives is checked against this range, and no schedule fires past its end.
 */
import { z } from 'zod';

export const MIN_INSTANT_MS = Date.UTC(1970, 0, 1);
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const INSTANT_RANGE_MESSAGE = 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z';

export function inInstantRange(ms: number): boolean {
  return ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}

/** Whether the calendar date an ISO string starts with exists (Date.parse rolls 2031-02-30 over to March). */
export function isCalendarDate(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** An ISO 8601 instant with an offset, on a date that exists, inside the range. */
export const instantInput = z.iso
  .datetime({ offset: true })
  .refine(isCalendarDate, { message: 'is not a date that exists' })
  .refine((s) => inInstantRange(Date.parse(s)), { message: INSTANT_RANGE_MESSAGE });

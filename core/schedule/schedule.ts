/**
 * Schedule maths: when a schedule fires. Pure functions of their arguments; the
 * caller passes every instant, so tests need no clock.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { parseDuration } from '../kernel/duration.js';
import type { FieldProblem } from '../kernel/errors.js';
import { INSTANT_RANGE_MESSAGE, inInstantRange, MAX_INSTANT_MS } from '../kernel/instants.js';
import { expandCron, zonedCronOccurrences } from './zoned-cron.js';

export type CronSchedule = { cron: string; timezone: string };
export type EverySchedule = { every: string };
export type AtSchedule = { at: string };
export type Schedule = CronSchedule | EverySchedule | AtSchedule;

const ISO_INSTANT = z.iso.datetime({ offset: true });
const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MIN_INTERVAL_MS = 1_000;
const MAX_INTERVAL_MS = 366 * 86_400_000;

export function isCronSchedule(s: Schedule): s is CronSchedule {
  return 'cron' in s;
}
export function isEverySchedule(s: Schedule): s is EverySchedule {
  return 'every' in s;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `90s`, `5m`, `2h`, `1d` to milliseconds; undefined when malformed. */
export function parseInterval(every: string): number | undefined {
  return parseDuration(every, ['s', 'm', 'h', 'd']);
}

/** Why a cron expression is unusable, or undefined when it is fine. */
function cronProblem(expression: string): string | undefined {
  const expanded = expandCron(expression);
  // cron-parser's hashed fields (`H`, `H/15`, `H(0-29)`) draw a new random value at every parse:
  // the job's time would change at each read, and the chain would lose its place.
  const named = expanded.split(' ').map((f, i, all) => (i >= all.length - 2 ? f.replace(/[a-z]{3}/gi, '') : f));
  if (named.some((f) => f.includes('H'))) {
    return '"H" (a hashed, random time) is not supported: it picks a different time at every parse; write the time out, like "17 3 * * *"';
  }
  try {
    CronExpressionParser.parse(expanded, { tz: 'UTC' });
  } catch (error) {
    // cron-parser rejects a day that no month in the expression has (30 February)
    // with the same error class as a typo; tell them apart by retrying without the day.
    const fields = expanded.split(' ');
    const day = fields.length - 3;
    const invalid = `is not a valid cron expression: ${(error as Error).message}`;
    // Only plain day numbers can be impossible; anything else (1W, LW...) is syntax it does not take.
    if (!/^[\d,\-/]+$/.test(fields[day]!)) return invalid;
    const anyDay = fields.map((f, i) => (i === day ? '*' : f)).join(' ');
    try {
      CronExpressionParser.parse(anyDay, { tz: 'UTC' });
      return `can never fire: day of month "${fields[day]}" never falls in month "${fields[day + 1]}"`;
    } catch {
      return invalid;
    }
  }
  return undefined;
}

/**
 * Problems with a schedule, as field paths relative to the schedule object.
 * `now` is only used to reject a one-time instant that has already passed, which
 * a preview (`allowPast`) does not do.
 */
export function scheduleProblems(schedule: Schedule, now: Date, options: { allowPast?: boolean } = {}): FieldProblem[] {
  if (isCronSchedule(schedule)) {
    if (!isValidTimeZone(schedule.timezone)) {
      return [{ path: 'timezone', message: `"${schedule.timezone}" is not an IANA time zone (for example "Europe/Berlin")` }];
    }
    const expr = schedule.cron.trim();
    const fields = expr.split(/\s+/);
    if (expr.startsWith('@') ? !MACROS.has(expr) : fields.length !== 5 && fields.length !== 6) {
      return [
        {
          path: 'cron',
          message:
            'must have 5 fields (minute hour day month weekday), 6 with seconds first, ' +
            'or be one of @yearly @monthly @weekly @daily @hourly',
        },
      ];
    }
    const problem = cronProblem(expr);
    if (problem) return [{ path: 'cron', message: problem }];
    if (zonedCronOccurrences(expr, schedule.timezone, now).next().done) return [{ path: 'cron', message: 'can never fire' }];
    return [];
  }
  if (isEverySchedule(schedule)) {
    const ms = parseInterval(schedule.every);
    if (ms === undefined) return [{ path: 'every', message: 'must be a whole number and a unit s, m, h or d, like "90s" or "15m"' }];
    if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) return [{ path: 'every', message: 'must be between 1s and 366d' }];
    return [];
  }
  const at = Date.parse(schedule.at);
  if (Number.isNaN(at) || !ISO_INSTANT.safeParse(schedule.at).success)
    return [{ path: 'at', message: 'must be an ISO 8601 instant with an offset, like "2027-01-01T09:00:00Z"' }];
  if (!inInstantRange(at)) return [{ path: 'at', message: INSTANT_RANGE_MESSAGE }];
  if (!options.allowPast && at <= now.getTime()) return [{ path: 'at', message: `is in the past (now is ${now.toISOString()})` }];
  return [];
}

/**
 * Fire times strictly after `after` and strictly before `end` (never past
 * MAX_INSTANT_MS), at most `max` of them, in order. Cron follows the daylight-saving rule in zoned-cron.ts. Interval
 * schedules count from `anchor` (the job's creation), so they never drift however
 * late a tick runs.
 */
export function* occurrencesBetween(schedule: Schedule, anchor: Date, after: Date, end: Date, max: number): Generator<Date> {
  // Nothing fires past the last instant the system can store (core/kernel/instants.ts).
  const before = new Date(Math.min(end.getTime(), MAX_INSTANT_MS + 1));
  let count = 0;
  if (max <= 0) return;
  if (isCronSchedule(schedule)) {
    for (const next of zonedCronOccurrences(schedule.cron, schedule.timezone, after)) {
      if (count >= max || next.getTime() >= before.getTime()) return;
      count++;
      yield next;
    }
    return;
  }
  if (isEverySchedule(schedule)) {
    const step = parseInterval(schedule.every)!;
    const k = Math.floor((after.getTime() - anchor.getTime()) / step) + 1;
    for (let t = anchor.getTime() + Math.max(k, 1) * step; t < before.getTime() && count < max; t += step, count++) {
      yield new Date(t);
    }
    return;
  }
  const at = new Date(schedule.at);
  if (at > after && at < before && max > 0) yield at;
}

/** The first fire time strictly after `after`, or undefined when there is none. */
export function nextOccurrence(schedule: Schedule, anchor: Date, after: Date): Date | undefined {
  for (const t of occurrencesBetween(schedule, anchor, after, new Date(MAX_INSTANT_MS + 1), 1)) return t;
  return undefined;
}

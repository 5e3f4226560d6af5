/**
 * Cron in a time zone, with the classic (Vixie cron) daylight-saving rule:
 *
 * - A job is *fixed-time* when neither its minute nor its hour field contains `*`
 *   (`30 2 * * *`, `15 1-3 * * *`); otherwise it is a *wildcard* job. Macros count
 *   as the expression they stand for (@daily is fixed-time, @hourly wildcard).
 * - Clocks spring forward: a fixed-time job whose local time falls in the gap runs
 *   once, at the first valid instant after the gap; a wildcard job has no
 *   occurrences in the gap.
 * - Clocks fall back: a fixed-time job runs once, at the first of the two
 *   instances; a wildcard job runs at both.
 *
 * Real time is walked in windows of at most a day (cut at each change of
 * offset) whose offset is constant. Inside a window the expression is matched
 * against local wall time (core/schedule/cron-calendar.ts, fed wall-clock values), so
 * fire times come out in order; the rule is applied at each transition. When the
 * next match is days away the walk jumps to just before it, so the work per
 * occurrence is a few windows however rare the schedule (29 February, once in
 * 28 years), and a walk that finds nothing for MAX_IDLE_WINDOWS windows ends.
 */
import { compileCron, type CronCalendar } from './cron-calendar.js';
import { MAX_INSTANT_MS } from '../kernel/instants.js';
import { offsetAt, transitionWithin } from './time-zone.js';

const MACRO_EXPANSIONS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Expands a macro; otherwise returns the expression with single spaces. */
export function expandCron(expression: string): string {
  const trimmed = expression.trim();
  return MACRO_EXPANSIONS[trimmed] ?? trimmed.split(/\s+/).join(' ');
}

/** `?` means "any value" to cron-parser in every field, so it counts as `*` here. */
export function isFixedTime(expression: string): boolean {
  const fields = expandCron(expression).split(' ');
  const [minute, hour] = fields.length === 6 ? [fields[1]!, fields[2]!] : [fields[0]!, fields[1]!];
  return !/[*?]/.test(minute) && !/[*?]/.test(hour);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Offsets lie between UTC-12 and UTC+14; one hour more, to be safe. */
const MAX_OFFSET_MS = 15 * HOUR;
/** The longest repeated period when clocks fall back (1 h in most zones, 30 min on Lord Howe). */
const MAX_SHIFT_MS = 3 * HOUR;
/**
 * Windows walked in a row without an occurrence before the walk gives up. A jump
 * covers up to 400 years, a window at least a day; only a schedule whose every
 * match falls in a DST gap or repeat gets near this (`*\/5 2 ? 3 0#2` in New York).
 */
export const MAX_IDLE_WINDOWS = 1_000;

const calendars = new Map<string, CronCalendar>();

function calendarOf(expression: string): CronCalendar {
  let calendar = calendars.get(expression);
  if (!calendar) {
    if (calendars.size >= 1_000) calendars.clear();
    calendar = compileCron(expression);
    calendars.set(expression, calendar);
  }
  return calendar;
}

/** For a fixed-time job just after clocks fell back: repeated wall times below this already ran. */
function wallFloorAt(zone: string, instantMs: number, fixed: boolean): number {
  if (!fixed) return -Infinity;
  const earlier = transitionWithin(zone, instantMs - MAX_SHIFT_MS + 1000, instantMs);
  return earlier && earlier.after < earlier.before ? earlier.at + earlier.before : -Infinity;
}

/** Fire times strictly after `after`, in order, following the rule above; none past MAX_INSTANT_MS. */
export function* zonedCronOccurrences(expression: string, zone: string, after: Date): Generator<Date> {
  const expr = expandCron(expression);
  const calendar = calendarOf(expr);
  const fixed = isFixedTime(expr);
  // The offset is read at `at`; `last` is the latest instant already dealt with, and no transition lies between them.
  let at = after.getTime();
  let last = at;
  let wallFloor = wallFloorAt(zone, at, fixed);
  let idle = 0;

  while (at <= MAX_INSTANT_MS && idle++ < MAX_IDLE_WINDOWS) {
    const offset = offsetAt(zone, at);
    const windowEnd = (Math.floor(at / DAY) + 1) * DAY;
    const transition = transitionWithin(zone, at, windowEnd);
    const wallEnd = (transition ? transition.at : windowEnd) + offset;
    let wall = calendar.nextAfter(Math.max(last + offset, wallFloor - 1));
    for (; wall !== undefined && wall < wallEnd; wall = calendar.nextAfter(wall)) {
      last = wall - offset;
      if (last > MAX_INSTANT_MS) return;
      idle = 0;
      yield new Date(last);
    }
    if (wall === undefined) return;

    if (transition) {
      wallFloor = -Infinity;
      if (transition.after > transition.before) {
        // Spring forward: wall times in [at + before, at + after) do not exist.
        if (fixed) {
          const inGap = calendar.nextAfter(transition.at + transition.before - 1);
          if (inGap !== undefined && inGap < transition.at + transition.after && transition.at > last) {
            last = transition.at;
            idle = 0;
            yield new Date(transition.at);
          }
        }
      } else if (fixed) {
        // Fall back: wall times in [at + after, at + before) come again; fixed-time jobs already ran.
        wallFloor = transition.at + transition.before;
      }
      at = transition.at;
      last = Math.max(last, transition.at - 1);
      continue;
    }

    at = windowEnd;
    last = Math.max(last, windowEnd - 1);
    // Every occurrence from `at` on comes from a match at or after at - MAX_OFFSET (its wall time, or the
    // gap it falls in), and lies at or after that match - MAX_OFFSET: nothing fires before `jump`.
    const earliest = calendar.nextAfter(at - MAX_OFFSET_MS - 1);
    if (earliest === undefined) return;
    const jump = earliest - MAX_OFFSET_MS - 1;
    if (jump > at + DAY) {
      at = jump;
      last = jump;
      wallFloor = wallFloorAt(zone, jump, fixed);
    }
  }
}

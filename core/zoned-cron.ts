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
 * Real time is walked in segments of constant UTC offset. Inside a segment the
 * cron expression is matched against local wall time (cron-parser in UTC mode,
 * fed wall-clock values), so fire times come out in order; the rule is applied
 * at each transition.
 */
import { CronExpressionParser } from 'cron-parser';
import { nextTransition, offsetAt, recentTransition } from './time-zone.js';

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

export function isFixedTime(expression: string): boolean {
  const fields = expandCron(expression).split(' ');
  const [minute, hour] = fields.length === 6 ? [fields[1]!, fields[2]!] : [fields[0]!, fields[1]!];
  return !minute.includes('*') && !hour.includes('*');
}

/** Wall-clock matches strictly after `afterWallMs`, as UTC-coded wall times. */
function* wallTimes(expression: string, afterWallMs: number): Generator<number> {
  const it = CronExpressionParser.parse(expression, { currentDate: new Date(afterWallMs), tz: 'UTC' });
  while (it.hasNext()) yield it.next().getTime();
}

const MAX_SHIFT_MS = 3 * 3_600_000;

/** Fire times strictly after `after`, in order, following the rule above. */
export function* zonedCronOccurrences(expression: string, zone: string, after: Date): Generator<Date> {
  const expr = expandCron(expression);
  const fixed = isFixedTime(expr);
  let last = after.getTime();
  let segmentStart = last;
  // Already inside the repeated hour after clocks fell back: a fixed-time job
  // ran at the first instance, so its repeated wall times are skipped.
  const earlier = recentTransition(zone, last, MAX_SHIFT_MS);
  let wallFloor = fixed && earlier && earlier.after < earlier.before ? earlier.at + earlier.before : -Infinity;

  for (;;) {
    const offset = offsetAt(zone, segmentStart);
    const transition = nextTransition(zone, segmentStart);
    const wallEnd = transition ? transition.at + offset : Infinity;
    const from = Math.max(last + offset, wallFloor - 1);
    for (const wall of wallTimes(expr, from)) {
      if (wall >= wallEnd) break;
      const instant = wall - offset;
      if (instant > last) {
        last = instant;
        yield new Date(instant);
      }
    }
    if (!transition) return;

    wallFloor = -Infinity;
    if (transition.after > transition.before) {
      // Spring forward: wall times in [at + before, at + after) do not exist.
      if (fixed) {
        const firstInGap = wallTimes(expr, transition.at + transition.before - 1).next();
        if (!firstInGap.done && firstInGap.value < transition.at + transition.after && transition.at > last) {
          last = transition.at;
          yield new Date(transition.at);
        }
      }
    } else if (fixed) {
      // Fall back: wall times in [at + after, at + before) come again; fixed-time jobs already ran.
      wallFloor = transition.at + transition.before;
    }
    segmentStart = transition.at;
    last = Math.max(last, transition.at - 1);
  }
}

/**
 * A cron expression compiled to a calendar search: the first wall-clock time that
 * matches, strictly after another, by arithmetic on the calendar.
 *
 * cron-parser parses and validates the fields (and decides what they mean: `L`,
 * `#`, `?`, names, and its day-of-month OR day-of-week rule, mirrored here). Its
 * own search steps through luxon dates, costs milliseconds for a schedule a few
 * years apart and gives up after 10,000 steps, so the search is done here: a
 * month that does not match costs one comparison, a day one more. No search looks
 * further than 400 years ahead: the Gregorian calendar, weekdays included,
 * repeats every 400 years, so an expression with no match in 400 years has none.
 *
 * Wall times are milliseconds with the wall-clock values coded as UTC.
 */
import { CronExpressionParser } from 'cron-parser';

export interface CronCalendar {
  /** The first matching wall time strictly after `wallMs` (whole seconds), or undefined when there is none. */
  nextAfter(wallMs: number): number | undefined;
}

const SEARCH_YEARS = 400;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysIn(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function numbers(values: readonly (number | string)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
}

/** The first value in a sorted list at or above `min`. */
function firstFrom(sorted: number[], min: number): number | undefined {
  for (const v of sorted) if (v >= min) return v;
  return undefined;
}

/** Compiles an expression of 5 or 6 fields (macros expanded); throws what cron-parser throws for a bad one. */
export function compileCron(expression: string): CronCalendar {
  const fields = CronExpressionParser.parse(expression, { tz: 'UTC' }).fields;
  const seconds = numbers(fields.second.values);
  const minutes = numbers(fields.minute.values);
  const hours = numbers(fields.hour.values);
  const months = new Set(numbers(fields.month.values));
  const dom = new Set(numbers(fields.dayOfMonth.values));
  const domLast = fields.dayOfMonth.hasLastChar;
  const domRestricted = !fields.dayOfMonth.isWildcard;
  const dow = new Set(numbers(fields.dayOfWeek.values));
  const dowRestricted = !fields.dayOfWeek.isWildcard;
  const nth = fields.dayOfWeek.nthDay;
  // `5L` (the last Friday): cron-parser reads the weekday from each value's first character.
  const lastWeekdays = fields.dayOfWeek.hasLastChar ? fields.dayOfWeek.values.map((v) => parseInt(String(v).charAt(0), 10) % 7) : [];

  function dayMatches(year: number, month: number, day: number): boolean {
    const last = daysIn(year, month);
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    const byDom = dom.has(day) || (domLast && day === last);
    const byDow = (dow.has(weekday) && (nth <= 0 || Math.ceil(day / 7) === nth)) || (day + 7 > last && lastWeekdays.includes(weekday));
    if (domRestricted && dowRestricted) return byDom || byDow;
    return dowRestricted ? byDow : byDom;
  }

  /** The first matching time of day at or after h:m:s, as [h, m, s]. */
  function timeFrom(h: number, m: number, s: number): [number, number, number] | undefined {
    for (const hour of hours) {
      if (hour < h) continue;
      for (const minute of minutes) {
        if (hour === h && minute < m) continue;
        const second = firstFrom(seconds, hour === h && minute === m ? s : 0);
        if (second !== undefined) return [hour, minute, second];
      }
    }
    return undefined;
  }

  return {
    nextAfter(wallMs) {
      const start = new Date((Math.floor(wallMs / 1000) + 1) * 1000);
      let year = start.getUTCFullYear();
      let month = start.getUTCMonth() + 1;
      let day = start.getUTCDate();
      let time: [number, number, number] = [start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()];
      const lastYear = year + SEARCH_YEARS;
      while (year <= lastYear) {
        if (months.has(month) && dayMatches(year, month, day)) {
          const t = timeFrom(...time);
          if (t) return Date.UTC(year, month - 1, day, ...t);
        }
        time = [0, 0, 0];
        if (months.has(month) && day < daysIn(year, month)) {
          day++;
        } else {
          day = 1;
          if (++month > 12) {
            month = 1;
            year++;
          }
        }
      }
      return undefined;
    },
  };
}

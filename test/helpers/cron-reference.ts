/**
 * A slow, plain reference for cron fire times in a zone, written from the README's
 * DST rule and sharing nothing with core/schedule/zoned-cron.ts's walk: cron-parser lists the
 * matching wall times (in UTC, where it has no DST to handle), and each wall time
 * becomes the instants that show it (one normally, two when clocks fall back, none
 * in a gap). A fixed-time job keeps the first of two and runs at the end of a gap;
 * a wildcard job keeps both and skips the gap.
 */
import { CronExpressionParser } from 'cron-parser';
import { offsetAt } from '../../core/schedule/time-zone.js';
import { expandCron, isFixedTime } from '../../core/schedule/zoned-cron.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The instant of the offset change in [lo, hi], found minute by minute, then second by second. */
function changeIn(zone: string, lo: number, hi: number): number {
  const start = offsetAt(zone, lo);
  let t = lo;
  while (t + 60_000 <= hi && offsetAt(zone, t + 60_000) === start) t += 60_000;
  while (offsetAt(zone, t) === start) t += 1000;
  return t;
}

export function referenceFires(expression: string, zone: string, startMs: number, endMs: number): number[] {
  const expr = expandCron(expression);
  const fixed = isFixedTime(expr);
  const offsets = new Set<number>();
  for (let t = startMs - 2 * DAY; t <= endMs + 2 * DAY; t += DAY) offsets.add(offsetAt(zone, t));
  const walls: number[] = [];
  const it = CronExpressionParser.parse(expr, { tz: 'UTC', currentDate: new Date(startMs - 16 * HOUR) });
  for (;;) {
    const w = it.next().getTime();
    if (w > endMs + 16 * HOUR) break;
    walls.push(w);
  }
  const fires = new Set<number>();
  for (const w of walls) {
    const instants = [...offsets]
      .map((off) => w - off)
      .filter((s) => offsetAt(zone, s) === w - s)
      .sort((a, b) => a - b);
    if (instants.length === 0 && fixed) {
      const lo = w - Math.max(...offsets);
      const hi = w - Math.min(...offsets);
      fires.add(changeIn(zone, lo, hi));
    }
    for (const s of fixed ? instants.slice(0, 1) : instants) fires.add(s);
  }
  return [...fires].filter((s) => s > startMs && s < endMs).sort((a, b) => a - b);
}

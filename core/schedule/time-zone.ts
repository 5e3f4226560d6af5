/**
 * UTC offsets and their transitions for IANA zones, from the platform's Intl data.
 * Pure functions of their arguments. Transitions are found where they are needed
 * (by bisection between two probes), never by walking a whole year.
 */

const MINUTE = 60_000;

export interface Transition {
  /** The first instant with the new offset. */
  at: number;
  before: number;
  after: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (Berlin in summer: +7,200,000). */
export function offsetAt(zone: string, instantMs: number): number {
  const seconds = Math.floor(instantMs / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(seconds))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - seconds;
}

/**
 * The first change of offset after `fromMs` and at or before `toMs`, to the second,
 * when the offsets at the two ends differ; undefined when they are the same (two
 * changes that cancel out between the ends are not seen: callers probe spans of a
 * day at most, and no zone changes its offset twice in a day).
 */
export function transitionWithin(zone: string, fromMs: number, toMs: number): Transition | undefined {
  let lo = Math.floor(fromMs / 1000) * 1000;
  let hi = Math.floor(toMs / 1000) * 1000;
  const before = offsetAt(zone, lo);
  if (hi <= lo || offsetAt(zone, hi) === before) return undefined;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return { at: hi, before, after: offsetAt(zone, hi) };
}

/** `2026-03-29T03:00:00+02:00`: the local wall time with the zone's offset then. */
export function formatLocal(instantMs: number, zone: string): string {
  const offset = offsetAt(zone, instantMs);
  const wall = new Date(instantMs + offset).toISOString().replace('Z', '');
  const trimmed = wall.endsWith('.000') ? wall.slice(0, -4) : wall;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / MINUTE;
  return `${trimmed}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

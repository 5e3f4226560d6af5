/**
 * UTC offsets and their transitions for IANA zones, from the platform's Intl data.
 * Pure functions of their arguments; results are cached per zone and year.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

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
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - seconds;
}

const transitionCache = new Map<string, Transition[]>();

/** Transitions in a calendar year, found by probing each day and bisecting to the second. */
function transitionsInYear(zone: string, year: number): Transition[] {
  const key = `${zone}|${year}`;
  const cached = transitionCache.get(key);
  if (cached) return cached;
  const found: Transition[] = [];
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  let prevAt = start;
  let prevOffset = offsetAt(zone, start);
  for (let t = start + DAY; t <= end; t += DAY) {
    const offset = offsetAt(zone, t);
    if (offset !== prevOffset) {
      let lo = prevAt;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetAt(zone, mid) === prevOffset) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, before: prevOffset, after: offset });
    }
    prevAt = t;
    prevOffset = offset;
  }
  transitionCache.set(key, found);
  return found;
}

/** The first transition strictly after `instantMs`, looking at most two years ahead. */
export function nextTransition(zone: string, instantMs: number): Transition | undefined {
  const year = new Date(instantMs).getUTCFullYear();
  for (let y = year; y <= year + 2; y++) {
    const t = transitionsInYear(zone, y).find((tr) => tr.at > instantMs);
    if (t) return t;
  }
  return undefined;
}

/** The last transition at or before `instantMs` within the preceding `withinMs`. */
export function recentTransition(zone: string, instantMs: number, withinMs: number): Transition | undefined {
  const year = new Date(instantMs).getUTCFullYear();
  const candidates = [...transitionsInYear(zone, year - 1), ...transitionsInYear(zone, year)];
  return candidates.filter((t) => t.at <= instantMs && t.at > instantMs - withinMs).at(-1);
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

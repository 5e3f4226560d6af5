/**
 * The work a schedule computation does is bounded, however rare the schedule:
 * counted in calls to the expensive function (a zone's offset at an instant, from
 * Intl), never timed. Before the calendar search and the walk's jumps, 100 leap
 * days in Berlin took about 150,000 such calls (a probe per day of 400 years).
 * The results still equal the slow reference (test/helpers/cron-reference.ts).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { previewFromRequest } from '../../core/service/preview.js';
import { zonedCronOccurrences } from '../../core/schedule/zoned-cron.js';
import { referenceFires } from '../helpers/cron-reference.js';

// Every offset the code reads comes from Intl's formatToParts (core/schedule/time-zone.ts).
const probes = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
const calls = {
  get offsetAt() {
    return probes.mock.calls.length;
  },
  set offsetAt(_zero: number) {
    probes.mockClear();
  },
};
afterAll(() => probes.mockRestore());

const RARE = [
  '0 0 29 2 *',
  '0 0 31 * *',
  '0 0 29 2 1',
  '0 0 13 * 5',
  '30 2 29 3 *',
  '30 2 1 1 *',
  '0 0 * 2 1#5',
  '@yearly',
  '*/10 * * * * *',
];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'UTC'];
const FROM = Date.parse('2026-01-01T00:00:00Z');

function first(expr: string, zone: string, n: number): number[] {
  const out: number[] = [];
  for (const t of zonedCronOccurrences(expr, zone, new Date(FROM))) {
    out.push(t.getTime());
    if (out.length === n) break;
  }
  return out;
}

describe('schedule work is bounded', () => {
  it.each(RARE.flatMap((expr) => ZONES.map((zone) => [expr, zone] as const)))(
    '%s in %s: 100 fire times for a bounded number of offset probes',
    (expr, zone) => {
      calls.offsetAt = 0;
      const fires = first(expr, zone, 100);
      expect(fires).toHaveLength(100);
      // A few windows per fire time, each probed at both ends, bisected where the offset changes.
      expect(calls.offsetAt).toBeLessThan(100 * 80);
      // The first ones, against the reference (which is too slow to follow 400 years of leap days).
      expect(fires.slice(0, 3)).toEqual(referenceFires(expr, zone, FROM, fires[2]! + 1));
    },
  );

  it('a preview of 100 leap days in Berlin (the finding: 8.6 s of CPU) probes offsets a few thousand times at most', () => {
    calls.offsetAt = 0;
    const out = previewFromRequest(
      { schedule: { cron: '0 0 29 2 *', timezone: 'Europe/Berlin' }, from: '2026-01-01T00:00:00Z', count: 100 },
      new Date(FROM),
    );
    expect(out).toHaveLength(100);
    expect(out[0]).toEqual({ at: '2028-02-28T23:00:00.000Z', local: '2028-02-29T00:00:00+01:00' });
    expect(calls.offsetAt).toBeLessThan(5_000);
  });

  it('a schedule whose every match falls in a DST gap is refused after a bounded walk', () => {
    calls.offsetAt = 0;
    // Wildcard (minute */5) at 02:xx on the second Sunday of March: always New York's gap, so never.
    expect(first('*/5 2 ? 3 0#2', 'America/New_York', 1)).toEqual([]);
    expect(calls.offsetAt).toBeLessThan(60_000);
  });
});

import { describe, expect, it } from 'vitest';
import { nextOccurrence, occurrencesBetween, parseInterval, scheduleProblems, type Schedule } from '../../core/schedule/schedule.js';

const utc = (cron: string): Schedule => ({ cron, timezone: 'UTC' });
const anchor = new Date('2026-01-01T00:00:00Z');

function next(schedule: Schedule, after: string, count = 1): string[] {
  const out: string[] = [];
  let t = new Date(after);
  for (let i = 0; i < count; i++) {
    const n = nextOccurrence(schedule, anchor, t);
    if (!n) break;
    out.push(n.toISOString());
    t = n;
  }
  return out;
}

describe('cron schedules', () => {
  it('fires strictly after the given instant', () => {
    expect(next(utc('0 9 * * *'), '2026-03-10T09:00:00Z')).toEqual(['2026-03-11T09:00:00.000Z']);
    expect(next(utc('0 9 * * *'), '2026-03-10T08:59:59.999Z')).toEqual(['2026-03-10T09:00:00.000Z']);
  });

  it('takes a sixth field for seconds, first', () => {
    expect(next(utc('*/2 * * * * *'), '2026-01-01T00:00:00.500Z', 3)).toEqual([
      '2026-01-01T00:00:02.000Z',
      '2026-01-01T00:00:04.000Z',
      '2026-01-01T00:00:06.000Z',
    ]);
    expect(next(utc('30 15 10 * * *'), '2026-01-01T00:00:00Z')).toEqual(['2026-01-01T10:15:30.000Z']);
  });

  it('reads the time in the job’s zone', () => {
    // 09:00 in Berlin is 08:00 UTC in winter (CET) and 07:00 UTC in summer (CEST).
    const berlin = { cron: '0 9 * * *', timezone: 'Europe/Berlin' };
    expect(next(berlin, '2026-01-15T00:00:00Z')).toEqual(['2026-01-15T08:00:00.000Z']);
    expect(next(berlin, '2026-07-15T00:00:00Z')).toEqual(['2026-07-15T07:00:00.000Z']);
    expect(next({ cron: '0 9 * * *', timezone: 'Asia/Kolkata' }, '2026-01-15T00:00:00Z')).toEqual(['2026-01-15T03:30:00.000Z']);
  });

  it('skips months without the day of month', () => {
    expect(next(utc('0 0 31 * *'), '2026-01-31T00:00:00Z', 3)).toEqual([
      '2026-03-31T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
    ]);
  });

  it('fires on 29 February only in leap years', () => {
    expect(next(utc('0 12 29 2 *'), '2026-01-01T00:00:00Z', 2)).toEqual(['2028-02-29T12:00:00.000Z', '2032-02-29T12:00:00.000Z']);
  });

  it('treats day of month and day of week as OR when both are restricted, as standard cron does', () => {
    // 2026-06-01 is a Monday; 2026-06-15 too. The 13th is a Saturday.
    expect(next(utc('0 0 13 * 1'), '2026-06-01T00:00:00Z', 4)).toEqual([
      '2026-06-08T00:00:00.000Z',
      '2026-06-13T00:00:00.000Z',
      '2026-06-15T00:00:00.000Z',
      '2026-06-22T00:00:00.000Z',
    ]);
  });

  it('accepts the macros', () => {
    expect(next(utc('@hourly'), '2026-01-01T00:30:00Z')).toEqual(['2026-01-01T01:00:00.000Z']);
    expect(next(utc('@daily'), '2026-01-01T00:30:00Z')).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(next(utc('@weekly'), '2026-01-01T00:30:00Z')).toEqual(['2026-01-04T00:00:00.000Z']);
    expect(next(utc('@monthly'), '2026-01-01T00:30:00Z')).toEqual(['2026-02-01T00:00:00.000Z']);
    expect(next(utc('@yearly'), '2026-01-01T00:30:00Z')).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  it('lists occurrences inside a window, bounded by a maximum', () => {
    const all = [
      ...occurrencesBetween(utc('*/10 * * * * *'), anchor, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:01:00Z'), 100),
    ];
    expect(all.map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:00:50.000Z',
    ]);
    expect([...occurrencesBetween(utc('* * * * * *'), anchor, anchor, new Date('2026-01-01T01:00:00Z'), 7)]).toHaveLength(7);
  });
});

describe('interval schedules', () => {
  it('parses units', () => {
    expect(parseInterval('90s')).toBe(90_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('2h')).toBe(7_200_000);
    expect(parseInterval('1d')).toBe(86_400_000);
    expect(parseInterval('1.5h')).toBeUndefined();
    expect(parseInterval('10 minutes')).toBeUndefined();
  });

  it('counts from the anchor, so a late caller never shifts the grid', () => {
    const every = { every: '90s' };
    expect(next(every, '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-01T00:01:30.000Z', '2026-01-01T00:03:00.000Z']);
    expect(next(every, '2026-01-01T00:02:59.999Z')).toEqual(['2026-01-01T00:03:00.000Z']);
    expect(next(every, '2026-01-01T00:03:00Z')).toEqual(['2026-01-01T00:04:30.000Z']);
  });
});

describe('one-time schedules', () => {
  it('fires once, then never', () => {
    const at = { at: '2026-05-01T10:00:00.000Z' };
    expect(next(at, '2026-04-30T00:00:00Z', 3)).toEqual(['2026-05-01T10:00:00.000Z']);
    expect(next(at, '2026-05-01T10:00:00Z')).toEqual([]);
  });
});

describe('schedule problems', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('accepts good schedules', () => {
    for (const s of [utc('*/5 * * * *'), utc('0 */2 * * * *'), utc('@daily'), { every: '1s' }, { at: '2026-02-01T00:00:00Z' }]) {
      expect(scheduleProblems(s, now)).toEqual([]);
    }
  });

  it.each([
    [utc('* * * *'), 'cron', /5 fields/],
    [utc('0 0 * * * * *'), 'cron', /5 fields/],
    [utc('@every_minute'), 'cron', /5 fields/],
    [utc('61 * * * *'), 'cron', /not a valid cron expression/],
    [utc('0 0 30 2 *'), 'cron', /can never fire: day of month "30" never falls in month "2"/],
    [utc('0 0 31 4,6 *'), 'cron', /can never fire/],
    [utc('0 0 1W * *'), 'cron', /not a valid cron expression/],
    [{ cron: '0 9 * * *', timezone: 'Mars/Olympus' }, 'timezone', /IANA/],
    [{ every: '0s' }, 'every', /between/],
    [{ every: 'often' }, 'every', /unit/],
    [{ at: 'tomorrow' }, 'at', /ISO 8601/],
    [{ at: '2025-12-31T23:59:59Z' }, 'at', /past/],
  ] as const)('rejects %j on %s', (schedule, path, message) => {
    const problems = scheduleProblems(schedule, now);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(path);
    expect(problems[0]!.message).toMatch(message);
  });
});

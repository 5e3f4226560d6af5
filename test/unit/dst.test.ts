/**
 * The daylight-saving rule (README, "Time zones and DST"), checked on the 2026
 * transitions of New York (1 h, 02:00 local), Berlin (1 h, 02:00/03:00 local) and
 * Lord Howe (30 min). Expected values are local wall times with their offsets.
 */
import { describe, expect, it } from 'vitest';
import { formatLocal, offsetAt } from '../../core/schedule/time-zone.js';
import { isFixedTime, zonedCronOccurrences } from '../../core/schedule/zoned-cron.js';

function fires(expr: string, zone: string, after: string, count: number): string[] {
  const out: string[] = [];
  for (const at of zonedCronOccurrences(expr, zone, new Date(after))) {
    out.push(formatLocal(at.getTime(), zone));
    if (out.length === count) break;
  }
  return out;
}

describe('fixed-time or wildcard', () => {
  it.each([
    ['30 2 * * *', true],
    ['0,30 1 * * *', true],
    ['15 1-3 * * *', true],
    ['0 30 2 * * *', true],
    ['@daily', true],
    ['@weekly', true],
    ['0 * * * *', false],
    ['*/15 * * * *', false],
    ['*/30 1 * * *', false],
    ['0 */2 * * *', false],
    ['@hourly', false],
    ['*/2 * * * * *', false],
  ])('%s is fixed-time: %s', (expr, fixed) => {
    expect(isFixedTime(expr)).toBe(fixed);
  });
});

describe('spring forward: the gap', () => {
  it.each([
    // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT.
    ['30 2 * * *', 'America/New_York', '2026-03-08T04:00:00Z', ['2026-03-08T03:00:00-04:00', '2026-03-09T02:30:00-04:00']],
    ['0,30 2 * * *', 'America/New_York', '2026-03-08T04:00:00Z', ['2026-03-08T03:00:00-04:00', '2026-03-09T02:00:00-04:00']],
    [
      '15 1-3 * * *',
      'America/New_York',
      '2026-03-08T04:00:00Z',
      ['2026-03-08T01:15:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T03:15:00-04:00'],
    ],
    ['0 3 * * *', 'America/New_York', '2026-03-08T04:00:00Z', ['2026-03-08T03:00:00-04:00', '2026-03-09T03:00:00-04:00']],
    ['0 * * * *', 'America/New_York', '2026-03-08T05:30:00Z', ['2026-03-08T01:00:00-05:00', '2026-03-08T03:00:00-04:00']],
    ['*/30 2 * * *', 'America/New_York', '2026-03-08T04:00:00Z', ['2026-03-09T02:00:00-04:00', '2026-03-09T02:30:00-04:00']],
    // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST.
    ['30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', ['2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00']],
    ['0 30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', ['2026-03-29T03:00:00+02:00']],
    ['*/20 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', ['2026-03-30T02:00:00+02:00']],
    // Lord Howe, 2026-10-04: 02:00 (+10:30) becomes 02:30 (+11:00).
    ['15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T00:00:00Z', ['2026-10-04T02:30:00+11:00', '2026-10-05T02:15:00+11:00']],
    [
      '*/15 * * * *',
      'Australia/Lord_Howe',
      '2026-10-03T15:05:00Z',
      ['2026-10-04T01:45:00+10:30', '2026-10-04T02:30:00+11:00', '2026-10-04T02:45:00+11:00'],
    ],
  ])('%s in %s after %s', (expr, zone, after, expected) => {
    expect(fires(expr, zone, after, expected.length)).toEqual(expected);
  });
});

describe('fall back: the repeated hour', () => {
  it.each([
    // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:00-02:00 happens twice.
    ['30 1 * * *', 'America/New_York', '2026-11-01T04:00:00Z', ['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00']],
    [
      '0,30 1 * * *',
      'America/New_York',
      '2026-11-01T04:00:00Z',
      ['2026-11-01T01:00:00-04:00', '2026-11-01T01:30:00-04:00', '2026-11-02T01:00:00-05:00'],
    ],
    [
      '15 1-3 * * *',
      'America/New_York',
      '2026-11-01T04:00:00Z',
      ['2026-11-01T01:15:00-04:00', '2026-11-01T02:15:00-05:00', '2026-11-01T03:15:00-05:00'],
    ],
    [
      '*/30 1 * * *',
      'America/New_York',
      '2026-11-01T04:00:00Z',
      [
        '2026-11-01T01:00:00-04:00',
        '2026-11-01T01:30:00-04:00',
        '2026-11-01T01:00:00-05:00',
        '2026-11-01T01:30:00-05:00',
        '2026-11-02T01:00:00-05:00',
      ],
    ],
    ['0 */2 * * *', 'America/New_York', '2026-11-01T03:00:00Z', ['2026-11-01T00:00:00-04:00', '2026-11-01T02:00:00-05:00']],
    [
      '0 * * * *',
      'America/New_York',
      '2026-11-01T04:30:00Z',
      ['2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00', '2026-11-01T02:00:00-05:00'],
    ],
    // Starting inside the repeated hour: a fixed-time job already ran at the first instance.
    ['30 1 * * *', 'America/New_York', '2026-11-01T06:10:00Z', ['2026-11-02T01:30:00-05:00']],
    ['30 1 * * *', 'America/New_York', '2026-11-01T05:40:00Z', ['2026-11-02T01:30:00-05:00']],
    ['30 * * * *', 'America/New_York', '2026-11-01T05:40:00Z', ['2026-11-01T01:30:00-05:00', '2026-11-01T02:30:00-05:00']],
    // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
    ['30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z', ['2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00']],
    [
      '*/30 2 * * *',
      'Europe/Berlin',
      '2026-10-24T12:00:00Z',
      ['2026-10-25T02:00:00+02:00', '2026-10-25T02:30:00+02:00', '2026-10-25T02:00:00+01:00', '2026-10-25T02:30:00+01:00'],
    ],
    ['@daily', 'Europe/Berlin', '2026-10-24T12:00:00Z', ['2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00']],
    // Lord Howe, 2026-04-05: 02:00 (+11:00) becomes 01:30 (+10:30); 01:30-02:00 happens twice.
    ['45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T10:00:00Z', ['2026-04-05T01:45:00+11:00', '2026-04-06T01:45:00+10:30']],
    [
      '*/15 1 * * *',
      'Australia/Lord_Howe',
      '2026-04-04T13:50:00Z',
      [
        '2026-04-05T01:00:00+11:00',
        '2026-04-05T01:15:00+11:00',
        '2026-04-05T01:30:00+11:00',
        '2026-04-05T01:45:00+11:00',
        '2026-04-05T01:30:00+10:30',
        '2026-04-05T01:45:00+10:30',
        '2026-04-06T01:00:00+10:30',
      ],
    ],
  ])('%s in %s after %s', (expr, zone, after, expected) => {
    expect(fires(expr, zone, after, expected.length)).toEqual(expected);
  });
});

describe('zones and calendars', () => {
  it('handles zones without daylight saving and with fractional offsets', () => {
    expect(fires('0 9 * * *', 'Asia/Kolkata', '2026-06-01T00:00:00Z', 1)).toEqual(['2026-06-01T09:00:00+05:30']);
    expect(fires('0 9 * * *', 'Asia/Kathmandu', '2026-06-01T00:00:00Z', 1)).toEqual(['2026-06-01T09:00:00+05:45']);
    expect(fires('0 0 29 2 *', 'Pacific/Kiritimati', '2026-06-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00+14:00']);
  });

  it('keeps a seconds field exact across a transition', () => {
    expect(fires('*/20 59 1 * * *', 'America/New_York', '2026-03-08T06:59:00Z', 4)).toEqual([
      '2026-03-08T01:59:20-05:00',
      '2026-03-08T01:59:40-05:00',
      '2026-03-09T01:59:00-04:00',
      '2026-03-09T01:59:20-04:00',
    ]);
  });

  it('reads offsets from the platform’s zone data', () => {
    expect(offsetAt('Europe/Berlin', Date.parse('2026-07-01T00:00:00Z'))).toBe(7_200_000);
    expect(offsetAt('America/New_York', Date.parse('2026-01-01T00:00:00Z'))).toBe(-18_000_000);
  });
});

/**
 * The scheduler itself across DST days: a tick every minute (fake clock) from the
 * evening before to the morning after, in New York, Berlin and Lord Howe. What it
 * sends must follow the DST rule exactly: no occurrence twice, none lost.
 */
import { describe, expect, it } from 'vitest';
import { nextJobOccurrence } from '../../core/schedule/fire-times.js';
import { formatLocal } from '../../core/schedule/time-zone.js';
import { runTick } from '../../core/dispatch/tick.js';
import { aJob } from '../helpers/factories.js';
import { addJob, memoryDeps } from '../helpers/memory-deps.js';

async function sentAcross(cron: string, zone: string, from: string, to: string): Promise<string[]> {
  const deps = memoryDeps(from);
  const job = aJob({ schedule: { cron, timezone: zone }, createdAt: from, nextRunAt: null });
  // The first occurrence, as creating the job would compute it.
  await addJob(deps, { ...job, nextRunAt: nextJobOccurrence(job, new Date(from))!.toISOString() });
  // No worker consumes here, so recovery would (rightly) re-send everything; it is not what this tests.
  const settings = { ...deps.settings, recovery: { ...deps.settings.recovery, staleAfterMs: 7 * 86_400_000 } };
  for (let t = Date.parse(from); t <= Date.parse(to); t += 60_000) {
    deps.clock.set(new Date(t));
    await runTick({ ...deps, settings });
  }
  const sent = deps.queue.sent.map((o) => o.scheduledFor);
  expect(new Set(sent).size, 'nothing sent twice').toBe(sent.length);
  return deps.queue.sent
    .map((o) => formatLocal(Date.parse(o.scheduledFor), zone))
    .filter((local) => local.slice(0, 19) <= toLocalLimit(to, zone));
}

const toLocalLimit = (to: string, zone: string) => formatLocal(Date.parse(to), zone).slice(0, 19);

describe('ticking across DST days', () => {
  it('New York, spring forward (8 March 2026)', async () => {
    expect(await sentAcross('30 2 * * *', 'America/New_York', '2026-03-08T04:00:00Z', '2026-03-08T09:00:00Z')).toEqual([
      '2026-03-08T03:00:00-04:00',
    ]);
    expect(await sentAcross('0 * * * *', 'America/New_York', '2026-03-08T04:30:00Z', '2026-03-08T08:30:00Z')).toEqual([
      '2026-03-08T00:00:00-05:00',
      '2026-03-08T01:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T04:00:00-04:00',
    ]);
  });

  it('New York, fall back (1 November 2026)', async () => {
    expect(await sentAcross('30 1 * * *', 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z')).toEqual([
      '2026-11-01T01:30:00-04:00',
    ]);
    expect(await sentAcross('*/30 1 * * *', 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z')).toEqual([
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T01:30:00-05:00',
    ]);
  });

  it('Berlin, both transitions (29 March and 25 October 2026)', async () => {
    expect(await sentAcross('30 2 * * *', 'Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T03:00:00Z')).toEqual([
      '2026-03-29T03:00:00+02:00',
    ]);
    expect(await sentAcross('*/30 2 * * *', 'Europe/Berlin', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z')).toEqual([
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T02:30:00+01:00',
    ]);
  });

  it('Lord Howe, 30-minute shifts (5 April and 4 October 2026)', async () => {
    expect(await sentAcross('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T13:00:00Z', '2026-04-04T16:00:00Z')).toEqual([
      '2026-04-05T01:45:00+11:00',
    ]);
    expect(await sentAcross('15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T14:00:00Z', '2026-10-03T17:00:00Z')).toEqual([
      '2026-10-04T02:30:00+11:00',
    ]);
    expect(await sentAcross('*/15 1 * * *', 'Australia/Lord_Howe', '2026-04-04T13:30:00Z', '2026-04-04T15:40:00Z')).toEqual([
      '2026-04-05T01:00:00+11:00',
      '2026-04-05T01:15:00+11:00',
      '2026-04-05T01:30:00+11:00',
      '2026-04-05T01:45:00+11:00',
      '2026-04-05T01:30:00+10:30',
      '2026-04-05T01:45:00+10:30',
    ]);
  });
});

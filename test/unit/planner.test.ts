import { describe, expect, it } from 'vitest';
import { planJob } from '../../core/dispatch/planner.js';
import { delayFor } from '../../core/kernel/queue-limits.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { aJob } from '../helpers/factories.js';

const now = new Date('2026-01-01T00:00:00.250Z');
const until = new Date('2026-01-01T00:01:00.000Z');
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const withMisfire = (misfire: Partial<typeof BUILT_IN_POLICY.misfire>) => ({
  ...BUILT_IN_POLICY,
  misfire: { ...BUILT_IN_POLICY.misfire, ...misfire },
});

describe('planJob', () => {
  it('sends every occurrence from the first unsent one up to the window end, and says where the schedule goes on', () => {
    const job = aJob({ schedule: { cron: '*/20 * * * * *', timezone: 'UTC' } });
    const plan = planJob(job, new Date('2026-01-01T00:00:20.000Z'), 4, until, now);
    expect(iso(plan.send)).toEqual(['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z']);
    expect(plan.next?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(plan.runs).toBe(6);
    expect(plan.skip).toEqual([]);
  });

  it('leaves a schedule whose next occurrence is past the window where it is', () => {
    const job = aJob();
    const plan = planJob(job, new Date('2026-01-01T00:05:00.000Z'), 0, until, now);
    expect(plan).toEqual({ send: [], skip: [], runs: 0, next: new Date('2026-01-01T00:05:00.000Z') });
  });

  it('ends a one-time job’s schedule after sending it, and a job whose maxRuns is reached', () => {
    const once = aJob({ schedule: { at: '2026-01-01T00:00:03.000Z' } });
    expect(planJob(once, new Date('2026-01-01T00:00:03.000Z'), 0, until, now)).toEqual({
      send: [new Date('2026-01-01T00:00:03.000Z')],
      skip: [],
      runs: 1,
    });
    const capped = aJob({ schedule: { cron: '*/10 * * * * *', timezone: 'UTC' }, maxRuns: 3 });
    const plan = planJob(capped, new Date('2026-01-01T00:00:10.000Z'), 1, until, now);
    expect(iso(plan.send)).toEqual(['2026-01-01T00:00:10.000Z', '2026-01-01T00:00:20.000Z']);
    expect(plan.next).toBeUndefined();
    expect(plan.runs).toBe(3);
  });

  it(
    'judges missed occurrences against all that were missed up to now, ' + 'so a backlog worked through slot by slot runs `once` only once',
    () => {
      const job = aJob({ policy: withMisfire({ policy: 'once', graceMs: 60_000 }) });
      const late = new Date('2026-01-01T00:10:30.000Z');
      // Slot 00:01 of a backlog that runs to 00:09: its occurrence is not the latest missed one.
      const early = planJob(job, new Date('2026-01-01T00:01:00.000Z'), 0, new Date('2026-01-01T00:02:00.000Z'), late);
      expect(early).toMatchObject({ send: [], skip: [new Date('2026-01-01T00:01:00.000Z')] });
      const last = planJob(job, new Date('2026-01-01T00:09:00.000Z'), 0, new Date('2026-01-01T00:10:00.000Z'), late);
      expect(last).toMatchObject({ send: [new Date('2026-01-01T00:09:00.000Z')], skip: [] });
      // 00:10:00 is within the grace: on time.
      expect(planJob(job, new Date('2026-01-01T00:10:00.000Z'), 0, new Date('2026-01-01T00:11:00.000Z'), late).send).toEqual([
        new Date('2026-01-01T00:10:00.000Z'),
      ]);
    },
  );

  it('keeps the last maxCatchUp missed occurrences under `all`, and none under `skip`', () => {
    const job = aJob({
      schedule: { cron: '*/10 * * * * *', timezone: 'UTC' },
      policy: withMisfire({ policy: 'all', graceMs: 0, maxCatchUp: 8 }),
    });
    const late = new Date('2026-01-01T00:02:00.000Z');
    const first = planJob(job, new Date('2026-01-01T00:00:00.000Z'), 0, new Date('2026-01-01T00:01:00.000Z'), late);
    const second = planJob(job, new Date('2026-01-01T00:01:00.000Z'), 0, new Date('2026-01-01T00:02:00.000Z'), late);
    expect(iso([...first.send, ...second.send])).toEqual(
      iso(Array.from({ length: 8 }, (_, i) => new Date(Date.parse('2026-01-01T00:00:40.000Z') + i * 10_000))),
    );
    expect(first.skip).toHaveLength(4);
    const skipping = aJob({ policy: withMisfire({ policy: 'skip', graceMs: 0 }) });
    expect(planJob(skipping, new Date('2026-01-01T00:00:00.000Z'), 0, new Date('2026-01-01T00:01:00.000Z'), late)).toMatchObject({
      send: [],
      skip: [new Date('2026-01-01T00:00:00.000Z')],
    });
  });

  it('rounds delays down and clamps them to what SQS allows', () => {
    expect(delayFor(new Date('2026-01-01T00:00:10.999Z'), new Date('2026-01-01T00:00:00Z'))).toBe(10);
    expect(delayFor(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:10Z'))).toBe(0);
    expect(delayFor(new Date('2026-01-02T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe(900);
  });
});

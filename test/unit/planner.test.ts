import { describe, expect, it } from 'vitest';
import { delayFor, planTick } from '../../core/planner.js';
import { aJob } from '../helpers/factories.js';

const now = new Date('2026-01-01T00:00:00.250Z');
const options = { now, lookAheadMs: 65_000, maxOccurrencesPerJob: 1_000 };

describe('planTick', () => {
  it('sends every occurrence inside the look-ahead window, each delayed to its instant', () => {
    const job = aJob({ schedule: { cron: '*/20 * * * * *', timezone: 'UTC' }, nextRunAt: '2026-01-01T00:00:20.000Z' });
    const plan = planTick([job], options);
    expect(plan.occurrences.map((o) => [o.scheduledFor, o.delaySeconds])).toEqual([
      ['2026-01-01T00:00:20.000Z', 19],
      ['2026-01-01T00:00:40.000Z', 39],
      ['2026-01-01T00:01:00.000Z', 59],
    ]);
    expect(plan.cursorUpdates).toEqual([
      { jobId: job.id, expectedNextRunAt: job.nextRunAt, nextRunAt: '2026-01-01T00:01:20.000Z', addRuns: 3, updatedAt: now.toISOString() },
    ]);
  });

  it('sends an overdue occurrence at once', () => {
    const job = aJob({ nextRunAt: '2025-12-31T23:59:00.000Z' });
    const plan = planTick([job], options);
    expect(plan.occurrences[0]).toMatchObject({ scheduledFor: '2025-12-31T23:59:00.000Z', delaySeconds: 0 });
  });

  it('carries what the worker needs in the message', () => {
    const job = aJob({ handler: 'fail', payload: { a: [1, 2] } });
    const [occurrence] = planTick([job], options).occurrences;
    expect(occurrence).toMatchObject({ jobId: job.id, jobName: job.name, handler: 'fail', payload: { a: [1, 2] } });
  });

  it('leaves jobs alone that are paused, spent or not yet in the window', () => {
    const jobs = [
      aJob({ status: 'paused' }),
      aJob({ nextRunAt: null }),
      aJob({ nextRunAt: '2026-01-01T00:01:05.250Z' }), // exactly at the window's end
    ];
    expect(planTick(jobs, options)).toEqual({ occurrences: [], skipped: [], cursorUpdates: [] });
  });

  it('ends a one-time job’s schedule after sending it', () => {
    const job = aJob({ schedule: { at: '2026-01-01T00:00:03.000Z' }, nextRunAt: '2026-01-01T00:00:03.000Z' });
    const plan = planTick([job], options);
    expect(plan.occurrences).toHaveLength(1);
    expect(plan.cursorUpdates[0]!.nextRunAt).toBeNull();
  });

  it('caps one job’s share of a tick and moves the cursor to the first occurrence not sent', () => {
    const job = aJob({ schedule: { cron: '* * * * * *', timezone: 'UTC' }, nextRunAt: '2026-01-01T00:00:01.000Z' });
    const plan = planTick([job], { ...options, maxOccurrencesPerJob: 5 });
    expect(plan.occurrences).toHaveLength(5);
    expect(plan.occurrences.at(-1)!.scheduledFor).toBe('2026-01-01T00:00:05.000Z');
    expect(plan.cursorUpdates[0]!.nextRunAt).toBe('2026-01-01T00:00:06.000Z');
  });

  it('rounds delays down and clamps them to what SQS allows', () => {
    expect(delayFor(new Date('2026-01-01T00:00:10.999Z'), new Date('2026-01-01T00:00:00Z'))).toBe(10);
    expect(delayFor(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:10Z'))).toBe(0);
    expect(delayFor(new Date('2026-01-02T00:00:00Z'), new Date('2026-01-01T00:00:00Z'))).toBe(900);
  });
});

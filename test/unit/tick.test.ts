import { describe, expect, it } from 'vitest';
import { occurrenceKey } from '../../core/occurrence.js';
import { DEFAULT_TICK_SETTINGS, runTick } from '../../core/tick.js';
import { aJob } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

function setup() {
  const deps = memoryDeps();
  return { ...deps, deps };
}

describe('runTick', () => {
  it('sends what is due and advances the cursor past it', async () => {
    const { jobs, queue, deps } = setup();
    const job = aJob({ schedule: { cron: '*/30 * * * * *', timezone: 'UTC' }, nextRunAt: '2026-01-01T00:00:30.000Z' });
    await jobs.create(job);

    const result = await runTick(deps);

    // The window ends at 00:01:05 (look-ahead 65 s), so two occurrences are sent.
    expect(result).toEqual({ dueJobs: 1, sent: 2, skipped: 0, advanced: 1, conflicts: 0, recovered: { entries: 0, lost: 0, resent: 0, skipped: 0 } });
    expect(queue.sent.map((o) => o.scheduledFor)).toEqual(['2026-01-01T00:00:30.000Z', '2026-01-01T00:01:00.000Z']);
    expect((await jobs.get(job.id))!.nextRunAt).toBe('2026-01-01T00:01:30.000Z');
  });

  it('reads only through the due index', async () => {
    const { jobs, deps } = setup();
    await jobs.create(aJob());
    await runTick(deps);
    expect(jobs.dueQueries).toBe(1);
  });

  it('loses nothing when it dies between sending and advancing: the next tick sends again', async () => {
    const { clock, jobs, queue, deps } = setup();
    const job = aJob({ nextRunAt: '2026-01-01T00:00:30.000Z' });
    await jobs.create(job);
    const crashing = { ...deps, jobs: Object.assign(Object.create(jobs), { advanceCursor: async () => { throw new Error('killed'); } }) };

    await expect(runTick(crashing)).rejects.toThrow('killed');
    expect(queue.sent.map(occurrenceKey)).toEqual([`${job.id}@2026-01-01T00:00:30.000Z`, `${job.id}@2026-01-01T00:01:00.000Z`]);
    expect((await jobs.get(job.id))!.nextRunAt).toBe('2026-01-01T00:00:30.000Z');

    clock.advance(60_000);
    await runTick(deps);
    // Sent twice; the worker's claim in the ledger runs it once (see executor tests).
    expect(queue.sent.map(occurrenceKey).filter((k) => k === `${job.id}@2026-01-01T00:00:30.000Z`)).toHaveLength(2);
    expect((await jobs.get(job.id))!.nextRunAt).not.toBe('2026-01-01T00:00:30.000Z');
  });

  it('lets one of two simultaneous ticks advance a cursor', async () => {
    const { jobs, deps } = setup();
    await jobs.create(aJob());
    const results = await Promise.all([runTick(deps), runTick(deps)]);
    expect(results.reduce((n, r) => n + r.advanced, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBe(1);
  });

  it('pages through more due jobs than one read returns', async () => {
    const { jobs, queue, deps } = setup();
    for (let i = 0; i < 25; i++) await jobs.create(aJob());
    const result = await runTick({ ...deps, settings: { ...DEFAULT_TICK_SETTINGS, maxOccurrencesPerJob: 10, pageSize: 10, maxRounds: 10 } });
    expect(result.dueJobs).toBe(25);
    expect(new Set(queue.sent.map((o) => o.jobId)).size).toBe(25);
  });
});

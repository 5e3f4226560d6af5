import { describe, expect, it } from 'vitest';
import { occurrenceKey } from '../../core/execution/occurrence.js';
import { runTick } from '../../core/dispatch/tick.js';
import { aJob } from '../helpers/factories.js';
import { addJob, memoryDeps } from '../helpers/memory-deps.js';

const keysOf = (sent: { jobId: string; scheduledFor: string }[]) => sent.map(occurrenceKey);

describe('runTick', () => {
  it('sends what falls before the end of the next minute and moves the entry on', async () => {
    const deps = memoryDeps();
    const job = await addJob(deps, aJob({ schedule: { cron: '*/30 * * * * *', timezone: 'UTC' }, nextRunAt: '2026-01-01T00:00:30.000Z' }));

    const result = await runTick(deps);

    // At 00:00:00 the tick works through the slots of 00:00 and 00:01, so up to 00:02;
    // the entry moves from one to the next on the way.
    expect(result).toEqual({
      slots: 2,
      dueJobs: 2,
      sent: 3,
      unsendable: 0,
      skipped: 0,
      stale: 0,
      conflicts: 0,
      recovered: { entries: 0, lost: 0, resent: 0, skipped: 0 },
    });
    expect(deps.queue.sent.map((o) => o.scheduledFor)).toEqual([
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:01:30.000Z',
    ]);
    expect(deps.queue.sent.map((o) => o.delaySeconds)).toEqual([30, 60, 90]);
    expect(deps.due.entriesOf(job.id).map((e) => e.from)).toContain('2026-01-01T00:02:00.000Z');
    expect(await deps.due.progress()).toBe('2026-01-01T00:02:00.000Z');
  });

  it('reads the slots that are due, not the jobs: a job due next year costs the tick nothing', async () => {
    const deps = memoryDeps();
    await addJob(deps, aJob({ schedule: { cron: '0 0 1 1 *', timezone: 'UTC' }, nextRunAt: '2027-01-01T00:00:00.000Z' }));
    const result = await runTick(deps);
    expect(result).toMatchObject({ slots: 0, dueJobs: 0, sent: 0 });
    expect(deps.due.reads).toBe(0);
  });

  it('writes the jobs a slot moves on to the next slot together, and each minute reads one slot', async () => {
    const deps = memoryDeps();
    for (let i = 0; i < 25; i++) await addJob(deps, aJob());
    expect((await runTick(deps)).dueJobs).toBe(25);
    expect(new Set(deps.queue.sent.map((o) => o.jobId)).size).toBe(25);
    deps.clock.advance(60_000);
    const reads = deps.due.reads;
    const next = await runTick(deps);
    expect(next).toMatchObject({ slots: 1, dueJobs: 25, sent: 25 });
    expect(deps.due.reads - reads).toBe(1);
  });

  it('loses nothing when it dies before moving its progress: the next tick repeats the slot', async () => {
    const deps = memoryDeps();
    const job = await addJob(deps, aJob({ nextRunAt: '2026-01-01T00:01:00.000Z' }));
    const crashing = {
      ...deps,
      due: Object.assign(Object.create(deps.due), {
        advance: async () => {
          throw new Error('killed');
        },
      }),
    };

    await expect(runTick(crashing)).rejects.toThrow('killed');
    expect(keysOf(deps.queue.sent)).toEqual([`${job.id}@2026-01-01T00:01:00.000Z`]);

    await runTick(deps);
    // Sent twice; the worker's claim in the ledger runs it once (see executor tests).
    expect(keysOf(deps.queue.sent)).toEqual([`${job.id}@2026-01-01T00:01:00.000Z`, `${job.id}@2026-01-01T00:01:00.000Z`]);
    // The repeated slot rewrote the same next entry rather than adding one.
    expect(deps.due.entriesOf(job.id).filter((e) => e.from === '2026-01-01T00:02:00.000Z')).toHaveLength(1);
  });

  it('lets one of two simultaneous ticks move the progress', async () => {
    const deps = memoryDeps();
    await addJob(deps, aJob());
    const results = await Promise.all([runTick(deps), runTick(deps)]);
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBe(1);
    expect(await deps.due.progress()).toBe('2026-01-01T00:02:00.000Z');
  });

  it('drops entries of deleted, paused or changed jobs', async () => {
    const deps = memoryDeps();
    const deleted = await addJob(deps, aJob());
    const paused = await addJob(deps, aJob());
    const changed = await addJob(deps, aJob());
    await deps.jobs.delete(deleted.id);
    await deps.jobs.changeStatus({
      jobId: paused.id,
      from: 'active',
      to: 'paused',
      expectedRev: 1,
      nextRunAt: paused.nextRunAt,
      runs: 0,
      updatedAt: paused.updatedAt,
    });
    // Paused and resumed: active again, at revision 3, so the entry of revision 1 is stale.
    await deps.jobs.changeStatus({
      jobId: changed.id,
      from: 'active',
      to: 'paused',
      expectedRev: 1,
      nextRunAt: changed.nextRunAt,
      runs: 0,
      updatedAt: changed.updatedAt,
    });
    await deps.jobs.changeStatus({
      jobId: changed.id,
      from: 'paused',
      to: 'active',
      expectedRev: 2,
      nextRunAt: changed.nextRunAt,
      runs: 0,
      updatedAt: changed.updatedAt,
    });
    const result = await runTick(deps);
    expect(result).toMatchObject({ dueJobs: 0, sent: 0, stale: 3 });
  });

  it('takes new chains from the inbox, but leaves a young one whose job is not written yet', async () => {
    const deps = memoryDeps();
    const job = aJob({ nextRunAt: '2026-01-01T00:01:00.000Z' });
    await deps.due.submit({ jobId: job.id, rev: 1, from: job.nextRunAt!, runs: 0, submittedAt: '2026-01-01T00:00:00.000Z' });
    await runTick(deps);
    expect(await deps.due.inbox(10)).toHaveLength(1);
    expect(deps.queue.sent).toHaveLength(0);

    await deps.jobs.create(job);
    deps.clock.advance(1_000);
    await runTick(deps);
    expect(await deps.due.inbox(10)).toHaveLength(0);
    expect(keysOf(deps.queue.sent)).toEqual([`${job.id}@2026-01-01T00:01:00.000Z`]);
  });

  it('works through a backlog slot by slot after downtime, and completes a job whose maxRuns is reached', async () => {
    const deps = memoryDeps();
    const job = await addJob(
      deps,
      aJob({ maxRuns: 3, policy: { ...aJob().policy, misfire: { policy: 'all', graceMs: 60_000, maxCatchUp: 10 } } }),
    );
    deps.clock.advance(10 * 60_000);
    const result = await runTick(deps);
    expect(result.sent).toBe(3);
    const stored = await deps.jobs.get(job.id);
    expect(stored).toMatchObject({ status: 'completed', runs: 3, nextRunAt: null });
  });
});

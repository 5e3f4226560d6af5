/**
 * Downtime, replayed with a fake clock: a job due every minute, the scheduler
 * gone for two hours, then one tick. Every occurrence in between is either sent
 * or recorded as skipped (never both, never neither), as the misfire policy says.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../core/jobs/job.js';
import { BUILT_IN_POLICY, type MisfirePolicy } from '../../core/jobs/policies.js';
import { runTick } from '../../core/dispatch/tick.js';
import { aJob } from '../helpers/factories.js';
import { addJob, memoryDeps } from '../helpers/memory-deps.js';

const minute = 60_000;

async function outage(misfire: MisfirePolicy, overrides: Partial<Job> = {}) {
  const deps = memoryDeps('2026-01-01T00:00:30.000Z');
  const { clock, jobs, executions, queue } = deps;
  const job = aJob({ nextRunAt: '2026-01-01T00:01:00.000Z', policy: { ...BUILT_IN_POLICY, misfire }, ...overrides });
  await addJob(deps, job);

  clock.set('2026-01-01T02:00:30.000Z'); // down for two hours
  const result = await runTick(deps);

  const sent = queue.sent.map((o) => o.scheduledFor);
  const skipped = (await executions.listForJob(job.id, { limit: 1000 })).items.filter((e) => e.status === 'skipped');
  const skippedAt = skipped.map((e) => e.scheduledFor);
  // Every minute from 00:01 up to the end of this tick's window (02:02).
  const expectedAll = Array.from({ length: 121 }, (_, i) => new Date(Date.parse('2026-01-01T00:01:00Z') + i * minute).toISOString());
  return { job, jobs, result, sent, skipped, skippedAt, expectedAll };
}

describe('misfire after two hours down', () => {
  it('skip: runs none of the missed, records each as skipped, and goes on from now', async () => {
    const { sent, skipped, skippedAt, expectedAll } = await outage({ policy: 'skip', graceMs: minute, maxCatchUp: 100 });
    // 01:59:30 is the grace limit: 00:01 ... 01:59 are missed (119), 02:00 and 02:01 are on time.
    expect(sent).toEqual(['2026-01-01T02:00:00.000Z', '2026-01-01T02:01:00.000Z']);
    expect(skippedAt).toHaveLength(119);
    expect(skipped.every((e) => e.skipReason === 'misfire')).toBe(true);
    expect([...skippedAt, ...sent].sort()).toEqual(expectedAll);
  });

  it('once: runs the latest missed one, records the others', async () => {
    const { sent, skippedAt, expectedAll } = await outage({ policy: 'once', graceMs: minute, maxCatchUp: 100 });
    expect(sent).toEqual(['2026-01-01T01:59:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T02:01:00.000Z']);
    expect(skippedAt).toHaveLength(118);
    expect([...skippedAt, ...sent].sort()).toEqual(expectedAll);
  });

  it('all: runs the latest maxCatchUp missed ones, records the older', async () => {
    const { sent, skippedAt, expectedAll } = await outage({ policy: 'all', graceMs: minute, maxCatchUp: 100 });
    expect(sent).toHaveLength(102);
    expect(sent[0]).toBe('2026-01-01T00:20:00.000Z');
    expect(skippedAt).toHaveLength(19);
    expect([...skippedAt].sort().at(-1)).toBe('2026-01-01T00:19:00.000Z');
    expect([...skippedAt, ...sent].sort()).toEqual(expectedAll);
  });

  it('a grace as long as the outage runs everything', async () => {
    const { sent, skippedAt } = await outage({ policy: 'skip', graceMs: 3 * 60 * minute, maxCatchUp: 100 });
    expect(sent).toHaveLength(121);
    expect(skippedAt).toEqual([]);
  });

  it('sends missed ones at once, with no delay', async () => {
    const deps = memoryDeps('2026-01-01T02:00:30.000Z');
    const { queue } = deps;
    await addJob(
      deps,
      aJob({
        nextRunAt: '2026-01-01T01:50:00.000Z',
        policy: { ...BUILT_IN_POLICY, misfire: { policy: 'once', graceMs: minute, maxCatchUp: 1 } },
      }),
    );
    await runTick(deps);
    expect(queue.sent[0]).toMatchObject({ scheduledFor: '2026-01-01T01:59:00.000Z', delaySeconds: 0 });
  });
});

describe('maxRuns and endAt', () => {
  it('stops after maxRuns occurrences, counting across ticks, and completes the job', async () => {
    const deps = memoryDeps();
    const { clock, jobs, queue } = deps;
    const job = await addJob(
      deps,
      aJob({ schedule: { cron: '*/30 * * * * *', timezone: 'UTC' }, nextRunAt: '2026-01-01T00:00:30.000Z', maxRuns: 5 }),
    );

    await runTick(deps);
    expect(await jobs.get(job.id)).toMatchObject({ runs: 3, status: 'active' });
    clock.advance(minute);
    await runTick(deps);
    expect(queue.sent.map((o) => o.scheduledFor)).toEqual([
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:01:30.000Z',
      '2026-01-01T00:02:00.000Z',
      '2026-01-01T00:02:30.000Z',
    ]);
    expect(await jobs.get(job.id)).toMatchObject({ runs: 5, status: 'completed', nextRunAt: null });
  });

  it('sends nothing past endAt, and completes the job', async () => {
    const deps = memoryDeps();
    const { jobs, queue } = deps;
    const job = await addJob(
      deps,
      aJob({
        schedule: { cron: '*/20 * * * * *', timezone: 'UTC' },
        nextRunAt: '2026-01-01T00:00:20.000Z',
        endAt: '2026-01-01T00:00:40.000Z',
      }),
    );
    await runTick(deps);
    expect(queue.sent.map((o) => o.scheduledFor)).toEqual(['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z']);
    expect(await jobs.get(job.id)).toMatchObject({ status: 'completed', nextRunAt: null, runs: 2 });
  });
});

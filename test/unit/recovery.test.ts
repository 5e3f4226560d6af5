/**
 * Recovery of messages the queue lost: sent (the dispatch log says so), never
 * finished (the ledger says so). The queue here "loses" messages simply because
 * no worker consumes them.
 */
import { describe, expect, it } from 'vitest';
import { executeOccurrence } from '../../core/execution/occurrence-executor.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { recoverFreshQueue, recoverLost } from '../../core/dispatch/recovery.js';
import { runTick } from '../../core/dispatch/tick.js';
import { aJob, anOccurrence } from '../helpers/factories.js';
import { addJob, memoryDeps } from '../helpers/memory-deps.js';

const settings = { staleAfterMs: 60_000, maxEntries: 20 };

async function jobSentThenLost(misfire = BUILT_IN_POLICY.misfire) {
  const deps = memoryDeps('2026-01-01T00:00:00.000Z');
  const job = aJob({
    schedule: { cron: '*/20 * * * * *', timezone: 'UTC' },
    nextRunAt: '2026-01-01T00:00:20.000Z',
    endAt: '2026-01-01T00:01:00.000Z',
    policy: { ...BUILT_IN_POLICY, misfire },
  });
  await addJob(deps, job);
  await runTick(deps); // sends 00:00:20, 00:00:40 (slot 00:00) and 00:01:00 (slot 00:01); then the queue loses them
  expect(deps.queue.sent).toHaveLength(3);
  return { deps, job };
}

describe('recoverLost', () => {
  it('leaves occurrences alone until they are stale', async () => {
    const { deps } = await jobSentThenLost();
    // The entry is a minute old, but its earliest occurrence (00:00:20) is only 50 s overdue.
    deps.clock.set('2026-01-01T00:01:10.000Z');
    expect(await recoverLost(deps, settings)).toEqual({ entries: 2, lost: 0, resent: 0, skipped: 0 });
    // Looked at, they were filed again for when they can turn stale: only the one that can is read again.
    // Missed, and the tick already sent the next one (00:00:40): superseded, it is skipped, not run after it.
    deps.clock.set('2026-01-01T00:01:21.000Z');
    expect(await recoverLost(deps, settings)).toEqual({ entries: 1, lost: 1, resent: 0, skipped: 1 });
  });

  it('decides once for an occurrence logged twice (the API sent it early, then the tick did)', async () => {
    const deps = memoryDeps('2026-01-01T00:00:00.000Z');
    const job = aJob({ schedule: { at: '2026-01-01T00:00:30.000Z' }, nextRunAt: '2026-01-01T00:00:30.000Z' });
    await deps.jobs.create(job);
    for (const at of ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z'])
      await deps.dispatchLog.record([{ jobId: job.id, scheduledFor: '2026-01-01T00:00:30.000Z', sentAt: at }], at);
    deps.clock.set('2026-01-01T00:10:00.000Z');
    expect(await recoverLost(deps, settings)).toMatchObject({ lost: 1, resent: 1, skipped: 0 });
    expect(await deps.executions.get(job.id, '2026-01-01T00:00:30.000Z')).toBeUndefined();
  });

  it('makes progress through the whole log, whatever is held open at its head', async () => {
    const deps = memoryDeps('2026-01-01T00:00:00.000Z');
    // Thirty entries at the head, each an occurrence retrying for hours (a long backoff).
    for (let i = 0; i < 30; i++) {
      const o = anOccurrence({ jobId: `busy-${i}`, scheduledFor: '2026-01-01T00:00:10.000Z' });
      await deps.dispatchLog.record(
        [{ jobId: o.jobId, scheduledFor: o.scheduledFor, sentAt: '2026-01-01T00:00:00.000Z' }],
        `2026-01-01T00:00:00.${String(i).padStart(3, '0')}Z`,
      );
      await deps.executions.claim({ ...o, startedAt: o.scheduledFor, leaseUntil: o.scheduledFor });
      await deps.executions.complete({
        jobId: o.jobId,
        scheduledFor: o.scheduledFor,
        attempt: 1,
        status: 'failed',
        finishedAt: o.scheduledFor,
        durationMs: 1,
        error: { name: 'E', message: 'later' },
        retryAt: '2026-01-01T06:00:00.000Z',
      });
    }
    // Behind them, a first attempt the queue really lost.
    const job = aJob({ schedule: { at: '2026-01-01T00:00:30.000Z' }, nextRunAt: '2026-01-01T00:00:30.000Z' });
    await deps.jobs.create(job);
    await deps.dispatchLog.record(
      [{ jobId: job.id, scheduledFor: '2026-01-01T00:00:30.000Z', sentAt: '2026-01-01T00:00:01.000Z' }],
      '2026-01-01T00:00:01.000Z',
    );
    deps.clock.set('2026-01-01T00:02:00.000Z');
    const first = await recoverLost(deps, { ...settings, maxEntries: 20, maxPages: 1 });
    const second = await recoverLost(deps, { ...settings, maxEntries: 20, maxPages: 1 });
    expect(first.lost + second.lost).toBe(1);
    expect(deps.queue.sent.map((o) => o.jobId)).toEqual([job.id]);
  });

  it('sends lost first attempts again when they are within their grace', async () => {
    const { deps, job } = await jobSentThenLost({ policy: 'skip', graceMs: 10 * 60_000, maxCatchUp: 1 });
    deps.clock.set('2026-01-01T00:02:01.000Z');
    const result = await recoverLost(deps, settings);
    expect(result).toEqual({ entries: 2, lost: 3, resent: 3, skipped: 0 });
    expect(deps.queue.sent.slice(3).map((o) => [o.jobId, o.scheduledFor])).toEqual([
      [job.id, '2026-01-01T00:00:20.000Z'],
      [job.id, '2026-01-01T00:00:40.000Z'],
      [job.id, '2026-01-01T00:01:00.000Z'],
    ]);
    // Re-sent, they stay watched, and are not sent again before they are stale once more.
    expect(await recoverLost(deps, settings)).toMatchObject({ lost: 0 });
  });

  it('applies the misfire policy to lost first attempts past their grace', async () => {
    const { deps } = await jobSentThenLost({ policy: 'once', graceMs: 60_000, maxCatchUp: 1 });
    deps.clock.set('2026-01-01T00:05:00.000Z');
    expect(await recoverLost(deps, settings)).toEqual({ entries: 2, lost: 3, resent: 1, skipped: 2 });
    expect(deps.queue.sent.at(-1)!.scheduledFor).toBe('2026-01-01T00:01:00.000Z');
    const skipped = (await deps.executions.listForJob(deps.queue.sent[0]!.jobId, { limit: 10 })).items;
    expect(skipped.map((e) => [e.scheduledFor, e.status, e.skipReason])).toEqual([
      ['2026-01-01T00:00:40.000Z', 'skipped', 'misfire'],
      ['2026-01-01T00:00:20.000Z', 'skipped', 'misfire'],
    ]);
  });

  it('with misfire all, sends a lost catch-up again though a newer occurrence ran: the policy chose it (seed 322)', async () => {
    const deps = memoryDeps('2026-01-01T01:00:00.000Z');
    const job = aJob({
      schedule: { every: '7m' },
      policy: { ...BUILT_IN_POLICY, misfire: { policy: 'all', graceMs: 5_000, maxCatchUp: 5 } },
    });
    await deps.jobs.create(job);
    // After an outage the tick sent four missed occurrences at 01:00 as its catch-up; the queue lost 00:45.
    const caughtUp = ['2026-01-01T00:31:00.000Z', '2026-01-01T00:38:00.000Z', '2026-01-01T00:45:00.000Z', '2026-01-01T00:52:00.000Z'];
    await deps.dispatchLog.record(
      caughtUp.map((scheduledFor) => ({ jobId: job.id, scheduledFor, sentAt: '2026-01-01T01:00:00.000Z' })),
      '2026-01-01T01:00:00.000Z',
    );
    for (const scheduledFor of [...caughtUp.filter((t) => !t.includes('00:45')), '2026-01-01T01:06:00.000Z']) {
      await executeOccurrence(anOccurrence({ jobId: job.id, scheduledFor }), { ...deps, maxEarlyWaitMs: 0 });
    }
    deps.clock.set('2026-01-01T01:07:00.000Z');
    expect(await recoverLost(deps, settings)).toMatchObject({ lost: 1, resent: 1, skipped: 0 });
    expect(deps.queue.sent.at(-1)!.scheduledFor).toBe('2026-01-01T00:45:00.000Z');
  });

  it('sends again a lost occurrence of a paused maxRuns job that fell due before the pause: it was counted (seed 545)', async () => {
    const deps = memoryDeps('2026-01-01T00:00:00.000Z');
    const job = aJob({ schedule: { every: '3m' }, maxRuns: 6, runs: 2, status: 'paused', pausedAt: '2026-01-01T00:07:00.000Z' });
    await deps.jobs.create(job);
    await deps.dispatchLog.record(
      [{ jobId: job.id, scheduledFor: '2026-01-01T00:06:00.000Z', sentAt: '2026-01-01T00:04:30.000Z' }],
      '2026-01-01T00:04:30.000Z',
    );
    deps.clock.set('2026-01-01T00:12:00.000Z');
    expect(await recoverLost(deps, settings)).toMatchObject({ lost: 1, resent: 1, skipped: 0 });
    expect(deps.queue.sent.at(-1)!.scheduledFor).toBe('2026-01-01T00:06:00.000Z');
  });

  it('at a fresh start, judges every page as of one instant, however long the pages take', async () => {
    const deps = memoryDeps('2026-01-01T00:00:00.000Z');
    const job = aJob({
      schedule: { every: '2s' },
      createdAt: '2025-12-31T23:50:00.000Z',
      policy: { ...BUILT_IN_POLICY, misfire: { policy: 'skip', graceMs: 1_000, maxCatchUp: 1 } },
    });
    await deps.jobs.create(job);
    // Thirty entries of one occurrence each (two pages and more), from 00:00:40 to 00:01:38, sent before the start.
    for (let i = 0; i < 30; i++) {
      const scheduledFor = new Date(Date.parse('2026-01-01T00:00:40.000Z') + i * 2_000).toISOString();
      await deps.dispatchLog.record(
        [{ jobId: job.id, scheduledFor, sentAt: '2026-01-01T00:00:30.000Z' }],
        `2026-01-01T00:00:30.${String(i).padStart(3, '0')}Z`,
      );
    }
    // The start at 00:01:00; every look at the clock after it finds it 10 s later (a slow store).
    deps.clock.set('2026-01-01T00:01:00.000Z');
    const clock = deps.clock;
    const slow = {
      ...deps,
      clock: {
        now: () => {
          const t = clock.now();
          clock.advance(10_000);
          return t;
        },
      },
    };
    await recoverFreshQueue(slow, settings, new Date('2026-01-01T00:00:59.000Z'));
    const skipped = (await deps.executions.listForJob(job.id, { limit: 100 })).items
      .filter((r) => r.status === 'skipped')
      .map((r) => r.scheduledFor);
    // Missed as of the start (before 00:00:59): skipped. On time then: sent again, none skipped.
    expect(skipped.every((t) => t < '2026-01-01T00:00:59.000Z')).toBe(true);
    expect(skipped).toHaveLength(10);
    expect(deps.queue.sent.map((o) => o.scheduledFor).filter((t) => t >= '2026-01-01T00:00:59.000Z')).toHaveLength(20);
  });

  it('sends a lost retry again, and forgets an entry once everything in it finished', async () => {
    const { deps } = await jobSentThenLost({ policy: 'all', graceMs: 60_000, maxCatchUp: 10 });
    const [first, second, third] = deps.queue.sent;
    const run = (o: typeof first, ok: boolean) =>
      executeOccurrence(o!, {
        ...deps,
        handlers: deps.handlers.register('log', () => {
          if (!ok) throw new Error('no');
        }),
        maxEarlyWaitMs: 60_000,
      });
    expect((await run(first, true)).kind).toBe('succeeded');
    expect((await run(second, false)).kind).toBe('retry'); // its retry message is then lost too
    deps.clock.set('2026-01-01T00:03:00.000Z');
    // Third: never claimed and past grace -> 'all' runs it; second: failed, retry long overdue -> sent again.
    expect(await recoverLost(deps, settings)).toEqual({ entries: 2, lost: 2, resent: 2, skipped: 0 });

    expect((await run(second, true)).kind).toBe('succeeded');
    expect((await run(third, true)).kind).toBe('succeeded');
    deps.clock.set('2026-01-01T00:05:00.000Z');
    expect(await recoverLost(deps, settings)).toEqual({ entries: 2, lost: 0, resent: 0, skipped: 0 });
    expect(deps.dispatchLog.size()).toBe(0);
  });

  it('records lost occurrences of a deleted job as skipped (deleted), with a warning', async () => {
    const { deps, job } = await jobSentThenLost();
    await deps.jobs.delete(job.id);
    deps.clock.set('2026-01-01T00:05:00.000Z');
    expect(await recoverLost(deps, settings)).toEqual({ entries: 2, lost: 3, resent: 0, skipped: 3 });
    expect((await deps.executions.listForJob(job.id, { limit: 10 })).items.map((e) => e.skipReason)).toEqual([
      'deleted',
      'deleted',
      'deleted',
    ]);
    expect(deps.logger.lines.some((l) => l.level === 'warn' && l.message.includes('deleted job'))).toBe(true);
    expect(deps.dispatchLog.size()).toBe(0);
  });

  it('runs inside every tick', async () => {
    const { deps } = await jobSentThenLost({ policy: 'all', graceMs: 10 * 60_000, maxCatchUp: 10 });
    deps.clock.set('2026-01-01T00:06:00.000Z');
    const result = await runTick({ ...deps, settings: { ...deps.settings, recovery: settings } });
    expect(result.recovered).toEqual({ entries: 2, lost: 3, resent: 3, skipped: 0 });
  });

  it('never re-sends what a worker is still running under its lease', async () => {
    const deps = memoryDeps('2026-01-01T00:00:00.000Z');
    const occurrence = anOccurrence({ scheduledFor: '2026-01-01T00:00:10.000Z' });
    await deps.dispatchLog.record(
      [{ jobId: occurrence.jobId, scheduledFor: occurrence.scheduledFor, sentAt: '2026-01-01T00:00:00.000Z' }],
      '2026-01-01T00:00:00.000Z',
    );
    await deps.executions.claim({ ...occurrence, startedAt: '2026-01-01T00:00:10.000Z', leaseUntil: '2026-01-01T00:10:00.000Z' });
    deps.clock.set('2026-01-01T00:05:00.000Z');
    expect(await recoverLost(deps, settings)).toEqual({ entries: 1, lost: 0, resent: 0, skipped: 0 });
  });
});

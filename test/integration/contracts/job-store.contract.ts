/**
 * What every JobStore must do. Run against each adapter; the in-memory one is
 * held to the same rules so unit tests built on it stay honest.
 */
import { describe, expect, it } from 'vitest';
import { JobNameTakenError } from '../../../core/kernel/errors.js';
import type { JobStore } from '../../../core/jobs/job-store.js';
import { aJob } from '../../helpers/factories.js';

export function jobStoreContract(name: string, makeStore: () => Promise<JobStore>, options: { skip?: boolean } = {}) {
  describe.skipIf(options.skip)(`JobStore contract: ${name}`, () => {
    it('stores and reads back a job, payload and schedule intact', async () => {
      const store = await makeStore();
      const job = aJob({
        payload: { nested: { list: [1, 'two', null, true], empty: '' }, n: 1.5 },
        schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
      });
      await store.create(job);
      expect(await store.get(job.id)).toEqual(job);
      expect(await store.get('missing')).toBeUndefined();
    });

    it('counts jobs by status', async () => {
      const store = await makeStore();
      await store.create(aJob({ id: 'c1', name: 'c1' }));
      await store.create(aJob({ id: 'c2', name: 'c2', status: 'paused' }));
      await store.create(aJob({ id: 'c3', name: 'c3' }));
      expect(await store.countByStatus()).toEqual({ active: 2, paused: 1, completed: 0 });
    });

    it('keeps names unique, and frees a name when its job is deleted', async () => {
      const store = await makeStore();
      const first = aJob({ name: 'unique-name' });
      await store.create(first);
      await expect(store.create(aJob({ name: 'unique-name' }))).rejects.toBeInstanceOf(JobNameTakenError);
      expect(await store.delete(first.id)).toBe(true);
      expect(await store.delete(first.id)).toBe(false);
      await store.create(aJob({ name: 'unique-name' }));
    });

    it('lets exactly one of two simultaneous creates with the same name win', async () => {
      const store = await makeStore();
      const results = await Promise.allSettled([store.create(aJob({ name: 'race' })), store.create(aJob({ name: 'race' }))]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(JobNameTakenError) });
    });

    it('lists every job once across pages', async () => {
      const store = await makeStore();
      const ids = new Set<string>();
      for (let i = 0; i < 7; i++) {
        const job = aJob();
        ids.add(job.id);
        await store.create(job);
      }
      const seen: string[] = [];
      let next: string | undefined;
      do {
        const page = await store.list({ limit: 3, next });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((j) => j.id));
        next = page.next;
      } while (next);
      expect(seen.sort()).toEqual([...ids].sort());
    });

    it('reads several jobs at once, leaving out missing ones', async () => {
      const store = await makeStore();
      const a = aJob();
      const b = aJob({ payload: { nested: [1, 'two'] } });
      await store.create(a);
      await store.create(b);
      const found = await store.getMany([a.id, b.id, 'missing', a.id]);
      expect([...found.keys()].sort()).toEqual([a.id, b.id].sort());
      expect(found.get(b.id)).toEqual(b);
      expect((await store.getMany([])).size).toBe(0);
    });

    it('pauses, resumes and completes only from the expected status and revision, bumping the revision', async () => {
      const store = await makeStore();
      const job = aJob({ nextRunAt: '2026-01-01T00:00:10.000Z', rev: 1 });
      await store.create(job);
      const change = { jobId: job.id, updatedAt: '2026-01-01T00:00:05.000Z', runs: 0 };

      expect(await store.changeStatus({ ...change, from: 'paused', to: 'active', expectedRev: 1, nextRunAt: job.nextRunAt })).toBe(false);
      expect(await store.changeStatus({ ...change, from: 'active', to: 'paused', expectedRev: 2, nextRunAt: job.nextRunAt })).toBe(false);
      const twice = await Promise.all(
        [1, 2].map(() =>
          store.changeStatus({ ...change, from: 'active', to: 'paused', expectedRev: 1, nextRunAt: '2026-01-01T00:02:00.000Z' }),
        ),
      );
      expect(twice.sort()).toEqual([false, true]);
      expect(await store.get(job.id)).toMatchObject({
        status: 'paused',
        rev: 2,
        nextRunAt: '2026-01-01T00:02:00.000Z',
        updatedAt: '2026-01-01T00:00:05.000Z',
      });

      expect(
        await store.changeStatus({
          ...change,
          from: 'paused',
          to: 'active',
          expectedRev: 2,
          nextRunAt: '2026-01-01T00:03:00.000Z',
          runs: 2,
        }),
      ).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ status: 'active', rev: 3, nextRunAt: '2026-01-01T00:03:00.000Z', runs: 2 });
      expect(await store.changeStatus({ ...change, from: 'active', to: 'completed', expectedRev: 3, nextRunAt: null, runs: 5 })).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ status: 'completed', rev: 4, nextRunAt: null, runs: 5 });
      expect(await store.changeStatus({ ...change, jobId: 'missing', from: 'active', to: 'paused', expectedRev: 1, nextRunAt: null })).toBe(
        false,
      );
    });

    it('records the runs of a job only at the revision it expects', async () => {
      const store = await makeStore();
      const job = aJob({ rev: 1, maxRuns: 10 });
      await store.create(job);
      expect(await store.recordRuns(job.id, 2, 7, '2026-01-01T00:09:00.000Z')).toBe(false);
      expect(await store.recordRuns(job.id, 1, 4, '2026-01-01T00:05:00.000Z')).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ runs: 4, runsUntil: '2026-01-01T00:05:00.000Z', rev: 1 });
      expect(await store.recordRuns('missing', 1, 4, '2026-01-01T00:05:00.000Z')).toBe(false);
      // A pause leaves the count where it is; a resume sets where its new chain counts from, or removes it.
      const change = { jobId: job.id, updatedAt: '2026-01-01T00:06:00.000Z', runs: 4 };
      expect(await store.changeStatus({ ...change, from: 'active', to: 'paused', expectedRev: 1, nextRunAt: null })).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ runs: 4, runsUntil: '2026-01-01T00:05:00.000Z' });
      expect(
        await store.changeStatus({
          ...change,
          from: 'paused',
          to: 'active',
          expectedRev: 2,
          nextRunAt: '2026-01-01T00:07:00.000Z',
          runsUntil: '2026-01-01T00:07:00.000Z',
        }),
      ).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ runsUntil: '2026-01-01T00:07:00.000Z' });
      expect(
        await store.changeStatus({ ...change, from: 'active', to: 'completed', expectedRev: 3, nextRunAt: null, runsUntil: null }),
      ).toBe(true);
      expect((await store.get(job.id))!.runsUntil).toBeUndefined();
    });

    it('keeps an overlap lock: one holder until its lease passes, one parked occurrence, released by the holder only', async () => {
      const store = await makeStore();
      const job = aJob();
      await store.create(job);
      const now = '2026-01-01T00:00:00.000Z';
      expect(await store.acquireRun(job.id, 'A', '2026-01-01T00:01:00.000Z', now)).toEqual({ acquired: true });
      expect(await store.acquireRun(job.id, 'A', '2026-01-01T00:01:00.000Z', now)).toEqual({ acquired: true });
      expect(await store.acquireRun(job.id, 'B', '2026-01-01T00:01:00.000Z', now)).toEqual({ acquired: false, holder: 'A' });
      expect(await store.queueRun(job.id, '{"b":1}')).toBe(true);
      expect(await store.queueRun(job.id, '{"c":1}')).toBe(false);
      expect(await store.releaseRun(job.id, 'B')).toBeUndefined();
      expect(await store.releaseRun(job.id, 'A')).toBe('{"b":1}');
      expect(await store.releaseRun(job.id, 'A')).toBeUndefined();
      expect(await store.queueRun(job.id, '{"d":1}')).toBe(false);

      expect(await store.acquireRun(job.id, 'C', '2026-01-01T00:02:00.000Z', now)).toEqual({ acquired: true });
      expect(await store.acquireRun(job.id, 'D', '2026-01-01T00:03:00.000Z', '2026-01-01T00:02:00.001Z')).toEqual({ acquired: true });
      // The lock does not show in the job.
      expect(await store.get(job.id)).toEqual(job);
    });

    it('has no lock for a deleted job: its queued occurrences take it at once, and nothing is recreated', async () => {
      const store = await makeStore();
      const job = aJob();
      await store.create(job);
      const now = '2026-01-01T00:00:00.000Z';
      expect(await store.acquireRun(job.id, 'A', '2026-01-01T00:01:00.000Z', now)).toEqual({ acquired: true });
      await store.delete(job.id);
      expect(await store.acquireRun(job.id, 'B', '2026-01-01T00:01:00.000Z', now)).toEqual({ acquired: true });
      expect(await store.releaseRun(job.id, 'B')).toBeUndefined();
      expect(await store.get(job.id)).toBeUndefined();
    });
  });
}

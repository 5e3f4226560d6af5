/**
 * What every JobStore must do. Run against each adapter; the in-memory one is
 * held to the same rules so unit tests built on it stay honest.
 */
import { describe, expect, it } from 'vitest';
import { JobNameTakenError } from '../../../core/errors.js';
import type { JobStore } from '../../../core/ports.js';
import { aJob } from '../../helpers/factories.js';

export function jobStoreContract(name: string, makeStore: () => Promise<JobStore>, options: { skip?: boolean } = {}) {
  describe.skipIf(options.skip)(`JobStore contract: ${name}`, () => {
    it('stores and reads back a job, payload and schedule intact', async () => {
      const store = await makeStore();
      const job = aJob({ payload: { nested: { list: [1, 'two', null, true], empty: '' }, n: 1.5 }, schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' } });
      await store.create(job);
      expect(await store.get(job.id)).toEqual(job);
      expect(await store.get('missing')).toBeUndefined();
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

    it('finds active jobs due before an instant, earliest first, and nothing else', async () => {
      const store = await makeStore();
      const early = aJob({ nextRunAt: '2026-01-01T00:00:10.000Z' });
      const later = aJob({ nextRunAt: '2026-01-01T00:00:50.000Z' });
      await store.create(later);
      await store.create(early);
      await store.create(aJob({ nextRunAt: '2026-01-01T00:05:00.000Z' }));
      await store.create(aJob({ nextRunAt: '2026-01-01T00:00:20.000Z', status: 'paused' }));
      await store.create(aJob({ nextRunAt: null }));

      const due = await store.findDue(new Date('2026-01-01T00:01:00.000Z'), 100);
      expect(due.map((j) => j.id)).toEqual([early.id, later.id]);
      expect((await store.findDue(new Date('2026-01-01T00:01:00.000Z'), 1)).map((j) => j.id)).toEqual([early.id]);
    });

    it('advances a cursor only from the value it expects', async () => {
      const store = await makeStore();
      const job = aJob({ nextRunAt: '2026-01-01T00:01:00.000Z' });
      await store.create(job);
      const move = { jobId: job.id, expectedNextRunAt: '2026-01-01T00:01:00.000Z', nextRunAt: '2026-01-01T00:02:00.000Z', addRuns: 2, updatedAt: '2026-01-01T00:00:30.000Z' };

      const results = await Promise.all([store.advanceCursor(move), store.advanceCursor(move)]);
      expect(results.sort()).toEqual([false, true]);
      expect(await store.get(job.id)).toMatchObject({ nextRunAt: '2026-01-01T00:02:00.000Z', updatedAt: '2026-01-01T00:00:30.000Z', runs: 2, status: 'active' });
      expect(await store.advanceCursor({ ...move, jobId: 'missing' })).toBe(false);
    });

    it('completes a spent schedule and takes it out of the due index', async () => {
      const store = await makeStore();
      const job = aJob({ nextRunAt: '2026-01-01T00:00:10.000Z' });
      await store.create(job);
      expect(await store.advanceCursor({ jobId: job.id, expectedNextRunAt: job.nextRunAt!, nextRunAt: null, addRuns: 1, updatedAt: job.updatedAt })).toBe(true);
      expect(await store.findDue(new Date('2100-01-01T00:00:00Z'), 100)).toEqual([]);
      expect(await store.get(job.id)).toMatchObject({ nextRunAt: null, status: 'completed', runs: 1 });
    });

    it('pauses out of the due index and resumes into it, only from the expected status and cursor', async () => {
      const store = await makeStore();
      const job = aJob({ nextRunAt: '2026-01-01T00:00:10.000Z' });
      await store.create(job);
      const before = new Date('2026-01-01T00:01:00.000Z');
      const change = { jobId: job.id, updatedAt: '2026-01-01T00:00:05.000Z' };

      expect(await store.changeStatus({ ...change, from: 'paused', to: 'active', expectedNextRunAt: job.nextRunAt!, nextRunAt: job.nextRunAt })).toBe(false);
      expect(await store.changeStatus({ ...change, from: 'active', to: 'paused', expectedNextRunAt: 'other', nextRunAt: job.nextRunAt })).toBe(false);
      expect(await store.changeStatus({ ...change, from: 'active', to: 'paused', expectedNextRunAt: job.nextRunAt!, nextRunAt: job.nextRunAt })).toBe(true);
      expect(await store.findDue(before, 10)).toEqual([]);
      expect(await store.get(job.id)).toMatchObject({ status: 'paused', nextRunAt: '2026-01-01T00:00:10.000Z' });
      // A paused job's cursor cannot be advanced by a tick that read it before the pause.
      expect(await store.advanceCursor({ jobId: job.id, expectedNextRunAt: job.nextRunAt!, nextRunAt: '2026-01-01T00:00:20.000Z', addRuns: 1, updatedAt: 'x' })).toBe(false);

      expect(await store.changeStatus({ ...change, from: 'paused', to: 'active', expectedNextRunAt: job.nextRunAt!, nextRunAt: '2026-01-01T00:00:50.000Z' })).toBe(true);
      expect((await store.findDue(before, 10)).map((j) => [j.id, j.nextRunAt, j.status])).toEqual([[job.id, '2026-01-01T00:00:50.000Z', 'active']]);

      expect(await store.changeStatus({ ...change, from: 'active', to: 'paused', expectedNextRunAt: '2026-01-01T00:00:50.000Z', nextRunAt: '2026-01-01T00:00:50.000Z' })).toBe(true);
      expect(await store.changeStatus({ ...change, from: 'paused', to: 'completed', expectedNextRunAt: '2026-01-01T00:00:50.000Z', nextRunAt: null })).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ status: 'completed', nextRunAt: null });
      expect(await store.findDue(new Date('2100-01-01T00:00:00Z'), 10)).toEqual([]);
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
  });
}

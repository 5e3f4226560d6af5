/**
 * What every JobStore must do. Run against each adapter; the in-memory one is
 * held to the same rules so unit tests built on it stay honest.
 */
import { describe, expect, it } from 'vitest';
import { JobNameTakenError } from '../../../core/kernel/errors.js';
import type { JobStore } from '../../../core/jobs/job-store.js';
import { aJob } from '../../helpers/factories.js';
import { mulberry32 } from '../../../adapters/faults/index.js';
import { matchesFilter, type JobFilter } from '../../../core/jobs/job-list.js';

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

    it('replaces a job with an edited one only at the expected revision, keeping its overlap lock', async () => {
      const store = await makeStore();
      const job = aJob({ name: 'before', endAt: '2027-01-01T00:00:00.000Z', maxRuns: 9, note: 'n' });
      await store.create(job);
      expect(await store.acquireRun(job.id, '2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:01:00.000Z')).toEqual({
        acquired: true,
      });
      const { endAt: _e, maxRuns: _m, ...rest } = job;
      const edited = { ...rest, payload: { v: 2 }, schedule: { every: '7s' }, rev: job.rev + 1, heldUntil: '2026-01-01T00:03:00.000Z' };
      expect(await store.replace({ ...edited, payload: { stale: true } }, { rev: job.rev + 5, name: job.name })).toBe(false);
      expect(await store.replace(edited, { rev: job.rev, name: job.name })).toBe(true);
      // Fields the edit left out are gone; the rest is as written.
      expect(await store.get(job.id)).toEqual(edited);
      expect(await store.replace(edited, { rev: job.rev, name: job.name })).toBe(false);
      // The lock taken before the edit still holds.
      expect(await store.acquireRun(job.id, '2026-01-01T00:01:30.000Z', '2026-01-01T00:03:00.000Z', '2026-01-01T00:01:30.000Z')).toEqual({
        acquired: false,
        holder: '2026-01-01T00:01:00.000Z',
      });
      expect(await store.replace({ ...edited, id: 'missing' }, { rev: edited.rev, name: edited.name })).toBe(false);
    });

    it('moves the name lock on a rename: the old name is free, a taken one refuses and changes nothing', async () => {
      const store = await makeStore();
      const a = aJob({ name: 'alpha' });
      const b = aJob({ name: 'beta' });
      await store.create(a);
      await store.create(b);
      await expect(store.replace({ ...a, name: 'beta', rev: a.rev + 1 }, { rev: a.rev, name: 'alpha' })).rejects.toBeInstanceOf(
        JobNameTakenError,
      );
      expect(await store.get(a.id)).toEqual(a);
      expect(await store.replace({ ...a, name: 'gamma', rev: a.rev + 1 }, { rev: a.rev, name: 'alpha' })).toBe(true);
      await store.create(aJob({ name: 'alpha' }));
      await expect(store.create(aJob({ name: 'gamma' }))).rejects.toBeInstanceOf(JobNameTakenError);
      // A rename that loses its race leaves the name it locked to be taken over once that lock is old.
      expect(await store.replace({ ...a, name: 'delta', rev: a.rev + 2, updatedAt: a.createdAt }, { rev: a.rev, name: 'gamma' })).toBe(
        false,
      );
      await store.create(aJob({ name: 'delta', createdAt: '2026-01-01T00:01:01.000Z' }));
      expect((await store.get(a.id))!.name).toBe('gamma');
    });

    it('keeps tasks out of the job list and out of the name locks, with their expiry', async () => {
      const store = await makeStore();
      const job = aJob({ name: 'shared' });
      const task = aJob({
        kind: 'task',
        name: 'shared',
        expiresAt: '2026-02-01T00:00:00.000Z',
        schedule: { at: '2026-01-01T00:05:00.000Z' },
      });
      const other = aJob({ kind: 'task', name: 'shared', expiresAt: '2026-02-01T00:00:07.000Z' });
      await store.create(job);
      await store.create(task);
      await store.create(other);
      expect(await store.get(task.id)).toEqual(task);
      const listed = (await store.list({ limit: 100 })).items.map((j) => j.id);
      expect(listed).toContain(job.id);
      expect(listed).not.toContain(task.id);
      expect(listed).not.toContain(other.id);
      // A task's name takes no lock: deleting it leaves the job's name taken.
      await store.delete(task.id);
      await expect(store.create(aJob({ name: 'shared' }))).rejects.toBeInstanceOf(JobNameTakenError);
    });

    it('locks a uniqueKey for one holder at a time; takes it over only from the holder named', async () => {
      const store = await makeStore();
      const lock = (holder: string) => ({ holder, lockedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-02-01T00:00:00.000Z' });
      const key = `report:${Math.random().toString(36).slice(2)}`;
      expect(await store.lockUniqueKey(key, lock('a'))).toEqual({ locked: true });
      expect(await store.lockUniqueKey(key, lock('a'))).toEqual({ locked: true });
      expect(await store.lockUniqueKey(key, lock('b'))).toEqual({ locked: false, holder: 'a', lockedAt: '2026-01-01T00:00:00.000Z' });
      expect(await store.lockUniqueKey(key, lock('b'), 'z')).toMatchObject({ locked: false, holder: 'a' });
      expect(await store.lockUniqueKey(key, lock('b'), 'a')).toEqual({ locked: true });
      const racers = await Promise.all(['c', 'd', 'e'].map((h) => store.lockUniqueKey(key, lock(h), 'b')));
      expect(racers.filter((r) => r.locked)).toHaveLength(1);
      await store.unlockUniqueKey(key, 'b');
      expect(await store.lockUniqueKey(key, lock('f'))).toMatchObject({ locked: false });
      const winner = ['c', 'd', 'e'][racers.findIndex((r) => r.locked)]!;
      await store.unlockUniqueKey(key, winner);
      expect(await store.lockUniqueKey(key, lock('f'))).toEqual({ locked: true });
    });

    it('lists only the jobs that pass a filter, each once across pages (seeded random jobs and filters)', async () => {
      const store = await makeStore();
      const random = mulberry32(7);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
      const tag = Math.random().toString(36).slice(2, 7);
      const jobs = Array.from({ length: 60 }, (_, i) =>
        aJob({
          name: `${pick(['Report', 'report', 'sync', 'Sync-x'])}.${tag}.${i}`,
          handler: pick(['log', 'noop', 'fail']),
          status: pick(['active', 'paused', 'completed'] as const),
        }),
      );
      for (const job of jobs) await store.create(job);
      await store.create(aJob({ kind: 'task', name: `report.${tag}.task`, handler: 'log' }));
      for (let round = 0; round < 12; round++) {
        const filter: JobFilter = {
          ...(random() < 0.5 ? { status: pick(['active', 'paused', 'completed'] as const) } : {}),
          ...(random() < 0.5 ? { handler: pick(['log', 'noop', 'fail', 'none']) } : {}),
          ...(random() < 0.4 ? { namePrefix: pick(['Report', 'report', 'sync', 'S']) } : {}),
          q: random() < 0.5 ? `${pick(['REPORT', 'ync', 'c-X'])}` : tag,
        };
        const listed: string[] = [];
        let next: string | undefined;
        let pages = 0;
        do {
          const page = await store.list({ limit: 1 + Math.floor(random() * 7), ...(next ? { next } : {}), filter });
          listed.push(...page.items.map((j) => j.id));
          next = page.next;
        } while (next && ++pages < 200);
        const expected = jobs.filter((j) => matchesFilter(j, filter)).map((j) => j.id);
        // Other tests' jobs share the store: judge only this test's.
        const mine = new Set(jobs.map((j) => j.id));
        expect(listed.filter((id) => mine.has(id)).sort(), JSON.stringify(filter)).toEqual(expected.sort());
        expect(new Set(listed).size).toBe(listed.length);
        expect(
          listed.every((id) => matchesFilter(jobs.find((j) => j.id === id) ?? aJob({ name: 'zzz-none-zzz' }), filter) || !mine.has(id)),
        ).toBe(true);
      }
    });

    it('records an Idempotency-Key once, keeps its answer, takes over only the stale record named, forgets a refused one', async () => {
      const store = await makeStore();
      const key = `idem-${Math.random().toString(36).slice(2)}`;
      const record = { key, fingerprint: 'f1', jobId: 'j1', startedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' };
      const racers = await Promise.all([1, 2, 3].map((n) => store.beginIdempotent({ ...record, jobId: `j${n}` })));
      expect(racers.filter((r) => r.begun)).toHaveLength(1);
      const winner = `j${racers.findIndex((r) => r.begun) + 1}`;
      const lost = racers.find((r) => !r.begun);
      expect(lost).toEqual({ begun: false, existing: { ...record, jobId: winner } });
      // Taking over needs the stale record's startedAt.
      expect((await store.beginIdempotent({ ...record, jobId: 'j9', startedAt: '2026-01-01T00:02:00.000Z' }, 'wrong')).begun).toBe(false);
      expect(await store.beginIdempotent({ ...record, jobId: winner, startedAt: '2026-01-01T00:02:00.000Z' }, record.startedAt)).toEqual({
        begun: true,
      });
      const answer = aJob({ id: winner, payload: { deep: [1, { x: 'ü' }] } });
      await store.finishIdempotent(key, 'someone-else', aJob());
      await store.finishIdempotent(key, winner, answer);
      const after = await store.beginIdempotent({ ...record, jobId: 'late' });
      expect(after).toMatchObject({ begun: false, existing: { jobId: winner, answer } });
      // Answered: neither abandoned nor taken over.
      await store.abandonIdempotent(key, winner);
      expect((await store.beginIdempotent({ ...record, jobId: 'late' }, '2026-01-01T00:02:00.000Z')).begun).toBe(false);
      const refused = `${key}-refused`;
      await store.beginIdempotent({ ...record, key: refused });
      await store.abandonIdempotent(refused, 'not-its-job');
      expect((await store.beginIdempotent({ ...record, key: refused, jobId: 'x' })).begun).toBe(false);
      await store.abandonIdempotent(refused, record.jobId);
      expect((await store.beginIdempotent({ ...record, key: refused, jobId: 'x' })).begun).toBe(true);
    });

    it('reserves an instant for one manual run of a job, whoever asks at once', async () => {
      const store = await makeStore();
      const at = '2026-01-01T00:00:00.123Z';
      const results = await Promise.all(Array.from({ length: 6 }, () => store.reserveRunInstant('job-r', at, '2026-01-02T00:00:00.000Z')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.reserveRunInstant('job-r', '2026-01-01T00:00:00.124Z', '2026-01-02T00:00:00.000Z')).toBe(true);
      expect(await store.reserveRunInstant('job-other', at, '2026-01-02T00:00:00.000Z')).toBe(true);
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

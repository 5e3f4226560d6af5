/** What every ExecutionStore (the ledger) must do. */
import { describe, expect, it } from 'vitest';
import type { ExecutionClaim } from '../../../core/execution.js';
import type { ExecutionStore } from '../../../core/ports.js';

const claimAt = (startedAt: string, overrides: Partial<ExecutionClaim> = {}): ExecutionClaim => ({
  jobId: 'job-1',
  scheduledFor: '2026-01-01T00:01:00.000Z',
  jobName: 'one',
  handler: 'log',
  startedAt,
  leaseUntil: new Date(Date.parse(startedAt) + 60_000).toISOString(),
  ...overrides,
});

export function executionStoreContract(name: string, makeStore: () => Promise<ExecutionStore>, options: { skip?: boolean } = {}) {
  describe.skipIf(options.skip)(`ExecutionStore contract: ${name}`, () => {
    it('claims an occurrence once, however many try at the same time', async () => {
      const store = await makeStore();
      const results = await Promise.all(Array.from({ length: 5 }, () => store.claim(claimAt('2026-01-01T00:01:00.000Z'))));
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      for (const r of results.filter((r) => !r.claimed)) expect(r).toMatchObject({ holder: { status: 'running', attempt: 1 } });
    });

    it('records the outcome of the current attempt, and ignores a stale one', async () => {
      const store = await makeStore();
      await store.claim(claimAt('2026-01-01T00:01:00.000Z'));
      const outcome = { jobId: 'job-1', scheduledFor: '2026-01-01T00:01:00.000Z', status: 'failed' as const, finishedAt: '2026-01-01T00:01:01.000Z', durationMs: 1000, error: { name: 'Error', message: 'no' } };
      expect(await store.complete({ ...outcome, attempt: 1 })).toBe(true);
      expect(await store.complete({ ...outcome, attempt: 1 })).toBe(false);

      const retry = await store.claim(claimAt('2026-01-01T00:01:30.000Z'));
      expect(retry).toMatchObject({ claimed: true, execution: { attempt: 2, status: 'running' } });
      if (retry.claimed) expect(retry.execution.error).toBeUndefined();
      expect(await store.complete({ ...outcome, attempt: 1 })).toBe(false);
      expect(await store.complete({ ...outcome, status: 'succeeded', error: undefined, attempt: 2 })).toBe(true);

      const record = await store.get('job-1', '2026-01-01T00:01:00.000Z');
      expect(record).toMatchObject({ status: 'succeeded', attempt: 2, durationMs: 1000, jobName: 'one', handler: 'log' });
      expect(record!.error).toBeUndefined();
      expect((await store.claim(claimAt('2026-01-01T00:09:00.000Z'))).claimed).toBe(false);
    });

    it('lets a running claim be taken over only after its lease', async () => {
      const store = await makeStore();
      await store.claim(claimAt('2026-01-01T00:01:00.000Z'));
      expect((await store.claim(claimAt('2026-01-01T00:01:59.000Z'))).claimed).toBe(false);
      expect(await store.claim(claimAt('2026-01-01T00:02:00.001Z'))).toMatchObject({ claimed: true, execution: { attempt: 2 } });
    });

    it('lists a job’s executions newest first, in pages, and no other job’s', async () => {
      const store = await makeStore();
      const times = ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:03:00.000Z'];
      for (const t of times) await store.claim(claimAt(t, { scheduledFor: t }));
      await store.claim(claimAt(times[0]!, { jobId: 'other' }));

      const first = await store.listForJob('job-1', { limit: 2 });
      expect(first.items.map((e) => e.scheduledFor)).toEqual([times[2], times[1]]);
      const second = await store.listForJob('job-1', { limit: 2, next: first.next });
      expect(second.items.map((e) => e.scheduledFor)).toEqual([times[0]]);
      expect((await store.listForJob('nobody', { limit: 2 })).items).toEqual([]);
    });
  });
}

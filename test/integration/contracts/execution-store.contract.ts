/** What every ExecutionStore (the ledger) must do. */
import { describe, expect, it } from 'vitest';
import type { ExecutionClaim } from '../../../core/execution/ledger-record.js';
import type { ExecutionStore } from '../../../core/execution/ports.js';

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
      const outcome = {
        jobId: 'job-1',
        scheduledFor: '2026-01-01T00:01:00.000Z',
        status: 'failed' as const,
        finishedAt: '2026-01-01T00:01:01.000Z',
        durationMs: 1000,
        error: { name: 'Error', message: 'no' },
      };
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

    it("keeps a manual run's trigger on its record, through retries and its outcome", async () => {
      const store = await makeStore();
      const trigger = { by: 'ana', reason: 'backfill ünïcode' };
      await store.claim(claimAt('2026-01-01T00:01:00.000Z', { trigger }));
      const outcome = { jobId: 'job-1', scheduledFor: '2026-01-01T00:01:00.000Z', finishedAt: '2026-01-01T00:01:01.000Z', durationMs: 5 };
      await store.complete({ ...outcome, attempt: 1, status: 'failed', error: { name: 'E', message: 'no' } });
      await store.claim(claimAt('2026-01-01T00:01:30.000Z', { trigger }));
      await store.complete({ ...outcome, attempt: 2, status: 'succeeded' });
      expect(await store.get('job-1', '2026-01-01T00:01:00.000Z')).toMatchObject({ status: 'succeeded', attempt: 2, trigger });
      await store.claim(claimAt('2026-01-01T00:01:00.000Z', { scheduledFor: '2026-01-01T00:02:00.000Z' }));
      expect((await store.get('job-1', '2026-01-01T00:02:00.000Z'))!.trigger).toBeUndefined();
    });

    it('counts attempts made before its record (a bundle member taken over), and keeps the attempt an outcome names', async () => {
      const store = await makeStore();
      const claimed = await store.claim(claimAt('2026-01-01T00:01:00.000Z', { priorAttempts: 1 }));
      expect(claimed).toMatchObject({ claimed: true, execution: { attempt: 2 } });
      // A later takeover of a running record counts on from the ledger, whatever it is told.
      expect(await store.claim(claimAt('2026-01-01T00:03:00.000Z', { priorAttempts: 1 }))).toMatchObject({
        claimed: true,
        execution: { attempt: 3 },
      });
      const dead = {
        jobId: 'job-1',
        scheduledFor: '2026-01-01T00:01:00.000Z',
        status: 'dead' as const,
        finishedAt: '2026-01-01T00:03:00.000Z',
        durationMs: 0,
        error: { name: 'AttemptsExhausted', message: 'x' },
        deadReason: 'attempts-exhausted' as const,
        occurrence: '{}',
      };
      expect(await store.complete({ ...dead, attempt: 3, recordAttempt: 2 })).toBe(true);
      expect(await store.get('job-1', '2026-01-01T00:01:00.000Z')).toMatchObject({ status: 'dead', attempt: 2 });
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

    const failAttempt = async (store: ExecutionStore, at: string, status: 'failed' | 'dead') => {
      const claim = await store.claim(claimAt(at));
      if (!claim.claimed) throw new Error('expected a claim');
      await store.complete({
        jobId: 'job-1',
        scheduledFor: '2026-01-01T00:01:00.000Z',
        attempt: claim.execution.attempt,
        status,
        finishedAt: at,
        durationMs: 1,
        error: { name: 'Error', message: `attempt ${claim.execution.attempt}` },
        ...(status === 'dead' ? { deadReason: 'attempts-exhausted' as const, occurrence: '{"kept":true}' } : { retryAt: at }),
      });
    };

    it('keeps a dead record out of reach of claims, and lists it as a dead letter', async () => {
      const store = await makeStore();
      await failAttempt(store, '2026-01-01T00:01:00.000Z', 'failed');
      await failAttempt(store, '2026-01-01T00:01:10.000Z', 'dead');
      expect((await store.claim(claimAt('2026-01-01T00:09:00.000Z'))).claimed).toBe(false);
      const dead = await store.listDead({ limit: 10 });
      expect(dead.items).toHaveLength(1);
      expect(dead.items[0]).toMatchObject({
        status: 'dead',
        attempt: 2,
        deadReason: 'attempts-exhausted',
        diedAt: '2026-01-01T00:01:10.000Z',
        occurrence: '{"kept":true}',
        error: { message: 'attempt 2' },
      });
      expect(dead.items[0]).not.toHaveProperty('deadList');
    });

    it('revives a dead record only for the message holding the armed redrive token', async () => {
      const store = await makeStore();
      await failAttempt(store, '2026-01-01T00:01:00.000Z', 'dead');
      expect((await store.claim(claimAt('2026-01-01T00:02:00.000Z', { redriveId: 'not-armed' }))).claimed).toBe(false);

      expect(await store.armRedrive({ jobId: 'job-1', scheduledFor: '2026-01-01T00:01:00.000Z' }, 'token')).toMatchObject({
        status: 'dead',
      });
      expect((await store.claim(claimAt('2026-01-01T00:02:00.000Z', { redriveId: 'wrong' }))).claimed).toBe(false);
      const revived = await store.claim(claimAt('2026-01-01T00:02:00.000Z', { redriveId: 'token' }));
      expect(revived).toMatchObject({ claimed: true, execution: { status: 'running', attempt: 2, attemptBase: 1 } });
      if (revived.claimed) {
        expect(revived.execution.deadReason).toBeUndefined();
        expect(revived.execution.occurrence).toBeUndefined();
      }
      expect((await store.listDead({ limit: 10 })).items).toEqual([]);
      // The same message delivered again now finds a running claim.
      expect((await store.claim(claimAt('2026-01-01T00:02:01.000Z', { redriveId: 'token' }))).claimed).toBe(false);
    });

    it('discards a dead letter from the list, once', async () => {
      const store = await makeStore();
      await failAttempt(store, '2026-01-01T00:01:00.000Z', 'dead');
      const key = { jobId: 'job-1', scheduledFor: '2026-01-01T00:01:00.000Z' };
      expect(await store.discard(key, '2026-01-02T00:00:00.000Z')).toBe(true);
      expect(await store.discard(key, '2026-01-02T00:00:00.000Z')).toBe(false);
      expect(await store.armRedrive(key, 'token')).toBeUndefined();
      expect((await store.listDead({ limit: 10 })).items).toEqual([]);
      expect(await store.get(key.jobId, key.scheduledFor)).toMatchObject({ status: 'dead' });
    });

    it('records what SQS moved to the dead-letter queue, but leaves finished records alone', async () => {
      const store = await makeStore();
      const arrival = (jobId: string) => ({
        jobId,
        scheduledFor: '2026-01-01T00:01:00.000Z',
        jobName: 'n',
        handler: 'log',
        at: '2026-01-01T01:00:00.000Z',
        occurrence: '{}',
      });
      expect(await store.recordArrivalInDeadLetters(arrival('never-claimed'))).toBe(true);
      await store.claim(claimAt('2026-01-01T00:01:00.000Z', { jobId: 'stuck' }));
      expect(await store.recordArrivalInDeadLetters(arrival('stuck'))).toBe(true);
      expect(await store.get('stuck', '2026-01-01T00:01:00.000Z')).toMatchObject({
        status: 'dead',
        deadReason: 'max-receives',
        attempt: 1,
      });
      expect(await store.recordArrivalInDeadLetters(arrival('stuck'))).toBe(false);

      const done = await store.claim(claimAt('2026-01-01T00:01:00.000Z', { jobId: 'done' }));
      if (done.claimed)
        await store.complete({
          jobId: 'done',
          scheduledFor: '2026-01-01T00:01:00.000Z',
          attempt: 1,
          status: 'succeeded',
          finishedAt: 'x',
          durationMs: 1,
        });
      expect(await store.recordArrivalInDeadLetters(arrival('done'))).toBe(false);
      expect((await store.listDead({ limit: 10 })).items.map((e) => e.jobId).sort()).toEqual(['never-claimed', 'stuck']);
    });

    it('lists dead letters newest first, in pages', async () => {
      const store = await makeStore();
      for (const [i, jobId] of ['a', 'b', 'c'].entries()) {
        await store.recordArrivalInDeadLetters({
          jobId,
          scheduledFor: '2026-01-01T00:01:00.000Z',
          jobName: jobId,
          handler: 'log',
          at: `2026-01-01T00:0${i}:00.000Z`,
          occurrence: '{}',
        });
      }
      const first = await store.listDead({ limit: 2 });
      expect(first.items.map((e) => e.jobId)).toEqual(['c', 'b']);
      expect((await store.listDead({ limit: 2, next: first.next })).items.map((e) => e.jobId)).toEqual(['a']);
    });

    it('records skipped occurrences once, and never over a record that exists', async () => {
      const store = await makeStore();
      await store.claim(claimAt('2026-01-01T00:01:00.000Z'));
      const skip = (scheduledFor: string) => ({ jobId: 'job-1', scheduledFor, jobName: 'one', handler: 'log', reason: 'misfire' as const });
      const recorded = await store.recordSkipped(
        [skip('2026-01-01T00:01:00.000Z'), skip('2026-01-01T00:02:00.000Z'), skip('2026-01-01T00:03:00.000Z')],
        '2026-01-01T05:00:00.000Z',
      );
      expect(recorded).toBe(2);
      expect(await store.recordSkipped([skip('2026-01-01T00:02:00.000Z')], '2026-01-01T05:00:01.000Z')).toBe(0);
      expect(await store.get('job-1', '2026-01-01T00:01:00.000Z')).toMatchObject({ status: 'running' });
      expect(await store.get('job-1', '2026-01-01T00:02:00.000Z')).toMatchObject({
        status: 'skipped',
        skipReason: 'misfire',
        startedAt: '2026-01-01T05:00:00.000Z',
      });
      // A late delivery of a skipped occurrence does not run it.
      expect((await store.claim(claimAt('2026-01-01T05:00:02.000Z', { scheduledFor: '2026-01-01T00:03:00.000Z' }))).claimed).toBe(false);
    });

    it('reads many records at once, leaving out the missing', async () => {
      const store = await makeStore();
      const times = Array.from({ length: 130 }, (_, i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString());
      for (const t of times.slice(0, 120)) await store.claim(claimAt(t, { scheduledFor: t }));
      const found = await store.getMany(times.map((scheduledFor) => ({ jobId: 'job-1', scheduledFor })));
      expect(found.size).toBe(120);
      expect(found.get(`job-1@${times[5]}`)).toMatchObject({ status: 'running', scheduledFor: times[5] });
      expect(found.has(`job-1@${times[125]}`)).toBe(false);
    });

    it('writes a bundle’s outcomes in batches, lists the dead ones, and lets a retry claim a failed one', async () => {
      const store = await makeStore();
      const base = {
        jobName: 'one',
        handler: 'log',
        attempt: 1,
        startedAt: '2026-01-01T00:01:00.000Z',
        leaseUntil: '2026-01-01T00:02:05.000Z',
        finishedAt: '2026-01-01T00:01:00.020Z',
        durationMs: 20,
      };
      const records = Array.from({ length: 30 }, (_, i) => ({
        ...base,
        jobId: `job-${i}`,
        scheduledFor: '2026-01-01T00:01:00.000Z',
        status: 'succeeded' as const,
      }));
      const dead = {
        ...base,
        jobId: 'job-dead',
        scheduledFor: '2026-01-01T00:01:00.000Z',
        status: 'dead' as const,
        error: { name: 'Error', message: 'no' },
        diedAt: base.finishedAt,
        deadReason: 'non-retryable' as const,
        occurrence: '{}',
      };
      const failed = {
        ...base,
        jobId: 'job-failed',
        scheduledFor: '2026-01-01T00:01:00.000Z',
        status: 'failed' as const,
        error: { name: 'Error', message: 'try again' },
        retryAt: '2026-01-01T00:01:10.000Z',
      };
      await store.recordOutcomes([...records, dead, failed]);
      const { durationMs, finishedAt, startedAt } = records[7]!;
      expect(await store.get('job-7', '2026-01-01T00:01:00.000Z')).toEqual({
        ...records[7],
        attempts: [{ attempt: 1, status: 'succeeded', startedAt, finishedAt, durationMs }],
      });
      expect((await store.listDead({ limit: 10 })).items.map((e) => e.jobId)).toEqual(['job-dead']);
      // Not before its retry time: a retry sent early waits.
      expect(await store.claim(claimAt('2026-01-01T00:01:09.000Z', { jobId: 'job-failed' }))).toMatchObject({
        claimed: false,
        holder: { status: 'failed' },
      });
      const retry = await store.claim(claimAt('2026-01-01T00:01:10.000Z', { jobId: 'job-failed' }));
      expect(retry).toMatchObject({ claimed: true, execution: { attempt: 2, status: 'running' } });
    });
  });
}

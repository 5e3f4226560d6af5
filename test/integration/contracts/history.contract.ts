/** What every ExecutionStore must do for the history: attempts kept, listings, counts, cleanup, expiry. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Execution, ExecutionStatus } from '../../../core/execution/ledger-record.js';
import type { ExecutionStore, HistoryQuery } from '../../../core/execution/ports.js';

const T0 = '2026-01-01T00:01:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const claim = (jobId: string, scheduledFor: string, startedAt: string) => ({
  jobId,
  scheduledFor,
  jobName: jobId,
  handler: 'log',
  startedAt,
  leaseUntil: new Date(Date.parse(startedAt) + 60_000).toISOString(),
});
// A fortnight around T0: a listing across jobs walks every day of its range (8 index queries a day), so a
// range of years would spend most of the test reading empty days.
const query = (q: Partial<HistoryQuery>): HistoryQuery => ({
  limit: 100,
  from: '2025-12-25T00:00:00.000Z',
  to: '2026-01-10T00:00:00.000Z',
  now: '2026-06-01T00:00:00.000Z',
  ...q,
});

async function listAll(store: ExecutionStore, q: HistoryQuery): Promise<Execution[]> {
  const all: Execution[] = [];
  let next: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await store.listHistory({ ...q, ...(next ? { next } : {}) });
    all.push(...page.items);
    if (!page.next) return all;
    next = page.next;
  }
  throw new Error('a listing that never ends');
}

export function historyContract(name: string, makeStore: () => Promise<ExecutionStore>, options: { skip?: boolean } = {}) {
  describe.skipIf(options.skip)(`ExecutionStore history contract: ${name}`, () => {
    it('keeps every attempt: a claim appends one, its outcome fills it in; a lost one says so', async () => {
      const store = await makeStore();
      await store.claim(claim('j', T0, at(0)));
      const fail = { jobId: 'j', scheduledFor: T0, attempt: 1, status: 'failed' as const, durationMs: 5, finishedAt: at(5) };
      await store.complete({ ...fail, error: { name: 'Error', message: 'x'.repeat(5_000) }, retryAt: at(10) });
      await store.claim(claim('j', T0, at(10)));
      // Attempt 2's worker dies; attempt 3 takes over after the lease and succeeds.
      await store.claim(claim('j', T0, at(80_000)));
      expect(await store.complete({ ...fail, attempt: 3, status: 'succeeded', finishedAt: at(80_007), durationMs: 7 })).toBe(true);
      const record = (await store.get('j', T0))!;
      expect(record.attempts!.map((a) => [a.attempt, a.status, a.startedAt])).toEqual([
        [1, 'failed', at(0)],
        [2, 'lost', at(10)],
        [3, 'succeeded', at(80_000)],
      ]);
      expect(record.attempts![0]!.error!.message.length).toBeLessThan(600);
      expect(record.attempts![2]).toMatchObject({ finishedAt: at(80_007), durationMs: 7 });
    });

    it('keeps the newest 25 attempts', async () => {
      const store = await makeStore();
      for (let n = 1; n <= 30; n++) {
        await store.claim(claim('j', T0, at(n * 1_000)));
        await store.complete({ jobId: 'j', scheduledFor: T0, attempt: n, status: 'failed', finishedAt: at(n * 1_000 + 1), durationMs: 1 });
      }
      const attempts = (await store.get('j', T0))!.attempts!;
      expect(attempts.map((a) => a.attempt)).toEqual(Array.from({ length: 25 }, (_, i) => i + 6));
    });

    it('lists across jobs newest first, filtered, in pages, leaving out the expired', async () => {
      const store = await makeStore();
      await store.recordSkipped(
        [0, 1, 2].map((i) => ({
          jobId: `s${i}`,
          scheduledFor: at(i * 86_400_000),
          jobName: 's',
          handler: 'log',
          reason: 'misfire' as const,
        })),
        at(0),
        { expiresAt: '2026-05-01T00:00:00.000Z' },
      );
      await store.claim(claim('r', at(3_600_000), at(3_600_000)));
      const all = await listAll(store, query({ limit: 2, now: '2026-01-02T00:00:00.000Z' }));
      expect(all.map((e) => e.jobId)).toEqual(['s2', 's1', 'r', 's0']);
      expect((await listAll(store, query({ statuses: ['running'] }))).map((e) => e.jobId)).toEqual(['r']);
      // After their expiry the skips are not listed, even before the store deletes them.
      expect((await listAll(store, query({}))).map((e) => e.jobId)).toEqual(['r']);
      expect((await listAll(store, query({ jobId: 's1', now: at(0) }))).map((e) => e.jobId)).toEqual(['s1']);
      expect(
        (await store.listHistory(query({ from: at(86_400_000), to: at(2 * 86_400_000), now: at(0) }))).items.map((e) => e.jobId),
      ).toEqual(['s1']);
    });

    it('counts by status, and deletes only final history before a given instant', async () => {
      const store = await makeStore();
      const skip = (jobId: string, scheduledFor: string) => ({
        jobId,
        scheduledFor,
        jobName: 'n',
        handler: 'log',
        reason: 'paused' as const,
      });
      await store.recordSkipped([skip('old', at(0)), skip('new', at(86_400_000 * 3))], at(0));
      await store.claim(claim('running', at(1), at(1)));
      await store.recordArrivalInDeadLetters({
        jobId: 'dead',
        scheduledFor: at(2),
        jobName: 'n',
        handler: 'log',
        at: at(3),
        occurrence: '{}',
      });
      await store.recordArrivalInDeadLetters({
        jobId: 'gone',
        scheduledFor: at(3),
        jobName: 'n',
        handler: 'log',
        at: at(3),
        occurrence: '{}',
      });
      await store.discard({ jobId: 'gone', scheduledFor: at(3) }, at(4));
      expect(await store.countByStatus(at(0), at(86_400_000))).toEqual({ counts: { skipped: 1, running: 1, dead: 2 }, complete: true });
      expect(await store.deleteFinishedBefore(at(86_400_000))).toEqual({ deleted: 2, more: false });
      expect(await store.get('old', at(0))).toBeUndefined();
      expect(await store.get('gone', at(3))).toBeUndefined();
      for (const [jobId, t] of [
        ['running', at(1)],
        ['dead', at(2)],
        ['new', at(86_400_000 * 3)],
      ] as const)
        expect(await store.get(jobId, t), jobId).toBeDefined();
    });

    it('answers a listing as the sorted, filtered truth, across pages (seeded random records and filters)', async () => {
      const statuses: ExecutionStatus[] = ['running', 'skipped', 'dead'];
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              job: fc.integer({ min: 0, max: 3 }),
              minute: fc.integer({ min: 0, max: 4 * 1440 }),
              kind: fc.integer({ min: 0, max: 2 }),
            }),
            {
              maxLength: 25,
            },
          ),
          fc.record({
            limit: fc.integer({ min: 1, max: 7 }),
            status: fc.option(fc.constantFrom(...statuses), { nil: undefined }),
            job: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
            fromMinute: fc.integer({ min: 0, max: 2 * 1440 }),
            span: fc.integer({ min: 1, max: 3 * 1440 }),
          }),
          async (specs, f) => {
            const store = await makeStore();
            const written = new Map<string, { jobId: string; scheduledFor: string; status: ExecutionStatus }>();
            for (const { job, minute, kind } of specs) {
              const jobId = `job${job}`;
              const scheduledFor = at(minute * 60_000);
              if (written.has(`${jobId}@${scheduledFor}`)) continue;
              const status = statuses[kind]!;
              if (status === 'running') await store.claim(claim(jobId, scheduledFor, scheduledFor));
              else if (status === 'skipped')
                await store.recordSkipped([{ jobId, scheduledFor, jobName: jobId, handler: 'log', reason: 'misfire' }], scheduledFor);
              else
                await store.recordArrivalInDeadLetters({
                  jobId,
                  scheduledFor,
                  jobName: jobId,
                  handler: 'log',
                  at: scheduledFor,
                  occurrence: '{}',
                });
              written.set(`${jobId}@${scheduledFor}`, { jobId, scheduledFor, status });
            }
            const from = at(f.fromMinute * 60_000);
            const to = at((f.fromMinute + f.span) * 60_000);
            const jobId = f.job === undefined ? undefined : `job${f.job}`;
            const truth = [...written.values()]
              .filter((r) => r.scheduledFor >= from && r.scheduledFor < to)
              .filter((r) => (f.status ? r.status === f.status : true) && (jobId ? r.jobId === jobId : true))
              .map((r) => `${r.scheduledFor}#${r.jobId}`)
              .sort()
              .reverse();
            const listed = await listAll(
              store,
              query({ limit: f.limit, from, to, ...(f.status ? { statuses: [f.status] } : {}), ...(jobId ? { jobId } : {}) }),
            );
            expect(listed.map((e) => `${e.scheduledFor}#${e.jobId}`)).toEqual(truth);
          },
        ),
        { numRuns: name === 'memory' ? 60 : 12, seed: 20260101 },
      );
    }, 120_000);

    it('refuses a forged page token as a 400 naming next', async () => {
      const store = await makeStore();
      for (const next of [
        'garbage!',
        Buffer.from('{"k":"x"}').toString('base64url'),
        Buffer.from('{"k":"2026-01-01T00:00:00.000Z#a b"}').toString('base64url'),
      ])
        await expect(store.listHistory(query({ next }))).rejects.toMatchObject({ name: 'ValidationError', details: [{ path: 'next' }] });
    });
  });
}

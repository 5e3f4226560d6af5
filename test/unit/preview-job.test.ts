/**
 * GET /v1/jobs/{id}/preview answers with what the tick sends: for random saved
 * jobs (every, cron, at; random startAt, endAt, maxRuns and runs), the preview
 * equals jobOccurrences (the tick's generator) from the same instant: for a job
 * with maxRuns, what is left of its first maxRuns occurrences. Seeded; rerun a failure with FUZZ_SEED=<seed printed>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobOccurrences } from '../../core/schedule/fire-times.js';
import { MAX_INSTANT_MS } from '../../core/kernel/instants.js';
import type { JobView as Job } from '../../functions/http/views.js';
import { testApp } from '../helpers/app.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`preview-job: FUZZ_SEED=${seed}`);
const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
const NOW = Date.parse('2026-01-01T00:00:00Z');

const instant = (min: number, max: number) => fc.integer({ min, max }).map((t) => new Date(NOW + t * 60_000).toISOString());
const schedule = fc.oneof(
  fc.constantFrom('30s', '7m', '1h', '90m', '1d').map((every) => ({ every })),
  fc
    .constantFrom('*/20 * * * *', '0 3 * * *', '30 2 * * *', '0 0 29 2 *', '15 */2 * * 1-5')
    .chain((cron) => fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York').map((timezone) => ({ cron, timezone }))),
  instant(1, 60 * 24 * 30).map((at) => ({ at })),
);
const jobBody = fc.record(
  { schedule, startAt: instant(-600, 60 * 24 * 3), endAt: instant(60, 60 * 24 * 60), maxRuns: fc.integer({ min: 1, max: 30 }) },
  { requiredKeys: ['schedule'] },
);

describe('a saved job previews what the tick sends', () => {
  it('for random jobs, from random instants', async () => {
    await fc.assert(
      fc.asyncProperty(
        jobBody,
        fc.option(fc.integer({ min: 0, max: 25 }), { nil: undefined }),
        fc.integer({ min: -120, max: 60 * 24 * 10 }),
        fc.integer({ min: 1, max: 100 }),
        async (body, runs, fromMin, count) => {
          const t = testApp({ now: new Date(NOW).toISOString() });
          const res = await t.app.request('/v1/jobs', {
            method: 'POST',
            headers,
            body: JSON.stringify({ name: 'j', handler: 'noop', ...body }),
          });
          fc.pre(res.status === 201);
          const created = (await res.json()) as Job;
          // The job's whole run (maxRuns of its occurrences); the tick has sent the first `runs` of them.
          const stored = (await t.jobs.get(created.id))!;
          // The preview looks as far as any instant the API takes.
          const end = new Date(MAX_INSTANT_MS + 1);
          const chain =
            stored.maxRuns === undefined ? [] : [...jobOccurrences(stored, new Date(Date.parse(stored.createdAt)), end, stored.maxRuns)];
          // Left undefined: the state the create left (it counts what it sent at once).
          if (stored.maxRuns !== undefined && runs !== undefined) {
            const sent = Math.min(runs, chain.length);
            await t.jobs.recordRuns(
              stored.id,
              stored.rev,
              sent,
              (chain[sent] ?? new Date((chain[sent - 1] ?? end).getTime() + 1)).toISOString(),
            );
          }
          const job = (await t.jobs.get(created.id))!;
          const from = new Date(NOW + fromMin * 60_000);
          const preview = await t.app.request(`/v1/jobs/${job.id}/preview?count=${count}&from=${from.toISOString()}`, { headers });
          expect(preview.status).toBe(200);
          // Nothing runs at or before the job's creation.
          const since = new Date(Math.max(from.getTime(), NOW));
          const expected = (
            job.maxRuns === undefined ? [...jobOccurrences(job, since, end, count)] : chain.filter((c) => c > since).slice(0, count)
          ).map((d) => d.toISOString());
          expect(((await preview.json()) as { occurrences: { at: string }[] }).occurrences.map((o) => o.at)).toEqual(expected);
        },
      ),
      { seed, numRuns: 150 },
    );
  }, 30_000);

  it('the finding: every 1h from 00:20 until 02:00 previews 00:20 and 01:20', async () => {
    const t = testApp({ now: '2026-01-01T00:00:00.000Z' });
    const body = {
      name: 'hourly',
      schedule: { every: '1h' },
      handler: 'noop',
      startAt: '2026-01-01T00:20:00Z',
      endAt: '2026-01-01T02:00:00Z',
    };
    const created = (await (await t.app.request('/v1/jobs', { method: 'POST', headers, body: JSON.stringify(body) })).json()) as Job;
    const preview = (await (await t.app.request(`/v1/jobs/${created.id}/preview`, { headers })).json()) as {
      occurrences: { at: string }[];
    };
    expect(preview.occurrences.map((o) => o.at)).toEqual(['2026-01-01T00:20:00.000Z', '2026-01-01T01:20:00.000Z']);
  });

  it('a completed job previews nothing, and maxRuns caps the preview', async () => {
    const t = testApp({ now: '2026-01-01T00:00:00.000Z' });
    const body = { name: 'thrice', schedule: { every: '1m' }, handler: 'noop', maxRuns: 3 };
    const created = (await (await t.app.request('/v1/jobs', { method: 'POST', headers, body: JSON.stringify(body) })).json()) as Job;
    const at = async () =>
      ((await (await t.app.request(`/v1/jobs/${created.id}/preview`, { headers })).json()) as { occurrences: unknown[] }).occurrences;
    expect(await at()).toHaveLength(3);
    // The tick sent two (00:01, 00:02): previewed from 00:02:30, one is left.
    await t.jobs.recordRuns(created.id, created.version, 2, '2026-01-01T00:03:00.000Z');
    t.clock.set('2026-01-01T00:02:30.000Z');
    expect(await at()).toEqual([{ at: '2026-01-01T00:03:00.000Z', local: '2026-01-01T00:03:00+00:00' }]);
    await t.jobs.changeStatus({
      jobId: created.id,
      from: 'active',
      to: 'completed',
      expectedRev: created.version,
      nextRunAt: null,
      runs: 3,
      updatedAt: '2026-01-01T00:03:00.000Z',
    });
    expect(await at()).toEqual([]);
  });
});

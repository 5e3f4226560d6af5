/**
 * API fuzz test on the in-memory stores: random and mutated requests against every
 * route (see test/helpers/api-fuzz.ts). Seeded: the seed is printed; rerun with
 * FUZZ_SEED=<seed>.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { checkRequest, fuzzRequest, fuzzSeed, type FuzzTarget } from '../helpers/api-fuzz.js';
import { testApp } from '../helpers/app.js';

console.log(`api-fuzz: FUZZ_SEED=${fuzzSeed}`);
const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };

async function target(): Promise<FuzzTarget> {
  const t = testApp({ now: '2026-01-01T00:00:00.000Z' });
  for (const body of [
    { name: 'a', schedule: { every: '1m' }, handler: 'log', maxRuns: 5 },
    { name: 'b', schedule: { cron: '*/20 * * * * *', timezone: 'Europe/Berlin' }, handler: 'noop', status: 'paused' },
  ]) {
    await t.app.request('/v1/jobs', { method: 'POST', headers, body: JSON.stringify(body) });
  }
  return {
    app: t.app,
    snapshot: async () => {
      const jobs = (await t.jobs.list({ limit: 100 })).items;
      const executions = await Promise.all(jobs.map(async (j) => (await t.executions.listForJob(j.id, { limit: 100 })).items));
      return {
        jobs,
        executions,
        dead: (await t.executions.listDead({ limit: 100 })).items,
        inbox: await t.due.inbox(1000),
        sent: [...t.queue.sent],
        bundles: t.queue.bundles.length,
      };
    },
  };
}

describe('the API under random requests', () => {
  const statuses = new Map<number, number>();
  afterAll(() => console.log('api-fuzz statuses', Object.fromEntries(statuses)));

  it('never answers 5xx, always in the error shape, and a refused request changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const status = await checkRequest(await target(), request);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { seed: fuzzSeed, numRuns: 500 },
    );
  }, 60_000);
});

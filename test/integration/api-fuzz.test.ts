/**
 * The API fuzz test (test/helpers/api-fuzz.ts) against the DynamoDB adapters on an
 * emulator: a store's own refusals (a start key it did not make, a key over its
 * size limit) must be 4xx too, and a refused request writes nothing. The queue is
 * the in-memory one, so what was sent can be compared. Seeded: the seed is
 * printed; rerun with FUZZ_SEED=<seed>.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { deadLetterId } from '../../core/execution/ledger-record.js';
import { encodeOccurrence } from '../../core/execution/occurrence.js';
import type { Job } from '../../core/jobs/job.js';
import { checkRequest, fuzzRequest, fuzzSeed } from '../helpers/api-fuzz.js';
import { anOccurrence } from '../helpers/factories.js';
import { dynamoBackends } from './backends.js';
import { apiOnDynamo } from './api-on-dynamo.js';

const backend = dynamoBackends().find((b) => b.endpoint !== null)!;
console.log(`api-fuzz (integration): FUZZ_SEED=${fuzzSeed}`);

describe(`the API under random requests, on DynamoDB (${backend.name})`, () => {
  it('never answers 5xx, always in the error shape, and a refused request writes nothing', async () => {
    const { app, deps, queue } = await apiOnDynamo(backend.endpoint!);
    const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
    for (const body of [
      { name: 'a', schedule: { every: '1m' }, handler: 'log', maxRuns: 5 },
      { name: 'b', schedule: { cron: '*/20 * * * * *', timezone: 'Europe/Berlin' }, handler: 'noop', status: 'paused' },
    ]) {
      await app.request('/v1/jobs', { method: 'POST', headers, body: JSON.stringify(body) });
    }
    const dead = anOccurrence({ jobId: 'job-dead', payload: { n: 1 } });
    await deps.executions.recordArrivalInDeadLetters({
      jobId: dead.jobId,
      scheduledFor: dead.scheduledFor,
      jobName: dead.jobName,
      handler: dead.handler,
      at: '2026-01-01T00:00:00.000Z',
      occurrence: encodeOccurrence(dead),
    });
    console.log('dead letter id', deadLetterId(dead));

    const allJobs = async () => {
      const out: Job[] = [];
      let next: string | undefined;
      do {
        const page = await deps.jobs.list({ limit: 100, ...(next ? { next } : {}) });
        out.push(...page.items);
        next = page.next;
      } while (next);
      return out.sort((x, y) => x.id.localeCompare(y.id));
    };
    const snapshot = async () => {
      const jobs = await allJobs();
      const executions = await Promise.all(jobs.map(async (j) => (await deps.executions.listForJob(j.id, { limit: 100 })).items));
      return {
        jobs,
        executions,
        dead: (await deps.executions.listDead({ limit: 100 })).items,
        inbox: await deps.due.inbox(1000),
        sent: [...queue.sent],
      };
    };
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        await checkRequest({ app, snapshot }, request);
      }),
      { seed: fuzzSeed, numRuns: 80 },
    );
  }, 120_000);
});

/**
 * Races on DynamoDB found by an outside probe. Renames: two jobs renamed to one name,
 * each rename sent twice, all at once; however they interleave, one job bears the
 * name, and a create of that name is refused. Manual runs: twenty asked for in the
 * same millisecond each get an instant of their own.
 */
import { describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../adapters/aws/dynamo-job-store.js';
import { JobService } from '../../core/service/job-service.js';
import { memoryDeps } from '../helpers/memory-deps.js';
import { dynamoBackends, freshTables } from './backends.js';

for (const backend of dynamoBackends()) {
  describe.skipIf(backend.endpoint === null)(`renames racing on ${backend.name}`, () => {
    it('never leaves two jobs with one name', async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      for (let round = 0; round < 6; round++) {
        const deps = { ...memoryDeps('2026-03-01T10:00:00.000Z'), jobs: new DynamoJobStore(db, names.jobsTable) };
        let n = 0;
        deps.newId = () => `r${round}-${++n}`;
        const service = new JobService(deps);
        const a = await service.create({ name: `a-${round}`, schedule: { every: '1h' }, handler: 'log' });
        const b = await service.create({ name: `b-${round}`, schedule: { every: '1h' }, handler: 'log' });
        const target = `same-${round}`;
        const order = round % 2 === 0 ? [a, a, b, b] : [a, b, a, b];
        await Promise.allSettled(order.map((job) => service.update(job.id, { name: target })));
        const bearing = (await deps.jobs.list({ limit: 100, filter: { namePrefix: target } })).items.filter((j) => j.name === target);
        expect(bearing.length, `round ${round}`).toBe(1);
        await expect(service.create({ name: target, schedule: { every: '1h' }, handler: 'log' })).rejects.toMatchObject({
          name: 'JobNameTakenError',
        });
      }
    });

    it('gives twenty manual runs asked for at once twenty instants', async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      const deps = { ...memoryDeps('2026-03-01T10:00:00.000Z'), jobs: new DynamoJobStore(db, names.jobsTable) };
      const service = new JobService(deps);
      const job = await service.create({ name: 'manual', schedule: { every: '1h' }, handler: 'log' });
      // The clock stands still: every one of them starts from the same millisecond.
      const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => service.trigger(job.id, { reason: `r${i}` })));
      expect(new Set(runs.map((r) => r.scheduledFor)).size).toBe(20);
      expect(new Set(runs.map((r) => r.executionId)).size).toBe(20);
    });
  });
}

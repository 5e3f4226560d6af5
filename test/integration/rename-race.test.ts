/**
 * Renames racing on DynamoDB: two jobs renamed to one name, each rename sent twice,
 * all at once. However they interleave, at most one job bears the name, and a
 * create of that name while one does is refused.
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
  });
}

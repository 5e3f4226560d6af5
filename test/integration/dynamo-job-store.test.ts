/** DynamoDB-specific behaviour beyond the contract: the name lock's crash recovery. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoJobStore } from '../../adapters/aws/dynamo-job-store.js';
import { JobNameTakenError } from '../../core/kernel/errors.js';
import { aJob } from '../helpers/factories.js';
import { dynamoBackends, freshTables } from './backends.js';

for (const backend of dynamoBackends()) {
  describe.skipIf(backend.endpoint === null)(`DynamoJobStore name lock on ${backend.name}`, () => {
    it('takes over the lock a crashed create left behind, but only once it is old enough', async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      const store = new DynamoJobStore(db, names.jobsTable);
      // A create that wrote its name lock and died before writing the job.
      await db.send(
        new PutCommand({
          TableName: names.jobsTable,
          Item: { pk: 'NAME#orphaned', jobId: 'never-written', lockedAt: '2026-01-01T00:00:00.000Z' },
        }),
      );

      // Within a minute the writer might still be running: the name stays taken.
      await expect(store.create(aJob({ name: 'orphaned', createdAt: '2026-01-01T00:00:30.000Z' }))).rejects.toBeInstanceOf(
        JobNameTakenError,
      );

      const later = aJob({ name: 'orphaned', createdAt: '2026-01-01T00:01:00.000Z' });
      await store.create(later);
      expect((await store.get(later.id))!.name).toBe('orphaned');
      await expect(store.create(aJob({ name: 'orphaned', createdAt: '2026-01-01T00:05:00.000Z' }))).rejects.toBeInstanceOf(
        JobNameTakenError,
      );
    });

    it('a rename that died after locking its new name: sent again it goes through; left, the lock is taken over', async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      const store = new DynamoJobStore(db, names.jobsTable);
      const job = aJob({ name: 'old-name' });
      await store.create(job);
      const lock = (name: string, lockedAt: string) =>
        db.send(new PutCommand({ TableName: names.jobsTable, Item: { pk: `NAME#${name}`, jobId: job.id, lockedAt } }));
      // Died right after the lock: the same rename again is not refused by its own lock.
      await lock('new-name', '2026-01-01T00:00:00.000Z');
      expect(
        await store.replace({ ...job, name: 'new-name', rev: 2, updatedAt: '2026-01-01T00:00:05.000Z' }, { rev: 1, name: 'old-name' }),
      ).toBe(true);
      await store.create(aJob({ name: 'old-name' }));
      // Died after the lock and never sent again: the job keeps its name, and the lock is an orphan once old enough.
      await lock('abandoned', '2026-01-01T00:00:00.000Z');
      await expect(store.create(aJob({ name: 'abandoned', createdAt: '2026-01-01T00:00:30.000Z' }))).rejects.toBeInstanceOf(
        JobNameTakenError,
      );
      await store.create(aJob({ name: 'abandoned', createdAt: '2026-01-01T00:01:00.000Z' }));
    });
  });
}

for (const backend of dynamoBackends()) {
  describe.skipIf(backend.endpoint === null)(`DynamoJobStore page tokens on ${backend.name}`, () => {
    it('takes back only a token it gave: a forged key of another item kind is a 400 naming next', async () => {
      const { db, names } = await freshTables(backend.endpoint!);
      const store = new DynamoJobStore(db, names.jobsTable);
      for (let i = 0; i < 3; i++) await store.create(aJob());
      const first = await store.list({ limit: 1 });
      expect((await store.list({ limit: 5, next: first.next! })).items.length).toBe(2);
      for (const forged of [{ pk: 'x' }, { pk: 'NAME#a' }, { pk: `JOB#${'a'.repeat(3000)}` }, { pk: 'JOB#a', extra: 1 }]) {
        const next = Buffer.from(JSON.stringify(forged)).toString('base64url');
        await expect(store.list({ limit: 5, next })).rejects.toMatchObject({ name: 'ValidationError', details: [{ path: 'next' }] });
      }
    });
  });
}

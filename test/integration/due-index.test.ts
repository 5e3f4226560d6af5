import { MemoryDueIndex } from '../../adapters/memory/memory-due-index.js';
import { DynamoDueIndex } from '../../adapters/aws/dynamo-due-index.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoBackends, freshTables, onEachDynamoBackend } from './backends.js';
import { dueIndexContract } from './contracts/due-index.contract.js';

dueIndexContract('memory', async () => new MemoryDueIndex());
onEachDynamoBackend(dueIndexContract, ({ db, names }) => new DynamoDueIndex(db, names.executionsTable, 4));

describe.each(dynamoBackends())('the due index on $name, after SCHEDULER_DUE_SHARDS changes', ({ endpoint }) => {
  const entries = Array.from({ length: 40 }, (_, i) => ({ jobId: `job-${i}`, rev: 1, from: '2026-01-01T00:05:10.000Z', runs: 0 }));
  const slot = '2026-01-01T00:05:00.000Z';

  it.skipIf(endpoint === null).each([
    [4, 1],
    [8, 2],
    [1, 4],
  ])('written with %i shards and read with %i, loses no entry', async (before, after) => {
    const { db, names } = await freshTables(endpoint!);
    await new DynamoDueIndex(db, names.executionsTable, before).write(entries, 'tick');
    const later = new DynamoDueIndex(db, names.executionsTable, after);
    expect((await later.read(slot)).map((e) => e.jobId).sort()).toEqual(entries.map((e) => e.jobId).sort());
    expect(await later.firstSlotFrom('2026-01-01T00:00:00.000Z')).toBe(slot);
  });

  it.skipIf(endpoint === null)('finds entries written before layouts were recorded', async () => {
    const { db, names } = await freshTables(endpoint!);
    await db.send(
      new PutCommand({
        TableName: names.executionsTable,
        Item: {
          jobId: '#due#5',
          scheduledFor: `${slot}#old#0000`,
          entries: JSON.stringify([['job-old', 1, Date.parse('2026-01-01T00:05:10.000Z'), 0]]),
        },
      }),
    );
    expect((await new DynamoDueIndex(db, names.executionsTable, 1).read(slot)).map((e) => e.jobId)).toEqual(['job-old']);
  });
});

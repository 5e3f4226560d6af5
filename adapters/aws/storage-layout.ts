/**
 * The storage layout: every kind of item in each DynamoDB table, with its keys,
 * who writes it, who reads it, and when it goes. The adapters build their keys
 * here; the local provisioning and the tests create the tables from the
 * definitions below; infra/storage.ts declares the same shape for AWS.
 *
 * Jobs table (partition key `pk`):
 *
 * | item      | pk            | written by                     | read by                   | expires |
 * | --------- | ------------- | ------------------------------ | ------------------------- | ------- |
 * | job       | `JOB#<id>`    | the API (create, pause, resume, delete), the tick (completion, runs), the worker (overlap lock) | everyone | deleted with the job |
 * | name lock | `NAME#<name>` | the API (create, in one transaction with the job) | the API (a taken name is a 409) | deleted with the job |
 *
 * Executions table (partition `jobId`, sort `scheduledFor`). Job ids never start
 * with `#`, so the reserved partitions below meet no job:
 *
 * | item           | jobId                | scheduledFor                          | written by | read by | expires |
 * | -------------- | -------------------- | ------------------------------------- | ---------- | ------- | ------- |
 * | ledger record  | `<job id>`           | the occurrence's instant              | the worker, the tick and recovery (skips), the API (pause, delete, redrive) | the API (history, dead letters), the worker, recovery | kept (history) |
 * | claim group    | `#claim#<instant>#<group>` | `claim`                         | the worker (claims), a pause (holds), recovery (holds) | the worker | `expiresAt`: 15 days after its last claim |
 * | due slot       | `#due#<shard>`       | `<slot>#<source>#<chunk, 4 digits>`           | the tick, the API's early send | the tick | `expiresAt`: 7 days after its slot |
 * | tick progress  | `#tick`              | `progress`                            | the tick (conditional advance) | the tick, the API (a pause's backlog) | never |
 * | tick plan      | `#tick`              | `plan`                                | the tick (first planning of a slot) | the tick repeating a slot | never (one item) |
 * | shard layout   | `#tick`              | `layout`                              | the tick and the API, before writing to more shards | the tick | never (one item) |
 * | inbox entry    | `#inbox`             | `<submittedAt>#<job id>#<rev>`        | the API (create, resume) | the tick (takes and deletes it) | deleted when taken |
 * | dispatch entry | `#dispatch`          | `<sentAt>#<uuid>`                     | every sender of first attempts | recovery (settles or deletes it) | deleted when all its occurrences are done |
 *
 * The `dead` index (partition `deadList`, sort `diedAt`) is sparse: only dead
 * letters not yet redriven or discarded carry `deadList`.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Jobs table keys. */
export const jobKey = (id: string) => ({ pk: `JOB#${id}` });
export const nameKey = (name: string) => ({ pk: `NAME#${name}` });

/** Executions table keys of the reserved partitions. */
export const claimGroupKey = (group: string) => ({ jobId: `#claim#${group}`, scheduledFor: 'claim' });
export const dueSlotPartition = (shard: number | string) => `#due#${shard}`;
export const dueSlotSortKey = (slot: string, source: string, chunk: string) => `${slot}#${source}#${chunk}`;
export const TICK_PROGRESS_KEY = { jobId: '#tick', scheduledFor: 'progress' };
export const TICK_PLAN_KEY = { jobId: '#tick', scheduledFor: 'plan' };
export const SHARD_LAYOUT_KEY = { jobId: '#tick', scheduledFor: 'layout' };
export const INBOX_PARTITION = '#inbox';
export const inboxKey = (e: { submittedAt: string; jobId: string; rev: number }) => ({
  jobId: INBOX_PARTITION,
  scheduledFor: `${e.submittedAt}#${e.jobId}#${e.rev}`,
});
export const DISPATCH_PARTITION = '#dispatch';

export const DEAD_INDEX = 'dead';
/** The dead index's one partition key value: dead letters are few, and listed newest first. */
export const DEAD_LIST = 'dead';

export function jobsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  };
}

/** The ledger table's TTL attribute: due-index slots expire through it (free deletes). */
export const EXPIRES_AT = 'expiresAt';

/** The ledger table also holds the due index and the dispatch log, under partitions that start with `#`. */
export function executionsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'jobId', AttributeType: 'S' },
      { AttributeName: 'scheduledFor', AttributeType: 'S' },
      { AttributeName: 'deadList', AttributeType: 'S' },
      { AttributeName: 'diedAt', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'jobId', KeyType: 'HASH' },
      { AttributeName: 'scheduledFor', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        // Sparse: only dead letters not yet redriven or discarded carry deadList.
        IndexName: DEAD_INDEX,
        KeySchema: [
          { AttributeName: 'deadList', KeyType: 'HASH' },
          { AttributeName: 'diedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/**
 * The storage layout: every kind of item in each DynamoDB table, with its keys,
 * who writes it, who reads it, and when it goes. The adapters build their keys
 * here; the local provisioning and the tests create the tables from the
 * definitions below; infra/storage.ts declares the same shape for AWS.
 *
 * Jobs table (partition key `pk`):
 * - job: `JOB#<id>`. Written by the API (create, pause, resume, delete), the tick
 *   (completion, runs) and the worker (the overlap lock); read by all. Goes with the job.
 * - name lock: `NAME#<name>`. Written by the API's create, in one transaction with
 *   the job; read by the API (a taken name is a 409). Goes with the job.
 * - runtime settings: `CONFIG#runtime`. Written by the API (PUT /v1/config, a conditional
 *   write on its `version`); read by every process through a cache (at most every
 *   SETTINGS_MAX_AGE_MS) and by GET /v1/config and /health. One item, kept.
 *
 * Executions table (partition `jobId`, sort `scheduledFor`). Job ids never start
 * with `#`, so the reserved partitions below meet no job:
 * - ledger record: `<job id>` / the occurrence's instant. Written by the worker, the
 *   tick and recovery (skips), the API (pause, delete, redrive); read by the API
 *   (history, dead letters), the worker and recovery. Kept: it is the history.
 * - claim group: `#claim#<instant>#<group>` / `claim`. Written by the worker
 *   (claims), a pause and recovery (holds); read by the worker. Expires (`expiresAt`)
 *   15 days after its last claim.
 * - due slot: `#due#<shard>` / `<slot>#<source>#<chunk, 4 digits>`. Written by the
 *   tick and the API's early send; read by the tick. Expires 7 days after its slot.
 * - tick progress: `#tick` / `progress`. Written by the tick (a conditional advance);
 *   read by the tick and the API (a pause's backlog). One item, kept.
 * - tick plan: `#tick` / `plan`. Written by the tick when it first plans a slot;
 *   read by a tick repeating the slot. One item, kept.
 * - last tick: `#tick` / `last-run`. Put by every tick after its work (when it ran, how
 *   long, what it sent); read by GET /v1/status. One item, overwritten.
 * - shard layout: `#tick` / `layout`. Written by the tick and the API before they
 *   write to more shards; read by the tick. One item, kept.
 * - inbox entry: `#inbox` / `<submittedAt>#<job id>#<rev>`. Written by the API
 *   (create, resume); read by the tick, which deletes it when it takes it.
 * - concurrency slots: `#slots#<chunk, 4 digits>` / `slots`, SLOTS_PER_ITEM slots each
 *   (`s<i>` = `<leaseUntil>|<holder>`). Written by the worker (takes a slot before a
 *   handler runs, lets go after) only while a maxConcurrency is set; read by the worker.
 *   Kept (a few items: limit / SLOTS_PER_ITEM); a dead worker's slot frees itself when
 *   its lease ends.
 * - dispatch entry: `#dispatch` / `<sentAt>#<uuid>`. Written by every sender of first
 *   attempts; read by recovery, which deletes it once its occurrences are done.
 *
 * The `dead` index (partition `deadList`, sort `diedAt`) is sparse: only dead
 * letters not yet redriven or discarded carry `deadList`.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Jobs table keys. */
export const jobKey = (id: string) => ({ pk: `JOB#${id}` });
export const nameKey = (name: string) => ({ pk: `NAME#${name}` });
export const RUNTIME_SETTINGS_KEY = { pk: 'CONFIG#runtime' };

/** Executions table keys of the reserved partitions. */
export const claimGroupKey = (group: string) => ({ jobId: `#claim#${group}`, scheduledFor: 'claim' });
export const dueSlotPartition = (shard: number | string) => `#due#${shard}`;
export const dueSlotSortKey = (slot: string, source: string, chunk: string) => `${slot}#${source}#${chunk}`;
export const TICK_PROGRESS_KEY = { jobId: '#tick', scheduledFor: 'progress' };
export const TICK_PLAN_KEY = { jobId: '#tick', scheduledFor: 'plan' };
export const TICK_RUN_KEY = { jobId: '#tick', scheduledFor: 'last-run' };
export const SHARD_LAYOUT_KEY = { jobId: '#tick', scheduledFor: 'layout' };
export const INBOX_PARTITION = '#inbox';
export const inboxKey = (e: { submittedAt: string; jobId: string; rev: number }) => ({
  jobId: INBOX_PARTITION,
  scheduledFor: `${e.submittedAt}#${e.jobId}#${e.rev}`,
});
export const DISPATCH_PARTITION = '#dispatch';
export const SLOTS_PER_ITEM = 20;
/** Each item of slots in a partition of its own: slot writes spread over partitions, never one hot key. */
export const concurrencySlotKey = (chunk: number) => ({ jobId: `#slots#${String(chunk).padStart(4, '0')}`, scheduledFor: 'slots' });

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

/**
 * The storage layout: every kind of item in each DynamoDB table, with its keys,
 * who writes it, who reads it, and when it goes. The adapters build their keys
 * here; the local provisioning and the tests create the tables from the
 * definitions below; infra/storage.ts declares the same shape for AWS.
 *
 * Jobs table (partition key `pk`):
 * - job: `JOB#<id>`. Written by the API (create, pause, resume, delete), the tick
 *   (completion, runs) and the worker (the overlap lock); read by all. Goes with the job.
 * - name lock: `NAME#<name>`. Written by the API's create and a rename, before the
 *   job; read by the API (a taken name is a 409). Goes with the job (or the rename).
 * - task: `JOB#<id>` with `kind` = `task`: one-off work from POST /v1/enqueue, a
 *   one-time job with no name lock, left out of the job list. Expires (`expiresAt`,
 *   the table's TTL) a while after its instant; its history stays in the ledger.
 * - uniqueKey lock: `UNIQUE#<key>`. Written by the API's enqueue (holder: the
 *   task's execution id); taken over once that execution is final. Expires with its task.
 * - idempotency record: `IDEM#<key>`. Written by the API's create with an
 *   Idempotency-Key (the job id it gives, the body's fingerprint, then its answer);
 *   read by a create sent again with that key. Expires (`expiresAt`) after a day.
 * - manual run instant: `RUN#<job id>#<instant>`. Written by the API's trigger (a
 *   conditional put: two manual runs asked for at once never share an instant). Expires a day later.
 * - runtime settings: `CONFIG#runtime`. Written by the API (PUT /v1/config, a conditional
 *   write on its `version`); read by every process through a cache (at most every
 *   SETTINGS_MAX_AGE_MS) and by GET /v1/config and /health. One item, kept.
 * - scheduler pause: `CONFIG#scheduler-pause` (`pausedAt`, `by`, `note`). Written by the
 *   API (POST /v1/scheduler/pause, a conditional put; /resume deletes it); read by every
 *   tick (a strongly consistent GetItem, before any work), by the API before it sends a
 *   job's first occurrences itself, and by GET /v1/status. There only while paused.
 *
 * Executions table (partition `jobId`, sort `scheduledFor`). Job ids never start
 * with `#`, so the reserved partitions below meet no job:
 * - ledger record: `<job id>` / the occurrence's instant. Written by the worker, the
 *   tick and recovery (skips), the API (pause, delete, redrive, cleanup); read by the API
 *   (history, dead letters, stats), the worker and recovery. Final ones (succeeded,
 *   skipped, dead letters discarded) expire (`expiresAt`, epoch seconds) `retentionDays`
 *   after they finished; the rest is kept. `attempts` holds the newest 25 attempts.
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
 *
 * The `history` index (partition `historyShard` = `<day of scheduledFor>#<shard>`, sort
 * `historyKey` = `<scheduledFor>#<job id>`) lists executions across jobs, newest first: a
 * listing walks the day buckets back from its upper bound and merges the shards of each.
 * Only ledger records carry the two attributes (every write of one sets them), so the
 * reserved partitions never appear in it. Why shards: every write of a ledger record is
 * also a write to its index partition, and one index partition takes 1,000 writes a second;
 * a day bucket alone would cap the whole scheduler's ledger at that (and a throttled index
 * throttles the table's writes). 8 shards by a hash of the occurrence key take 8,000 index
 * writes a second (an execution costs one to three: a bundle member's outcome, or a claim
 * and an outcome), past the 10,000-in-2-seconds burst the benchmark measures; a listing
 * pays 8 queries a day bucket. It projects what a listing shows (not `attempts`, not the
 * stored message), so an index write is one unit for most records. Records written before
 * the index existed carry no key until their next write; they are listed per job only.
 * The index is eventually consistent on AWS: a listing may lag a write by a moment, and
 * cleanup checks each record's status in the table itself (a conditional delete).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { fnv1a32 } from '../../core/kernel/hash.js';

/** Jobs table keys. */
export const jobKey = (id: string) => ({ pk: `JOB#${id}` });
export const nameKey = (name: string) => ({ pk: `NAME#${name}` });
export const uniqueKeyKey = (key: string) => ({ pk: `UNIQUE#${key}` });
export const idempotencyKey = (key: string) => ({ pk: `IDEM#${key}` });
export const runInstantKey = (jobId: string, instant: string) => ({ pk: `RUN#${jobId}#${instant}` });
export const RUNTIME_SETTINGS_KEY = { pk: 'CONFIG#runtime' };
export const SCHEDULER_PAUSE_KEY = { pk: 'CONFIG#scheduler-pause' };

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

export const HISTORY_INDEX = 'history';
export const HISTORY_SHARDS = 8;

/** The history index's key attributes of a ledger record (see above). */
export function historyKeys(e: { jobId: string; scheduledFor: string }): { historyShard: string; historyKey: string } {
  const shard = fnv1a32(`${e.jobId}@${e.scheduledFor}`) % HISTORY_SHARDS;
  return { historyShard: historyShard(e.scheduledFor.slice(0, 10), shard), historyKey: `${e.scheduledFor}#${e.jobId}` };
}

export const historyShard = (day: string, shard: number) => `${day}#${shard}`;

/** What the history index carries besides its keys and the table's: what a listing shows. */
export const HISTORY_PROJECTION = [
  'jobName',
  'handler',
  'status',
  'attempt',
  'startedAt',
  'finishedAt',
  'durationMs',
  'error',
  'retryAt',
  'diedAt',
  'deadReason',
  'skipReason',
  'expiresAt',
  'deadList',
];

export function jobsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  };
}

/** The ledger table's TTL attribute (epoch seconds): due-index slots, claim groups and final history expire through it (free deletes). */
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
      { AttributeName: 'historyShard', AttributeType: 'S' },
      { AttributeName: 'historyKey', AttributeType: 'S' },
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
      {
        IndexName: HISTORY_INDEX,
        KeySchema: [
          { AttributeName: 'historyShard', KeyType: 'HASH' },
          { AttributeName: 'historyKey', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: HISTORY_PROJECTION },
      },
    ],
  };
}

/** The three Lambda functions and what triggers them. */
import { WORKER_MAX_CONCURRENCY, WORKER_TIMEOUT_SECONDS } from '../core/kernel/limits';
import { queueAccess, tableAccess } from './permissions';
import { deadLetterQueue, workQueue } from './queue';
import { executionsTable, jobsTable } from './storage';

const runtime = 'nodejs22.x';

const environment = {
  SCHEDULER_JOBS_TABLE: jobsTable.name,
  SCHEDULER_EXECUTIONS_TABLE: executionsTable.name,
  SCHEDULER_QUEUE_URL: workQueue.url,
  SCHEDULER_DEAD_LETTER_QUEUE_URL: deadLetterQueue.url,
};

/** Comma-separated API keys: `npx sst secret set ApiKeys "key1,key2"`. */
export const apiKeys = new sst.Secret('ApiKeys');

export const api = new sst.aws.Function('Api', {
  handler: 'functions/api.handler',
  runtime,
  url: true,
  timeout: '29 seconds',
  // /docs serves Swagger UI's files from this package at run time: installed beside the bundle, not inlined.
  nodejs: { install: ['swagger-ui-dist'] },
  environment: { ...environment, SCHEDULER_API_KEYS: apiKeys.value },
  // The ledger table also holds the due index (inbox, progress), the dispatch log, the claim groups a pause holds
  // and the last tick's record (GET /v1/status); the jobs table the runtime settings (/v1/config). GetQueueAttributes
  // is GET /health's cheap read of the queue.
  permissions: [
    tableAccess(jobsTable, ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem', 'Scan']),
    // DeleteItem: POST /v1/cleanup; GetQueueAttributes: the depths in GET /v1/stats and /health.
    tableAccess(executionsTable, ['Query', 'GetItem', 'UpdateItem', 'PutItem', 'DeleteItem']),
    queueAccess(workQueue, ['SendMessage', 'GetQueueAttributes']),
    queueAccess(deadLetterQueue, ['GetQueueAttributes']),
  ],
});

export const tick = new sst.aws.CronV2('Tick', {
  schedule: 'rate(1 minute)',
  function: {
    handler: 'functions/tick.handler',
    runtime,
    timeout: '50 seconds',
    environment,
    // Jobs are read in batches and completed; the due index's slots, inbox and progress, the dispatch
    // log and (for recovery, core/dispatch/recovery.ts) the ledger live in the ledger table.
    permissions: [
      tableAccess(jobsTable, ['BatchGetItem', 'GetItem', 'UpdateItem']),
      tableAccess(executionsTable, ['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query']),
      queueAccess(workQueue, ['SendMessage']),
    ],
  },
});

export const worker = workQueue.subscribe(
  {
    handler: 'functions/worker.handler',
    runtime,
    timeout: `${WORKER_TIMEOUT_SECONDS} seconds`,
    environment,
    permissions: [
      // Claims (single and per group), outcomes in batches, and what a redelivery must check.
      tableAccess(executionsTable, ['BatchGetItem', 'BatchWriteItem', 'GetItem', 'UpdateItem']),
      // The overlap lock on the job item (core/execution/occurrence-executor.ts); the runtime settings (GetItem).
      // The concurrency slots (BatchGetItem, UpdateItem) are in the ledger table, granted above.
      tableAccess(jobsTable, ['UpdateItem', 'GetItem']),
      queueAccess(workQueue, ['ChangeMessageVisibility', 'SendMessage']),
      queueAccess(deadLetterQueue, ['SendMessage']),
    ],
  },
  {
    // Without partialResponses one failing message would redeliver its whole batch.
    batch: { size: 10, window: '0 seconds', partialResponses: true },
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: WORKER_MAX_CONCURRENCY } } },
  },
);

/** Records in the ledger whatever reaches the dead-letter queue by SQS's own redrive. */
export const deadLetterConsumer = deadLetterQueue.subscribe(
  {
    handler: 'functions/dead-letter.handler',
    runtime,
    timeout: '30 seconds',
    environment,
    permissions: [tableAccess(executionsTable, ['UpdateItem'])],
  },
  { batch: { size: 10, window: '0 seconds', partialResponses: true } },
);

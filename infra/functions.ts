/** The Lambda functions and what triggers them. */
import { WORKER_MAX_CONCURRENCY, WORKER_TIMEOUT_SECONDS } from '../core/kernel/limits';
import { queueAccess, tableAccess } from './permissions';
import { deadLetterQueue, tickDeadLetters, workQueue } from './queue';
import { corsOrigins, logRetention } from './stage';
import { executionsTable, jobsTable } from './storage';

/** Every function: the newest Node.js Lambda runs, on Graviton (about 20% cheaper per second than x86). */
const base = {
  runtime: 'nodejs24.x',
  architecture: 'arm64',
  logging: { retention: logRetention },
} as const;

const environment = {
  SCHEDULER_JOBS_TABLE: jobsTable.name,
  SCHEDULER_EXECUTIONS_TABLE: executionsTable.name,
  SCHEDULER_QUEUE_URL: workQueue.url,
  SCHEDULER_DEAD_LETTER_QUEUE_URL: deadLetterQueue.url,
};

/** Seconds EventBridge Scheduler keeps trying to invoke one tick: the next one comes a minute later anyway. */
export const TICK_EVENT_MAX_AGE_SECONDS = 60;
/** Invocation attempts EventBridge Scheduler adds when Lambda refuses one (throttled), within that minute. */
export const TICK_INVOKE_RETRIES = 2;

export const tick = new sst.aws.CronV2('Tick', {
  schedule: 'rate(1 minute)',
  retries: TICK_INVOKE_RETRIES,
  dlq: tickDeadLetters.arn,
  // CronV2 sets the retry count only; a tick older than a minute is not worth delivering.
  transform: {
    schedule: (args, opts) => {
      // POST /v1/scheduler/pause turns the schedule off; a later deploy must not turn it back on.
      opts.ignoreChanges = ['state'];
      args.target = $output(args.target).apply((target) => ({
        ...target,
        retryPolicy: { maximumRetryAttempts: TICK_INVOKE_RETRIES, maximumEventAgeInSeconds: TICK_EVENT_MAX_AGE_SECONDS },
      }));
    },
  },
  function: {
    ...base,
    handler: 'functions/tick.handler',
    timeout: '50 seconds',
    // A failed tick is not retried by Lambda: the next minute's tick is the retry, and it catches
    // up from the due index's progress (a retry would only run beside it).
    retries: 0,
    environment,
    // Jobs are read in batches and completed; the due index's slots, inbox and progress, the dispatch
    // log and (for recovery, core/dispatch/recovery.ts) the ledger live in the ledger table.
    permissions: [
      tableAccess(jobsTable, ['BatchGetItem', 'GetItem', 'UpdateItem']),
      // UpdateItem: the due index's layout item on a fresh table, and the claim groups recovery holds.
      tableAccess(executionsTable, ['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem']),
      queueAccess(workQueue, ['SendMessage']),
    ],
    // Scheduler invokes the tick asynchronously: a throttled one would wait in Lambda's own queue for
    // up to 6 hours and run beside fresh ones. Older than a minute, it is dropped.
    transform: { eventInvokeConfig: { maximumEventAgeInSeconds: TICK_EVENT_MAX_AGE_SECONDS } },
  },
});

/** Comma-separated API keys: `npx sst secret set ApiKeys "key1,key2" --stage <stage>`. */
export const apiKeys = new sst.Secret('ApiKeys');

export const api = new sst.aws.Function('Api', {
  ...base,
  handler: 'functions/api.handler',
  // The app answers CORS itself, from SCHEDULER_CORS_ORIGINS, as it does locally; the URL's own CORS
  // (SST's default lets every origin in) would add a second set of headers.
  url: { cors: false },
  timeout: '29 seconds',
  // /docs serves Swagger UI's files from this package at run time: installed beside the bundle, not inlined.
  nodejs: { install: ['swagger-ui-dist'] },
  environment: {
    ...environment,
    SCHEDULER_API_KEYS: apiKeys.value,
    SCHEDULER_CORS_ORIGINS: corsOrigins,
    // POST /v1/scheduler/pause and /resume turn this schedule off and on; GET /v1/status reads it.
    SCHEDULER_TICK_SCHEDULE_NAME: tick.nodes.schedule.name,
    SCHEDULER_TICK_SCHEDULE_GROUP: tick.nodes.schedule.groupName,
  },
  // The ledger table also holds the due index (inbox, progress), the dispatch log, the claim groups a pause holds
  // and the last tick's record (GET /v1/status); the jobs table the runtime settings (/v1/config).
  permissions: [
    tableAccess(jobsTable, ['GetItem', 'PutItem', 'DeleteItem', 'UpdateItem', 'Scan']),
    // DeleteItem: POST /v1/cleanup; the batches: the due index's takes (a create refused, an edit), a paused
    // job's resume with maxRuns, and the records of occurrences the queue refused.
    tableAccess(executionsTable, ['BatchGetItem', 'BatchWriteItem', 'Query', 'GetItem', 'UpdateItem', 'PutItem', 'DeleteItem']),
    // GetQueueAttributes: the depths in GET /v1/stats and GET /health's cheap read of the queue.
    queueAccess(workQueue, ['SendMessage', 'GetQueueAttributes']),
    queueAccess(deadLetterQueue, ['GetQueueAttributes']),
    // UpdateSchedule replaces the whole schedule, so it reads it first and hands back its target's role.
    { actions: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'], resources: [tick.nodes.schedule.arn] },
    {
      actions: ['iam:PassRole'],
      resources: [tick.nodes.role.arn],
      conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['scheduler.amazonaws.com'] }],
    },
  ],
});

export const worker = workQueue.subscribe(
  {
    ...base,
    handler: 'functions/worker.handler',
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
    ...base,
    handler: 'functions/dead-letter.handler',
    timeout: '30 seconds',
    environment,
    permissions: [tableAccess(executionsTable, ['UpdateItem'])],
  },
  { batch: { size: 10, window: '0 seconds', partialResponses: true } },
);

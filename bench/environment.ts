/**
 * What every scenario runs on: DynamoDB Local (it reports consumed capacity, as
 * AWS does) and local-aws-sqs, in memory, with metered clients.
 */
import { memoryRuntimePorts } from '../adapters/memory/memory-settings-store.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '../adapters/aws/dynamo-batch.js';
import { DynamoBundleClaims } from '../adapters/aws/dynamo-bundle-claims.js';
import { DynamoDueIndex } from '../adapters/aws/dynamo-due-index.js';
import { randomUUID } from 'node:crypto';
import { createDynamoDocumentClient, createSqsClient } from '../adapters/aws/clients.js';
import { DynamoDispatchLog } from '../adapters/aws/dynamo-dispatch-log.js';
import { DynamoExecutionStore } from '../adapters/aws/dynamo-execution-store.js';
import { DynamoJobStore } from '../adapters/aws/dynamo-job-store.js';
import { AwsMeter } from '../adapters/aws/metering.js';
import { SqsQueue } from '../adapters/aws/sqs-queue.js';
import { realSleep, systemClock } from '../adapters/system-clock.js';
import type { Job } from '../core/jobs/job.js';
import type { Logger } from '../core/kernel/ports.js';
import { BUILT_IN_POLICY } from '../core/jobs/policies.js';
import { DEFAULT_TICK_SETTINGS } from '../core/dispatch/tick.js';
import type { SchedulerDeps } from '../functions/wiring.js';
import { createHandlers } from '../handlers/index.js';
import { javaAvailable, startDynamoDbLocal, startSqsEmulatorProcess, type RunningEmulator } from '../local/emulators.js';
import { provisionQueues, provisionTables } from '../local/provision.js';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface BenchEnvironment {
  meter: AwsMeter;
  deps: SchedulerDeps;
  db: DynamoDBDocumentClient;
  jobStore: DynamoJobStore;
  sqs: ReturnType<typeof createSqsClient>;
  queueUrl: string;
  /** Where the emulators answer, for scenarios that run the local runtime as a process of its own. */
  endpoints: { dynamo: string; sqs: string };
  stop(): Promise<void>;
}

export async function startEnvironment(): Promise<BenchEnvironment> {
  if (!javaAvailable()) throw new Error('the benchmark needs DynamoDB Local (Java 17): it is the emulator that reports consumed capacity');
  const emulators: RunningEmulator[] = [await startDynamoDbLocal(), await startSqsEmulatorProcess()];
  const [dynamo, sqsEmulator] = emulators as [RunningEmulator, RunningEmulator];
  await provisionTables(new DynamoDBClient({ region, endpoint: dynamo.endpoint, credentials }));
  const meter = new AwsMeter();
  const options = { region, dynamoEndpoint: dynamo.endpoint, sqsEndpoint: sqsEmulator.endpoint, credentials, meter };
  const db = createDynamoDocumentClient(options);
  const sqs = createSqsClient(options);
  const { queueUrl, deadLetterQueueUrl } = await provisionQueues(sqs);
  const jobStore = new DynamoJobStore(db, 'scheduler-jobs');
  const deps: SchedulerDeps = {
    jobs: jobStore,
    due: new DynamoDueIndex(db, 'scheduler-executions', 4),
    claims: new DynamoBundleClaims(db, 'scheduler-executions'),
    executions: new DynamoExecutionStore(db, 'scheduler-executions'),
    queue: new SqsQueue(sqs, queueUrl, deadLetterQueueUrl),
    dispatchLog: new DynamoDispatchLog(db, 'scheduler-executions'),
    clock: systemClock,
    logger: quietLogger,
    handlers: createHandlers(),
    newId: randomUUID,
    sleep: realSleep,
    random: Math.random,
    jobDefaults: BUILT_IN_POLICY,
    ...memoryRuntimePorts(BUILT_IN_POLICY, systemClock),
    settings: DEFAULT_TICK_SETTINGS,
  };
  meter.reset();
  return {
    meter,
    deps,
    db,
    jobStore,
    sqs,
    queueUrl,
    endpoints: { dynamo: dynamo.endpoint, sqs: sqsEmulator.endpoint },
    stop: async () => void (await Promise.all(emulators.map((e) => e.stop()))),
  };
}

let loads = 0;

/**
 * Loads jobs straight into the table with BatchWriteItem, and their chains into
 * the due index (as the tick would have left them); not metered.
 */
export async function loadJobs(env: BenchEnvironment, jobs: Job[]): Promise<void> {
  const items = jobs.flatMap((j) => env.jobStore.itemsFor(j));
  await batchWrite(
    env.db,
    'scheduler-jobs',
    items.map((Item) => ({ PutRequest: { Item } })),
  );
  await env.deps.due.write(
    jobs.map((j) => ({ jobId: j.id, rev: j.rev, from: j.nextRunAt!, runs: 0 })),
    `bench-load-${++loads}`,
  );
  env.meter.reset();
}

let counter = 0;

/** A job due in the next minute (hourly, first run `dueAt`), or one due next year. */
export function benchJob(dueAt: Date | 'later', handler = 'noop'): Job {
  counter++;
  const now = new Date();
  const createdAt = dueAt === 'later' ? now : new Date(dueAt.getTime() - 3_600_000);
  const id = randomUUID();
  return {
    id,
    name: `bench-${counter}-${id.slice(0, 8)}`,
    schedule: dueAt === 'later' ? { cron: '0 0 1 1 *', timezone: 'UTC' } : { every: '1h' },
    handler,
    payload: { n: counter },
    status: 'active',
    policy: BUILT_IN_POLICY,
    runs: 0,
    rev: 1,
    createdAt: createdAt.toISOString(),
    updatedAt: createdAt.toISOString(),
    nextRunAt: dueAt === 'later' ? new Date(Date.UTC(now.getUTCFullYear() + 1, 0, 1)).toISOString() : dueAt.toISOString(),
  };
}

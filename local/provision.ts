/**
 * Creates the tables and queues if they are missing, and leaves them be if they
 * exist: safe to run on every start.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setTimeout as delay } from 'node:timers/promises';
import { isUnavailable } from '../adapters/aws/aws-errors.js';
import { executionsTableDefinition, EXPIRES_AT, jobsTableDefinition } from '../adapters/aws/storage-layout.js';
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_SECONDS } from '../core/kernel/limits.js';

export interface ResourceNames {
  jobsTable: string;
  executionsTable: string;
  queue: string;
  deadLetterQueue: string;
}

export const DEFAULT_NAMES: ResourceNames = {
  jobsTable: 'scheduler-jobs',
  executionsTable: 'scheduler-executions',
  queue: 'scheduler-work',
  deadLetterQueue: 'scheduler-work-dlq',
};

export interface QueueSettings {
  /** Seconds a received message stays hidden; must exceed the claim lease. */
  visibilityTimeoutSeconds: number;
  /** Receives before SQS parks a message in the DLQ: the hard cap on attempts. */
  maxReceiveCount: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
  maxReceiveCount: MAX_RECEIVE_COUNT,
};

/** Creating or checking the tables and queues failed; the message says what, and where it was asked. */
export class ProvisioningError extends Error {
  override name = 'ProvisioningError';
}

/**
 * Runs one provisioning step; a failure names the step and the cause, whose message
 * names the endpoint (the SDK's and our time-outs say `no complete answer from <url>`,
 * a refused connection `connect ECONNREFUSED <host:port>`).
 */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const cause = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const hint = isUnavailable(error) ? ' (the store did not answer; is the endpoint right and the service up?)' : '';
    throw new ProvisioningError(`could not ${what}: ${cause}${hint}`, { cause: error });
  }
}

/**
 * A table kept from an older version (a data folder, a LocalStack volume) may lack an index
 * this version queries: added here, one at a time as DynamoDB allows, before anything runs.
 */
async function addMissingIndexes(
  db: DynamoDBClient,
  definition: ReturnType<typeof jobsTableDefinition>,
  existing: string[],
): Promise<boolean> {
  const missing = (definition.GlobalSecondaryIndexes ?? []).filter((g) => !existing.includes(g.IndexName!));
  for (const index of missing) {
    const attributes = new Set(index.KeySchema!.map((k) => k.AttributeName));
    const update = (create: typeof index) =>
      db.send(
        new UpdateTableCommand({
          TableName: definition.TableName,
          AttributeDefinitions: definition.AttributeDefinitions!.filter((a) => attributes.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: create }],
        }),
      );
    await update(index).catch((error: Error) => {
      // dynalite predates on-demand tables and wants a throughput that DynamoDB (and DynamoDB Local) refuse on one.
      if (!/provisionedThroughput/i.test(error.message)) throw error;
      return update({ ...index, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } });
    });
    await waitActive(db, definition.TableName!);
    const out = await db.send(new DescribeTableCommand({ TableName: definition.TableName }));
    if (!(out.Table?.GlobalSecondaryIndexes ?? []).some((g) => g.IndexName === index.IndexName)) {
      // dynalite answers the update and adds nothing.
      throw new Error(
        `the table lacks the index ${index.IndexName} this version needs, and the store did not add it (dynalite cannot): ` +
          'start with an empty data folder (SCHEDULER_DATA_DIR), or with DynamoDB Local (Java)',
      );
    }
  }
  return missing.length > 0;
}

/** An index added to a table with items is backfilled first: on a busy machine that takes a while. */
async function waitActive(db: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const out = await db.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (out.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (out.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await delay(100);
  }
  throw new Error(`table ${tableName} did not become active`);
}

/** True when it created the table. */
async function ensureTable(db: DynamoDBClient, definition: ReturnType<typeof jobsTableDefinition>): Promise<boolean> {
  try {
    const out = await db.send(new DescribeTableCommand({ TableName: definition.TableName }));
    await addMissingIndexes(
      db,
      definition,
      (out.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName!),
    );
    return false;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await db.send(new CreateTableCommand(definition));
  } catch (error) {
    // Another process created it between our describe and create.
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  for (let i = 0; i < 100; i++) {
    const out = await db.send(new DescribeTableCommand({ TableName: definition.TableName }));
    const indexesActive = (out.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (out.Table?.TableStatus === 'ACTIVE' && indexesActive) return true;
    await delay(100);
  }
  throw new Error(`table ${definition.TableName} did not become active`);
}

export async function provisionTables(db: DynamoDBClient, names: ResourceNames = DEFAULT_NAMES): Promise<void> {
  if (await step(`check or create the table ${names.jobsTable}`, () => ensureTable(db, jobsTableDefinition(names.jobsTable)))) {
    const spec = { TableName: names.jobsTable, TimeToLiveSpecification: { AttributeName: EXPIRES_AT, Enabled: true } };
    await db.send(new UpdateTimeToLiveCommand(spec)).catch(() => undefined);
  }
  if (
    await step(`check or create the table ${names.executionsTable}`, () =>
      ensureTable(db, executionsTableDefinition(names.executionsTable)),
    )
  ) {
    const spec = { TableName: names.executionsTable, TimeToLiveSpecification: { AttributeName: EXPIRES_AT, Enabled: true } };
    // Not every emulator keeps TTL (dynalite has no such call); expired slots are only clutter there.
    await db.send(new UpdateTimeToLiveCommand(spec)).catch(() => undefined);
  }
}

/** Returns the work queue's URL, and the DLQ's. */
export async function provisionQueues(
  sqs: SQSClient,
  names: ResourceNames = DEFAULT_NAMES,
  settings: QueueSettings = DEFAULT_QUEUE_SETTINGS,
): Promise<{ queueUrl: string; deadLetterQueueUrl: string }> {
  return step(`check or create the queues ${names.queue} and ${names.deadLetterQueue}`, () => ensureQueues(sqs, names, settings));
}

async function ensureQueues(
  sqs: SQSClient,
  names: ResourceNames,
  settings: QueueSettings,
): Promise<{ queueUrl: string; deadLetterQueueUrl: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: names.deadLetterQueue, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  const dlqAttributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }));
  const attributes = {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqAttributes.Attributes!.QueueArn,
      maxReceiveCount: settings.maxReceiveCount,
    }),
  };
  const queueUrl = await createOrUpdateQueue(sqs, names.queue, attributes);
  return { queueUrl, deadLetterQueueUrl: dlq.QueueUrl! };
}

/**
 * SQS refuses to "create" a queue that exists with other attributes (QueueAlreadyExists), and
 * some emulators answer with the old queue unchanged: either way a queue kept from an older
 * version (a LocalStack volume) is given this version's attributes.
 */
async function createOrUpdateQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  let queueUrl: string;
  try {
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  } catch (error) {
    if ((error as Error).name !== 'QueueAlreadyExists' && (error as Error).name !== 'QueueNameExists') throw error;
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  }
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
  return queueUrl;
}

/**
 * Creates the tables and queues if they are missing, and leaves them be if they
 * exist: safe to run on every start.
 */
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
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

/** True when it created the table. */
async function ensureTable(db: DynamoDBClient, definition: ReturnType<typeof jobsTableDefinition>): Promise<boolean> {
  try {
    await db.send(new DescribeTableCommand({ TableName: definition.TableName }));
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
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: names.queue,
      Attributes: {
        VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqAttributes.Attributes!.QueueArn,
          maxReceiveCount: settings.maxReceiveCount,
        }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl!, deadLetterQueueUrl: dlq.QueueUrl! };
}

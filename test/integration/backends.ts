/** The adapters each contract suite runs against, built on fresh tables per suite. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createDynamoDocumentClient, createSqsClient } from '../../adapters/aws/clients.js';
import { provisionQueues, provisionTables, type ResourceNames } from '../../local/provision.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';

export interface DynamoBackend {
  name: string;
  endpoint: string | null;
}

export function dynamoBackends(): DynamoBackend[] {
  return [
    { name: 'DynamoDB Local', endpoint: inject('dynamoDbLocalEndpoint') },
    { name: 'dynalite', endpoint: inject('dynaliteEndpoint') },
  ];
}

/**
 * Runs a contract suite once per DynamoDB emulator, on fresh tables; a backend
 * that is not running (no Java outside CI) is skipped, and says so.
 */
export function onEachDynamoBackend<T>(
  contract: (name: string, make: () => Promise<T>, options: { skip?: boolean }) => void,
  build: (tables: Awaited<ReturnType<typeof freshTables>>) => T,
): void {
  for (const backend of dynamoBackends()) {
    contract(`DynamoDB on ${backend.name}`, async () => build(await freshTables(backend.endpoint!)), { skip: backend.endpoint === null });
  }
}

export function uniqueNames(): ResourceNames {
  const id = randomUUID().slice(0, 8);
  return { jobsTable: `jobs-${id}`, executionsTable: `executions-${id}`, queue: `work-${id}`, deadLetterQueue: `dlq-${id}` };
}

/** Fresh tables on the given emulator; returns a document client and their names. */
export async function freshTables(endpoint: string) {
  const names = uniqueNames();
  await provisionTables(new DynamoDBClient({ region, endpoint, credentials }), names);
  return { db: createDynamoDocumentClient({ region, dynamoEndpoint: endpoint, credentials }), names };
}

/** A fresh queue pair on the SQS emulator. */
export async function freshQueue(settings = { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 }) {
  const endpoint = inject('sqsEndpoint');
  const sqs = createSqsClient({ region, sqsEndpoint: endpoint, credentials });
  const names = uniqueNames();
  const urls = await provisionQueues(sqs, names, settings);
  return { sqs, ...urls };
}

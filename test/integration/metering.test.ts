/** The cost meter against DynamoDB Local, which reports consumed capacity as AWS does. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createDynamoDocumentClient, createSqsClient } from '../../adapters/aws/clients.js';
import { DynamoExecutionStore } from '../../adapters/aws/dynamo-execution-store.js';
import { AwsMeter } from '../../adapters/aws/metering.js';
import { SqsQueue } from '../../adapters/aws/sqs-queue.js';
import { provisionTables, provisionQueues } from '../../local/provision.js';
import { anOccurrence } from '../helpers/factories.js';
import { uniqueNames } from './backends.js';

const endpoint = inject('dynamoDbLocalEndpoint');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe.skipIf(endpoint === null)('AwsMeter on DynamoDB Local and local-aws-sqs', () => {
  it('counts requests by operation and the read and write units DynamoDB reports', async () => {
    const names = uniqueNames();
    await provisionTables(new DynamoDBClient({ region: 'us-east-1', endpoint: endpoint!, credentials }), names);
    const meter = new AwsMeter();
    const db = createDynamoDocumentClient({ region: 'us-east-1', dynamoEndpoint: endpoint!, credentials, meter });
    const store = new DynamoExecutionStore(db, names.executionsTable);

    const claim = {
      jobId: 'j',
      scheduledFor: '2026-01-01T00:00:00.000Z',
      jobName: 'n',
      handler: 'log',
      startedAt: '2026-01-01T00:00:00.000Z',
      leaseUntil: '2026-01-01T00:01:00.000Z',
    };
    await store.claim(claim);
    await store.get('j', claim.scheduledFor);
    const usage = meter.snapshot();
    expect(usage.requests).toEqual({ 'DynamoDB.UpdateItem': 1, 'DynamoDB.GetItem': 1 });
    // The claim's write, and the same record's entry in the history index (see storage-layout.ts).
    expect(usage.writeUnits).toBe(2);
    expect(usage.readUnits).toBe(1); // a strongly consistent read of a small item

    const sqsMeter = new AwsMeter();
    const sqs = createSqsClient({ region: 'us-east-1', sqsEndpoint: inject('sqsEndpoint'), credentials, meter: sqsMeter });
    const { queueUrl, deadLetterQueueUrl } = await provisionQueues(sqs, names);
    sqsMeter.reset();
    await new SqsQueue(sqs, queueUrl, deadLetterQueueUrl).send(Array.from({ length: 25 }, (_, i) => anOccurrence({ jobId: `j${i}` })));
    expect(sqsMeter.snapshot().requests).toEqual({ 'SQS.SendMessageBatch': 3 });
  });
});

/**
 * AWS clients built the SDK's ordinary way: region and endpoints come from the
 * environment or shared config (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_PROFILE...) unless the caller names an endpoint, as the local runtime does
 * for the emulators it starts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsMeter, meterDynamo, meterSqs } from './metering.js';

export interface ClientOptions {
  region?: string;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /** Static credentials for emulators, which accept any. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Counts requests and consumed capacity (the benchmark's cost accounting). */
  meter?: AwsMeter;
}

export function createDynamoDocumentClient(options: ClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.dynamoEndpoint,
    credentials: options.credentials,
    maxAttempts: 3,
  });
  if (options.meter) meterDynamo(client, options.meter);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createSqsClient(options: ClientOptions = {}): SQSClient {
  const client = new SQSClient({
    region: options.region,
    endpoint: options.sqsEndpoint,
    credentials: options.credentials,
    maxAttempts: 3,
    // Emulators return queue URLs naming their own host; keep using the configured endpoint.
    useQueueUrlAsEndpoint: options.sqsEndpoint === undefined,
  });
  if (options.meter) meterSqs(client, options.meter);
  return client;
}

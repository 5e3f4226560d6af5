/**
 * AWS clients built the SDK's ordinary way: region and endpoints come from the
 * environment or shared config (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_PROFILE...) unless the caller names an endpoint, as the local runtime does
 * for the emulators it starts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ClientOptions {
  region?: string;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /** Static credentials for emulators, which accept any. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createDynamoDocumentClient(options: ClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.dynamoEndpoint,
    credentials: options.credentials,
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createSqsClient(options: ClientOptions = {}): SQSClient {
  return new SQSClient({
    region: options.region,
    endpoint: options.sqsEndpoint,
    credentials: options.credentials,
    maxAttempts: 3,
    // Emulators return queue URLs naming their own host; keep using the configured endpoint.
    useQueueUrlAsEndpoint: options.sqsEndpoint === undefined,
  });
}

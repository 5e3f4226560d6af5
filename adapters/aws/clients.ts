/**
 * AWS clients built the SDK's ordinary way: region and endpoints come from the
 * environment or shared config (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_PROFILE...) unless the caller names an endpoint, as the local runtime does
 * for the emulators it starts.
 *
 * Every call is bounded (see AWS_CALL_BOUND_MS in core/kernel/limits.ts): each attempt
 * has one deadline, and the SDK makes at most AWS_MAX_ATTEMPTS of them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWS_ATTEMPT_TIMEOUT_MS, AWS_CONNECT_TIMEOUT_MS, AWS_MAX_ATTEMPTS, MAX_LONG_POLL_SECONDS } from '../../core/kernel/limits.js';
import { BoundedHttpHandler, type BoundedHttpHandlerOptions, sqsLongPollWaitMs } from './bounded-http-handler.js';
import { type AwsMeter, meterDynamo, meterSqs } from './metering.js';

export interface ClientTimeouts {
  connectMs: number;
  /** One attempt, request to the answer's last byte. */
  attemptMs: number;
}

export const DEFAULT_CLIENT_TIMEOUTS: ClientTimeouts = { connectMs: AWS_CONNECT_TIMEOUT_MS, attemptMs: AWS_ATTEMPT_TIMEOUT_MS };

export interface ClientOptions {
  region?: string;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /**
   * The SDK's own configuration names the endpoints (AWS_ENDPOINT_URL*, a profile's
   * endpoint_url or services section): SQS keeps to its endpoint, not to the host a
   * queue URL names (emulators name their own, LocalStack a *.localstack.cloud one).
   */
  configuredEndpoints?: boolean;
  /** Static credentials for emulators, which accept any. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Counts requests and consumed capacity (the benchmark's cost accounting). */
  meter?: AwsMeter;
  /** Shorter ones let tests see a hung endpoint fail without waiting the real bound. */
  timeouts?: ClientTimeouts;
}

function requestHandler(options: ClientOptions, serverWaitMs?: BoundedHttpHandlerOptions['serverWaitMs']): BoundedHttpHandler {
  const timeouts = options.timeouts ?? DEFAULT_CLIENT_TIMEOUTS;
  return new BoundedHttpHandler(timeouts.attemptMs, { connectionTimeout: timeouts.connectMs, serverWaitMs });
}

/** The plain client (table provisioning); the adapters use the document client below. */
export function createDynamoClient(options: ClientOptions = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.dynamoEndpoint,
    credentials: options.credentials,
    maxAttempts: AWS_MAX_ATTEMPTS,
    requestHandler: requestHandler(options),
  });
  if (options.meter) meterDynamo(client, options.meter);
  return client;
}

export function createDynamoDocumentClient(options: ClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoClient(options), { marshallOptions: { removeUndefinedValues: true } });
}

export function createSqsClient(options: ClientOptions = {}): SQSClient {
  const client = new SQSClient({
    region: options.region,
    endpoint: options.sqsEndpoint,
    credentials: options.credentials,
    maxAttempts: AWS_MAX_ATTEMPTS,
    // A long poll (the local poller's ReceiveMessage, up to 20 s) gets its wait on top of the attempt's time.
    requestHandler: requestHandler(options, (request) => sqsLongPollWaitMs(request, MAX_LONG_POLL_SECONDS)),
    // Emulators return queue URLs naming their own host; keep using the configured endpoint,
    // whether given here or found by the SDK (which leaves `endpoint` unset, so the SDK's
    // own check would not see it).
    useQueueUrlAsEndpoint: options.sqsEndpoint === undefined && !options.configuredEndpoints,
  });
  if (options.meter) meterSqs(client, options.meter);
  return client;
}

/** EventBridge Scheduler (the tick's schedule): AWS's endpoint, bounded like every client. */
export function createSchedulerClient(options: ClientOptions = {}): SchedulerClient {
  return new SchedulerClient({
    region: options.region,
    credentials: options.credentials,
    maxAttempts: AWS_MAX_ATTEMPTS,
    requestHandler: requestHandler(options),
  });
}

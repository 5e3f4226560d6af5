/**
 * The real SDK clients against endpoints that take the connection and then never
 * answer, answer headers and stall the body, or reset: every call gives up within
 * its bound (short timeouts here, through the client factory's option) and becomes
 * StoreUnavailableError, so the API answers 503, the tick fails and the worker hands
 * the record back, instead of hanging. A test that hangs fails on its own timeout.
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callAws } from '../../adapters/aws/aws-errors.js';
import { createDynamoDocumentClient, createSqsClient, type ClientOptions } from '../../adapters/aws/clients.js';
import { bundle, encodeBundle } from '../../core/execution/bundle.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { encodeOccurrence } from '../../core/execution/occurrence.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { runTick } from '../../core/dispatch/tick.js';
import { createApiApp } from '../../functions/api.js';
import { buildAwsDeps } from '../../functions/wiring.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { anOccurrence, MemoryLogger } from '../helpers/factories.js';
import { type HungEndpoint, type HungMode, startHungEndpoint } from '../helpers/hung-endpoint.js';

const TIMEOUTS = { connectMs: 200, attemptMs: 300 };
const MODES: HungMode[] = ['silent', 'stalled-body', 'reset'];

let open: HungEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.map((e) => e.close()));
  open = [];
});

async function hung(mode: HungMode): Promise<HungEndpoint> {
  const endpoint = await startHungEndpoint(mode);
  open.push(endpoint);
  return endpoint;
}

const clientsFor = (endpoint: string): ClientOptions => ({
  region: 'us-east-1',
  dynamoEndpoint: endpoint,
  sqsEndpoint: endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  timeouts: TIMEOUTS,
});

function depsFor(endpoint: string) {
  const logger = new MemoryLogger();
  const deps = buildAwsDeps(
    {
      jobsTable: 'jobs',
      executionsTable: 'executions',
      queueUrl: `${endpoint}/000000000000/work`,
      deadLetterQueueUrl: `${endpoint}/000000000000/dlq`,
      dueShards: 4,
      jobDefaults: BUILT_IN_POLICY,
      recoverAfterMs: 300_000,
      maxConcurrency: null,
    },
    { clients: clientsFor(endpoint), logger },
  );
  return { deps, logger };
}

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    body,
    receiptHandle: `receipt-${messageId}`,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
  }) as unknown as SQSRecord;

describe.each(MODES)('an endpoint that takes the connection, then %s', (mode) => {
  it('fails a DynamoDB and an SQS call as StoreUnavailableError, after the SDK retried', async () => {
    const endpoint = await hung(mode);
    const db = createDynamoDocumentClient(clientsFor(endpoint.endpoint));
    const sqs = createSqsClient(clientsFor(endpoint.endpoint));
    const dynamoError = await callAws('DynamoDB', 'GetItem', () => db.send(new GetCommand({ TableName: 't', Key: { pk: 'x' } }))).catch(
      (e: unknown) => e,
    );
    expect(dynamoError).toBeInstanceOf(StoreUnavailableError);
    const sqsError = await callAws('SQS', 'SendMessage', () =>
      sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint.endpoint}/q`, MessageBody: 'x' })),
    ).catch((e: unknown) => e);
    expect(sqsError).toBeInstanceOf(StoreUnavailableError);
    // Three attempts each: the time-out is retried like any transient failure, then given up.
    expect(((dynamoError as Error).cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
  });

  it('answers 503 with Retry-After from the API', async () => {
    const endpoint = await hung(mode);
    const app = createApiApp(depsFor(endpoint.endpoint).deps, { apiKeys: ['k'], corsOrigins: [] });
    const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
    for (const [path, init] of [
      ['/v1/jobs/some-id', {}],
      ['/v1/jobs', { method: 'POST', body: JSON.stringify({ name: 'n', schedule: { every: '1m' }, handler: 'log' }) }],
    ] as const) {
      const res = await app.request(path, { ...init, headers });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    }
  });

  it('makes the tick reject with StoreUnavailableError', async () => {
    const endpoint = await hung(mode);
    await expect(runTick(depsFor(endpoint.endpoint).deps)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('makes the worker hand back a bundle and a single occurrence as batch item failures', async () => {
    const endpoint = await hung(mode);
    const worker = createWorkerHandler(depsFor(endpoint.endpoint).deps);
    const now = new Date().toISOString();
    const single = encodeOccurrence(anOccurrence({ jobId: 'single', scheduledFor: now, overlap: 'skip' }));
    const bundled = encodeBundle(bundle([anOccurrence({ jobId: 'bundled', scheduledFor: now })])[0]!);
    const response = await worker({ Records: [record('single', single), record('bundled', bundled)] });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bundled', 'single']);
  });
});

describe('a long poll', () => {
  /** Answers every request after `delayMs`, with an empty ReceiveMessage result (any JSON object will do for SendMessage too). */
  async function slowEndpoint(delayMs: number): Promise<{ endpoint: string; close: () => Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => {
        setTimeout(() => {
          const body = '{}';
          socket.write(
            'HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n' +
              `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          );
          socket.end();
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  it('is not cut by the attempt time-out, while an ordinary call that slow is', async () => {
    const slow = await slowEndpoint(TIMEOUTS.attemptMs * 3);
    try {
      const sqs = createSqsClient({ ...clientsFor(slow.endpoint), timeouts: TIMEOUTS });
      const queueUrl = `${slow.endpoint}/000000000000/work`;
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 1 }));
      expect(received.Messages ?? []).toEqual([]);
      const sent = await callAws('SQS', 'SendMessage', () =>
        sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })),
      ).catch((e: unknown) => e);
      expect(sent).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await slow.close();
    }
  });
});

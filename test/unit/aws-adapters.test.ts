/** Error paths of the AWS adapters, which the emulators cannot be made to produce. */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { callAws } from '../../adapters/aws/aws-errors.js';
import { AttemptTimeoutError } from '../../adapters/aws/bounded-http-handler.js';
import { DynamoJobStore } from '../../adapters/aws/dynamo-job-store.js';
import { SendFailedError, SqsQueue } from '../../adapters/aws/sqs-queue.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { anOccurrence } from '../helpers/factories.js';
import { FakeClock } from '../helpers/fake-clock.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
afterEach(() => {
  dynamo.reset();
  sqs.reset();
});

const store = () => new DynamoJobStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'jobs');

describe('DynamoDB adapter errors', () => {
  it('turns a lost conditional write into false, by the exception type', async () => {
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'any text', $metadata: {} }));
    expect(await store().recordRuns('j', 1, 2, '2026-01-01T00:00:00.000Z')).toBe(false);
  });

  it('turns an unreachable endpoint into StoreUnavailableError, keeping the cause', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    dynamo.on(GetCommand).rejects(refused);
    const error = await store()
      .get('j')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toBe(refused);
  });

  it('passes other errors through unchanged', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    dynamo.on(GetCommand).rejects(denied);
    await expect(store().get('j')).rejects.toBe(denied);
  });
});

describe('SQS queue adapter', () => {
  const queue = () => new SqsQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/q', 'https://sqs/dlq');

  it('sends in batches of ten, each message hidden until its instant, reckoned when it is sent', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const at = (seconds: number) => new Date(Date.parse('2026-01-01T00:00:00.500Z') + seconds * 1000).toISOString();
    const occurrences = Array.from({ length: 23 }, (_, i) => anOccurrence({ jobId: `j${i}`, scheduledFor: at(i), delaySeconds: i }));
    const sqsQueue = new SqsQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/q', 'https://sqs/dlq', clock);
    await sqsQueue.send(occurrences);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls[2]!.args[0].input.Entries!.map((e) => e.DelaySeconds)).toEqual([20, 21, 22]);
    expect(JSON.parse(calls[0]!.args[0].input.Entries![0]!.MessageBody!)).not.toHaveProperty('delaySeconds');

    // Sent 3 s after it was planned (a long tick): still visible at the instant, not 3 s late.
    sqs.resetHistory();
    clock.advance(3_000);
    await sqsQueue.send([anOccurrence({ scheduledFor: at(20), delaySeconds: 20 })]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!.DelaySeconds).toBe(17);
  });

  it('retries the entries SQS failed on its side, then fails as unavailable naming them (the caller repeats)', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });
    const error = await queue()
      .send([anOccurrence({ jobId: 'a' }), anOccurrence({ jobId: 'b' })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain('b@2026-01-01T00:01:00.000Z');
    expect(sqs.commandCalls(SendMessageBatchCommand)[1]!.args[0].input.Entries!.map((e) => e.Id)).toEqual(['1']);
  });

  it("retries the entries SQS refused as the sender's fault, then names them in SendFailedError", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '1', Code: 'InvalidMessageContents', Message: 'bad', SenderFault: true }] });
    const error = await queue()
      .send([anOccurrence({ jobId: 'a' }), anOccurrence({ jobId: 'b' })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendFailedError);
    expect((error as SendFailedError).refused).toEqual([
      { keys: ['b@2026-01-01T00:01:00.000Z'], code: 'InvalidMessageContents', message: 'bad' },
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });

  it('succeeds when the retry gets through', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] })
      .resolves({});
    await expect(queue().send([anOccurrence()])).resolves.toBeUndefined();
  });
});

describe('time-outs and broken connections', () => {
  // What the SDK's HTTP handler and ours raise (by name and code; their messages are free text).
  const shapes: (() => unknown)[] = [
    () => new AttemptTimeoutError('http://127.0.0.1:1', 300),
    () => Object.assign(new Error('the request socket did not establish a connection'), { name: 'TimeoutError' }),
    () => Object.assign(new Error('a request has exceeded the configured requestTimeout'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
    () => Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET' }),
    () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    () => Object.assign(new Error('x'), { name: 'RequestTimeout', $metadata: { httpStatusCode: 400 } }),
    () => Object.assign(new Error('x'), { name: 'RequestTimeoutException', $metadata: { httpStatusCode: 408 } }),
    () => Object.assign(new Error('x'), { code: 'ENETUNREACH' }),
  ];
  /** Wraps an error as the SDK and Node may: under `cause`, or inside an AggregateError, a few levels deep. */
  const wrap = (inner: unknown, random: () => number): unknown => {
    let error = inner;
    for (let depth = Math.floor(random() * 4); depth > 0; depth--) {
      error = random() < 0.5 ? new Error('wrapped', { cause: error }) : new AggregateError([new Error('other'), error], 'several');
    }
    return error;
  };
  const seeded = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

  it('turns each into StoreUnavailableError however it is wrapped, whatever its message', async () => {
    const seed = 9;
    const random = seeded(seed);
    for (let i = 0; i < 200; i++) {
      const inner = shapes[Math.floor(random() * shapes.length)]!();
      if (inner instanceof Error && random() < 0.5) inner.message = 'no telling words here';
      const error = wrap(inner, random);
      const caught = await callAws('DynamoDB', 'GetItem', () => Promise.reject(error)).catch((e: unknown) => e);
      expect(caught, `seed ${seed}, case ${i}`).toBeInstanceOf(StoreUnavailableError);
      expect((caught as Error).cause).toBe(error);
    }
  });

  it("leaves a caller's abort alone: stopping is not an outage", async () => {
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    await expect(callAws('SQS', 'ReceiveMessage', () => Promise.reject(aborted))).rejects.toBe(aborted);
  });
});

/** Checks the wiring in infra/*.ts the guarantees depend on (see test/helpers/sst-stand-ins.ts). */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { executionsTableDefinition, EXPIRES_AT, jobsTableDefinition } from '../../adapters/aws/storage-layout.js';
import { loadInfra } from '../helpers/sst-stand-ins.js';
import {
  AWS_ATTEMPT_TIMEOUT_MS,
  AWS_CALL_BOUND_MS,
  AWS_CONNECT_TIMEOUT_MS,
  AWS_MAX_ATTEMPTS,
  AWS_RETRY_BACKOFF_ALLOWANCE_MS,
  LEASE_MARGIN_SECONDS,
  MAX_ATTEMPTS,
  MAX_EARLY_WAIT_SECONDS,
  MAX_HANDLER_TIMEOUT_SECONDS,
  MAX_LONG_POLL_SECONDS,
  MAX_RECEIVE_COUNT,
  VISIBILITY_TIMEOUT_SECONDS,
  WORKER_TIMEOUT_SECONDS,
} from '../../core/kernel/limits.js';
import { BoundedHttpHandler, sqsLongPollWaitMs } from '../../adapters/aws/bounded-http-handler.js';
import { createDynamoClient, createSqsClient } from '../../adapters/aws/clients.js';

let find: Awaited<ReturnType<typeof loadInfra>>['find'];
const seconds = (duration: string) => {
  const [n, unit] = duration.split(' ');
  return Number(n) * (unit!.startsWith('minute') ? 60 : 1);
};

beforeAll(async () => {
  ({ find } = await loadInfra());
});

describe('infra', () => {
  it('declares the tables with the keys and index the adapters use', () => {
    for (const [name, definition] of [
      ['Jobs', jobsTableDefinition('x')],
      ['Executions', executionsTableDefinition('x')],
    ] as const) {
      const table = find('Dynamo', name).args;
      const [hash, range] = definition.KeySchema!.map((k) => k.AttributeName);
      expect(table.primaryIndex).toEqual(range ? { hashKey: hash, rangeKey: range } : { hashKey: hash });
      const indexes = Object.fromEntries(
        (definition.GlobalSecondaryIndexes ?? []).map((g) => [
          g.IndexName!,
          { hashKey: g.KeySchema![0]!.AttributeName, rangeKey: g.KeySchema![1]!.AttributeName },
        ]),
      );
      expect(table.globalIndexes ?? {}).toEqual(indexes);
    }
    expect(find('Dynamo', 'Executions').args.ttl).toBe(EXPIRES_AT);
  });

  it('keeps handler timeout + lease margin + early wait <= worker timeout < visibility timeout, with a DLQ as the hard cap', () => {
    const queue = find('Queue', 'Work');
    const visibility = seconds(queue.args.visibilityTimeout);
    const workerTimeout = seconds(queue.subscription!.subscriber.timeout);
    expect(visibility).toBe(VISIBILITY_TIMEOUT_SECONDS);
    expect(workerTimeout).toBe(WORKER_TIMEOUT_SECONDS);
    expect(MAX_HANDLER_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS + MAX_EARLY_WAIT_SECONDS).toBeLessThanOrEqual(workerTimeout);
    // Our own attempt count must decide before SQS's hard cap, even where a backoff counts as a receive.
    expect(2 * MAX_ATTEMPTS).toBeLessThan(MAX_RECEIVE_COUNT);
    expect(workerTimeout).toBeLessThan(visibility);
    expect(queue.args.dlq).toEqual({ queue: 'arn:Queue:WorkDeadLetters', retry: MAX_RECEIVE_COUNT });
  });

  it('bounds every AWS call: inside the lease margin, and several inside the API and tick budgets', async () => {
    expect(AWS_CALL_BOUND_MS).toBe(AWS_MAX_ATTEMPTS * AWS_ATTEMPT_TIMEOUT_MS + AWS_RETRY_BACKOFF_ALLOWANCE_MS);
    expect(AWS_CONNECT_TIMEOUT_MS).toBeLessThan(AWS_ATTEMPT_TIMEOUT_MS);
    // The worker's bookkeeping after a handler: a call there lands before the lease ends, or fails.
    expect(AWS_CALL_BOUND_MS).toBeLessThanOrEqual(LEASE_MARGIN_SECONDS * 1000);
    // A create makes four calls in turn (name lock, job, inbox entry, early send): all of them at their bound still answer.
    expect(4 * AWS_CALL_BOUND_MS).toBeLessThan(seconds(find('Function', 'Api').args.timeout) * 1000);
    // A tick fails at its first call that gets no answer, long before the Lambda would stop it.
    expect(4 * AWS_CALL_BOUND_MS).toBeLessThan(seconds(find('CronV2', 'Tick').args.function.timeout) * 1000);
    expect(AWS_CALL_BOUND_MS).toBeLessThan(seconds(find('Queue', 'WorkDeadLetters').subscription!.subscriber.timeout) * 1000);

    // The clients the functions build use them.
    for (const client of [createDynamoClient({ region: 'us-east-1' }), createSqsClient({ region: 'us-east-1' })]) {
      expect(client.config.requestHandler).toBeInstanceOf(BoundedHttpHandler);
      expect(await client.config.maxAttempts()).toBe(AWS_MAX_ATTEMPTS);
    }
    // A long poll's attempt gets its wait on top, never more than SQS's maximum.
    const receive = (body: string) =>
      ({ headers: { 'x-amz-target': 'AmazonSQS.ReceiveMessage' }, body }) as unknown as Parameters<typeof sqsLongPollWaitMs>[0];
    expect(sqsLongPollWaitMs(receive('{"WaitTimeSeconds":7}'), MAX_LONG_POLL_SECONDS)).toBe(7_000);
    expect(sqsLongPollWaitMs(receive('{"WaitTimeSeconds":0}'), MAX_LONG_POLL_SECONDS)).toBe(0);
    expect(sqsLongPollWaitMs(receive('{}'), MAX_LONG_POLL_SECONDS)).toBe(MAX_LONG_POLL_SECONDS * 1000);
    expect(
      sqsLongPollWaitMs(
        { headers: { 'x-amz-target': 'AmazonSQS.SendMessage' }, body: '{"WaitTimeSeconds":7}' } as never,
        MAX_LONG_POLL_SECONDS,
      ),
    ).toBe(0);
  });

  it('subscribes the worker with partial batch responses and a concurrency cap', () => {
    const { subscriber, args } = find('Queue', 'Work').subscription!;
    expect(subscriber.handler).toBe('functions/worker.handler');
    expect(args.batch.partialResponses).toBe(true);
    expect(args.transform.eventSourceMapping.scalingConfig.maximumConcurrency).toBeGreaterThanOrEqual(2);
  });

  it('runs the tick every minute', () => {
    const tick = find('CronV2', 'Tick').args;
    expect(tick.schedule).toBe('rate(1 minute)');
    expect(tick.function.handler).toBe('functions/tick.handler');
    expect(seconds(tick.function.timeout)).toBeLessThan(60);
  });

  it('grants each function only named actions on its own resources, never a wildcard', () => {
    const functions = [
      find('Function', 'Api').args,
      find('CronV2', 'Tick').args.function,
      find('Queue', 'Work').subscription!.subscriber,
      find('Queue', 'WorkDeadLetters').subscription!.subscriber,
    ];
    for (const fn of functions) {
      expect(fn.link).toBeUndefined();
      for (const statement of fn.permissions) {
        for (const action of statement.actions) expect(action).toMatch(/^(dynamodb|sqs):[A-Z][A-Za-z]+$/);
        for (const resource of statement.resources) expect(resource).not.toBe('*');
      }
    }
    const actions = (fn: { permissions: { actions: string[] }[] }) => fn.permissions.flatMap((p) => p.actions).sort();
    expect(actions(functions[0])).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'sqs:GetQueueAttributes',
      'sqs:SendMessage',
    ]);
    expect(actions(functions[1])).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sqs:SendMessage',
    ]);
    expect(actions(functions[2])).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'sqs:ChangeMessageVisibility',
      'sqs:SendMessage',
      'sqs:SendMessage',
    ]);
    const dlqConsumer = find('Queue', 'WorkDeadLetters').subscription!;
    expect(dlqConsumer.subscriber.handler).toBe('functions/dead-letter.handler');
    expect(actions(dlqConsumer.subscriber)).toEqual(['dynamodb:UpdateItem']);
    expect(dlqConsumer.args.batch.partialResponses).toBe(true);
  });

  it('retains and protects the stage the README deploys, and removes a dev stage', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const deploy = readme.slice(readme.indexOf('## Deploying to AWS'));
    const stages = [...deploy.slice(0, deploy.indexOf('\n## ', 3)).matchAll(/npx sst \S+.*--stage (\S+)/g)].map((m) => m[1]);
    expect(stages.length).toBeGreaterThan(0);
    Object.assign(globalThis, { $config: (config: unknown) => config });
    const path = '../../sst.config.ts';
    const config = (await import(/* @vite-ignore */ path)).default as {
      app(input: { stage: string }): { removal: string; protect: boolean };
    };
    for (const stage of new Set([...stages.map(String), 'production']))
      expect(config.app({ stage }), stage).toMatchObject({ removal: 'retain', protect: true });
    for (const stage of ['dev', 'alice', 'pr-42', 'production-copy'])
      expect(config.app({ stage }), stage).toMatchObject({ removal: 'remove', protect: false });
  });

  it('takes API keys from a secret, not from the repo', () => {
    expect(find('Function', 'Api').args.environment.SCHEDULER_API_KEYS).toBe('secret:ApiKeys');
  });
});

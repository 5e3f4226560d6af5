/** Checks the wiring in infra/*.ts the guarantees depend on (see test/helpers/sst-stand-ins.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import { executionsTableDefinition, EXPIRES_AT, jobsTableDefinition } from '../../core/adapters/aws/dynamo-schema.js';
import { loadInfra } from '../helpers/sst-stand-ins.js';
import { LEASE_MARGIN_SECONDS, MAX_ATTEMPTS, MAX_EARLY_WAIT_SECONDS, MAX_HANDLER_TIMEOUT_SECONDS, MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_SECONDS, WORKER_TIMEOUT_SECONDS } from '../../core/limits.js';

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
        (definition.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName!, { hashKey: g.KeySchema![0]!.AttributeName, rangeKey: g.KeySchema![1]!.AttributeName }]),
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

  it('takes API keys from a secret, not from the repo', () => {
    expect(find('Function', 'Api').args.environment.SCHEDULER_API_KEYS).toBe('secret:ApiKeys');
  });
});

/** Checks the wiring in infra/*.ts the guarantees depend on (see test/helpers/sst-stand-ins.ts). */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { executionsTableDefinition, EXPIRES_AT, jobsTableDefinition } from '../../adapters/aws/storage-layout.js';
import { loadInfra, type LoadedInfra } from '../helpers/sst-stand-ins.js';
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
import { loadApiSettings, loadConfig } from '../../functions/config.js';
import { MAX_RETRY_DELAY_MS } from '../../core/jobs/policies.js';
import { BoundedHttpHandler, sqsLongPollWaitMs } from '../../adapters/aws/bounded-http-handler.js';
import { createDynamoClient, createSqsClient } from '../../adapters/aws/clients.js';

let infra: LoadedInfra;
let find: LoadedInfra['find'];
const seconds = (duration: string) => {
  const [n, unit] = duration.split(' ');
  return Number(n) * (unit!.startsWith('minute') ? 60 : 1);
};

beforeAll(async () => {
  infra = await loadInfra('dev');
  find = infra.find;
});

/** Every function the app deploys, by name. */
function functions(loaded: LoadedInfra) {
  return {
    api: loaded.find('Function', 'Api').args,
    tick: loaded.find('CronV2', 'Tick').args.function,
    worker: loaded.find('Queue', 'Work').subscription!.subscriber,
    deadLetterConsumer: loaded.find('Queue', 'WorkDeadLetters').subscription!.subscriber,
  };
}

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
          {
            hashKey: g.KeySchema![0]!.AttributeName,
            rangeKey: g.KeySchema![1]!.AttributeName,
            ...(g.Projection?.ProjectionType === 'INCLUDE' ? { projection: g.Projection.NonKeyAttributes } : {}),
          },
        ]),
      );
      expect(table.globalIndexes ?? {}).toEqual(indexes);
    }
    expect(find('Dynamo', 'Executions').args.ttl).toBe(EXPIRES_AT);
    expect(find('Dynamo', 'Jobs').args.ttl).toBe(EXPIRES_AT);
  });

  it('keeps handler timeout + lease margin + early wait <= worker timeout, and visibility >= 6 x worker timeout, with a DLQ as the hard cap', () => {
    const queue = find('Queue', 'Work');
    const visibility = seconds(queue.args.visibilityTimeout);
    const workerTimeout = seconds(queue.subscription!.subscriber.timeout);
    expect(visibility).toBe(VISIBILITY_TIMEOUT_SECONDS);
    expect(workerTimeout).toBe(WORKER_TIMEOUT_SECONDS);
    expect(MAX_HANDLER_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS + MAX_EARLY_WAIT_SECONDS).toBeLessThanOrEqual(workerTimeout);
    // Our own attempt count must decide before SQS's hard cap, even where a backoff counts as a receive.
    expect(2 * MAX_ATTEMPTS).toBeLessThan(MAX_RECEIVE_COUNT);
    // AWS's advice for a queue feeding a Lambda event source; SQS's own limit is 12 hours.
    expect(visibility).toBeGreaterThanOrEqual(6 * workerTimeout);
    expect(visibility).toBeLessThanOrEqual(12 * 3600);
    expect(queue.args.dlq).toEqual({ queue: 'arn:Queue:WorkDeadLetters', retry: MAX_RECEIVE_COUNT });
    // The dead-letter queue's consumer: its messages stay hidden longer than it may run.
    const dlq = find('Queue', 'WorkDeadLetters');
    expect(seconds(dlq.args.visibilityTimeout)).toBeGreaterThanOrEqual(6 * seconds(dlq.subscription!.subscriber.timeout));
  });

  it('keeps messages as long as SQS allows, longer than the longest retry a job may ask for', () => {
    const longestRetries = MAX_ATTEMPTS * (MAX_RETRY_DELAY_MS / 1000 + MAX_HANDLER_TIMEOUT_SECONDS);
    for (const name of ['Work', 'WorkDeadLetters', 'TickDeadLetters']) {
      const retention = find('Queue', name).args.transform.queue.messageRetentionSeconds;
      expect(retention, name).toBe(1_209_600);
    }
    expect(find('Queue', 'Work').args.transform.queue.messageRetentionSeconds).toBeGreaterThan(longestRetries);
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

  it('runs the tick every minute on EventBridge Scheduler, with invoke retries inside the minute and a DLQ', () => {
    const tick = find('CronV2', 'Tick');
    expect(tick.args.schedule).toBe('rate(1 minute)');
    expect(tick.args.function.handler).toBe('functions/tick.handler');
    expect(seconds(tick.args.function.timeout)).toBeLessThan(60);
    // The schedule as CronV2 builds it, after our transform: no flexible window, retries, a DLQ, and a
    // tick not retried past a minute (the next one is due then).
    expect(tick.schedule.scheduleExpression).toBe('rate(1 minute)');
    expect(tick.schedule.flexibleTimeWindow).toEqual({ mode: 'OFF' });
    expect(tick.schedule.state).toBe('ENABLED');
    expect(tick.schedule.target.retryPolicy).toEqual({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 });
    expect(tick.schedule.target.deadLetterConfig).toEqual({ arn: 'arn:Queue:TickDeadLetters' });
    // Lambda's own async retries would run a failed tick again beside the next one, and a throttled
    // one would wait in Lambda's queue for hours: neither past a minute.
    expect(tick.args.function.retries).toBe(0);
    expect(tick.args.function.transform.eventInvokeConfig).toEqual({ maximumEventAgeInSeconds: 60 });
    // A pause (POST /v1/scheduler/pause) disables the schedule; a deploy must not enable it again.
    expect(tick.schedule.opts.ignoreChanges).toEqual(['state']);
  });

  it('runs every function on a current Node.js runtime, arm64, with log retention', () => {
    for (const [name, fn] of Object.entries(functions(infra))) {
      expect(fn.runtime, name).toBe('nodejs24.x');
      expect(fn.architecture, name).toBe('arm64');
      expect(fn.logging?.retention, name).toBe('1 month');
    }
  });

  it('gives each function the settings its entry point requires', () => {
    for (const [name, fn] of Object.entries(functions(infra))) {
      const env = { ...fn.environment };
      expect(() => loadConfig(env), name).not.toThrow();
    }
    const api = find('Function', 'Api').args;
    expect(() => loadApiSettings(api.environment)).not.toThrow();
    expect(api.environment.SCHEDULER_TICK_SCHEDULE_NAME).toBe('Tick-schedule-name');
    expect(api.environment.SCHEDULER_TICK_SCHEDULE_GROUP).toBe('default');
  });

  it('grants each function only named actions on the resources it uses, never a wildcard or a link', () => {
    const all = functions(infra);
    // What a function uses: the tables and queues its settings name, and (the API) the tick's schedule and its role.
    const resourceOf: Record<string, string[]> = {
      'Jobs-name': ['arn:Dynamo:Jobs', 'arn:Dynamo:Jobs/index/*'],
      'Executions-name': ['arn:Dynamo:Executions', 'arn:Dynamo:Executions/index/*'],
      'https://Work.url/': ['arn:Queue:Work'],
      'https://WorkDeadLetters.url/': ['arn:Queue:WorkDeadLetters'],
      'Tick-schedule-name': ['arn:schedule:Tick', 'arn:role:TickRole'],
    };
    for (const [name, fn] of Object.entries(all)) {
      expect(fn.link, name).toBeUndefined();
      const uses = Object.values(fn.environment as Record<string, string>).flatMap((v) => resourceOf[v] ?? []);
      for (const statement of fn.permissions) {
        for (const action of statement.actions) expect(action).toMatch(/^(dynamodb|sqs|scheduler|iam):[A-Z][A-Za-z]+$/);
        for (const resource of statement.resources) expect(uses, `${name} may touch ${resource}`).toContain(resource);
      }
    }
    const actions = (fn: { permissions: { actions: string[] }[] }) => fn.permissions.flatMap((p) => p.actions).sort();
    expect(actions(all.api)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'iam:PassRole',
      'scheduler:GetSchedule',
      'scheduler:UpdateSchedule',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueAttributes',
      'sqs:SendMessage',
    ]);
    // The API hands the schedule its own role back, to EventBridge Scheduler only.
    const passRole = all.api.permissions.find((p: { actions: string[] }) => p.actions.includes('iam:PassRole'));
    expect(passRole.resources).toEqual(['arn:role:TickRole']);
    expect(passRole.conditions).toEqual([{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['scheduler.amazonaws.com'] }]);
    expect(actions(all.tick)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'sqs:SendMessage',
    ]);
    expect(actions(all.worker)).toEqual([
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

  it('alarms to one topic on dead letters, a silent tick, worker errors and the oldest message', () => {
    const alarms = Object.fromEntries(infra.all('MetricAlarm').map((a) => [a.name, a.args]));
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'ApiErrors',
        'DeadLetterConsumerErrors',
        'DeadLetterDepth',
        'DeadLetters',
        'OldestMessage',
        'TickNotInvoked',
        'TickStopped',
        'WorkerErrors',
      ].sort(),
    );
    for (const [name, alarm] of Object.entries(alarms)) {
      expect(alarm.alarmActions, name).toEqual(['arn:SnsTopic:Alarms']);
      expect(alarm.okActions, name).toEqual(['arn:SnsTopic:Alarms']);
      expect(alarm.name, name).toBe(`scheduler-dev-${name}`);
      expect(alarm.alarmDescription, name).toBeTruthy();
    }
    // No tick that finished for 3 minutes in a row; no data (nothing invoked it) counts as none.
    const tick = alarms.TickStopped;
    expect(tick.evaluationPeriods * 60).toBe(180);
    expect(tick.datapointsToAlarm).toBe(tick.evaluationPeriods);
    expect(tick.treatMissingData).toBe('breaching');
    expect(tick.comparisonOperator).toBe('LessThanThreshold');
    expect(tick.threshold).toBe(1);
    const metrics = tick.metricQueries.filter((q: { metric?: unknown }) => q.metric);
    for (const q of metrics) {
      expect(q.metric.dimensions).toEqual({ FunctionName: 'TickHandler-function-name' });
      expect(q.metric.period).toBe(60);
    }
    expect(metrics.map((q: { metric: { metricName: string } }) => q.metric.metricName).sort()).toEqual(['Errors', 'Invocations']);
    expect(tick.metricQueries.find((q: { returnData?: boolean }) => q.returnData).expression).toBe(
      'FILL(invocations, 0) - FILL(errors, 0)',
    );

    expect(alarms.DeadLetters).toMatchObject({
      namespace: 'AWS/SQS',
      dimensions: { QueueName: 'WorkDeadLetters-queue-name' },
      threshold: 1,
    });
    expect(alarms.DeadLetterDepth).toMatchObject({
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: 'WorkDeadLetters-queue-name' },
    });
    expect(alarms.OldestMessage).toMatchObject({
      metricName: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: 'Work-queue-name' },
    });
    expect(alarms.TickNotInvoked).toMatchObject({
      metricName: 'NumberOfMessagesSent',
      dimensions: { QueueName: 'TickDeadLetters-queue-name' },
    });
    expect(alarms.OldestMessage.threshold).toBe(3600);
    expect(alarms.WorkerErrors).toMatchObject({ metricName: 'Errors', dimensions: { FunctionName: 'WorkSubscriber-function-name' } });
    expect(infra.all('TopicSubscription')).toEqual([]);
  });

  it('mails the alarms to SCHEDULER_ALARM_EMAIL when the deploy names one, and names alarms by stage', async () => {
    const loaded = await loadInfra('alice', { SCHEDULER_ALARM_EMAIL: 'oncall@example.com' });
    expect(loaded.all('TopicSubscription').map((s) => s.args)).toEqual([
      { topic: 'arn:SnsTopic:Alarms', protocol: 'email', endpoint: 'oncall@example.com' },
    ]);
    expect(loaded.all('MetricAlarm').every((a) => a.args.name.startsWith('scheduler-alice-'))).toBe(true);
  });

  it('answers CORS in the app, from the deploy settings, and leaves the function URL without its own', async () => {
    expect(find('Function', 'Api').args.url).toEqual({ cors: false });
    expect(find('Function', 'Api').args.environment.SCHEDULER_CORS_ORIGINS).toBe('');
    const loaded = await loadInfra('dev', { SCHEDULER_CORS_ORIGINS: 'https://admin.example.com, https://ops.example.com' });
    expect(loaded.find('Function', 'Api').args.environment.SCHEDULER_CORS_ORIGINS).toBe(
      'https://admin.example.com,https://ops.example.com',
    );
    // A typo fails the deploy, not every cold start.
    await expect(loadInfra('dev', { SCHEDULER_CORS_ORIGINS: 'https://*.example.com' })).rejects.toThrow(/SCHEDULER_CORS_ORIGINS/);
  });

  it('retains, protects and backs up the stage the README deploys, and removes a dev stage', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const deploy = readme.slice(readme.indexOf('## Deploy to AWS'));
    const stages = [...deploy.slice(0, deploy.indexOf('\n## ', 3)).matchAll(/npx sst (?:deploy|secret set)\b.*--stage ([\w-]+)/g)].map(
      (m) => m[1],
    );
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of new Set([...stages.map(String), 'production'])) {
      const loaded = await loadInfra(stage);
      expect(loaded.app, stage).toMatchObject({ removal: 'retain-all', protect: true });
      for (const table of loaded.all('Dynamo')) {
        expect(table.args.deletionProtection, `${stage} ${table.name}`).toBe(true);
        expect(table.args.transform.table.pointInTimeRecovery, `${stage} ${table.name}`).toEqual({ enabled: true });
      }
      expect(functions(loaded).api.logging.retention).toBe('3 months');
    }
    for (const stage of ['dev', 'alice', 'pr-42', 'production-copy']) {
      const loaded = await loadInfra(stage);
      expect(loaded.app, stage).toMatchObject({ removal: 'remove', protect: false });
      for (const table of loaded.all('Dynamo')) {
        expect(table.args.deletionProtection, `${stage} ${table.name}`).toBe(false);
        expect(table.args.transform.table.pointInTimeRecovery).toEqual({ enabled: false });
      }
    }
  });

  it('returns the API URL, the alarm topic and the tick schedule as outputs', () => {
    expect(infra.outputs).toEqual({ api: 'https://Api.url', alarms: 'arn:SnsTopic:Alarms', tickSchedule: 'Tick-schedule-name' });
  });

  it('takes API keys from a secret, not from the repo', () => {
    expect(find('Function', 'Api').args.environment.SCHEDULER_API_KEYS).toBe('secret:ApiKeys');
  });
});

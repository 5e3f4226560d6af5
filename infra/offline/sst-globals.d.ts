/**
 * The part of SST 4's and Pulumi AWS's types that infra/*.ts uses, for type-checking it
 * offline: `sst install` downloads the real ones (.sst/platform/config.d.ts), which CI
 * cannot. Written from SST 4.17's component sources, narrower than they are (only what
 * we pass), so a misspelt or misplaced argument fails `npm run typecheck`. With SST's
 * own types present, `npm run typecheck:infra` checks the same files against those.
 */

declare namespace $util {
  interface Output<T> {
    apply<U>(fn: (value: T) => U): Output<U>;
  }
  type Input<T> = T | Promise<T> | Output<T>;
}

type SstDuration<Units extends string> = `${number} ${Units}`;
type SstSeconds = 'second' | 'seconds';
type SstMinutes = SstSeconds | 'minute' | 'minutes';
type SstHours = SstMinutes | 'hour' | 'hours';
type SstRetention =
  '1 day' | '3 days' | '5 days' | '1 week' | '2 weeks' | '1 month' | '2 months' | '3 months' | '6 months' | '1 year' | 'forever';

interface SstPermission {
  effect?: 'allow' | 'deny';
  actions: string[];
  resources: $util.Input<$util.Input<string>[]>;
  conditions?: { test: string; variable: string; values: string[] }[];
}

interface SstFunctionArgs {
  handler: string;
  runtime?: 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';
  architecture?: 'x86_64' | 'arm64';
  timeout?: SstDuration<SstMinutes>;
  memory?: `${number} ${'MB' | 'GB'}`;
  environment?: Record<string, $util.Input<string>>;
  permissions?: SstPermission[];
  link?: unknown[];
  logging?: false | { retention?: SstRetention; format?: 'text' | 'json' };
  url?: boolean | { authorization?: 'none' | 'iam'; cors?: boolean | { allowOrigins?: string[]; allowMethods?: string[] } };
  nodejs?: { install?: string[] };
  /** Lambda's own retries of an asynchronous invocation (default 2). */
  retries?: number;
  /** Created only when `retries` is set. */
  transform?: { eventInvokeConfig?: { maximumEventAgeInSeconds?: number } };
}

interface SstLambdaFunctionNode {
  name: $util.Output<string>;
  arn: $util.Output<string>;
}

interface SstQueueSubscriberArgs {
  batch?: { size?: number; window?: SstDuration<SstMinutes>; partialResponses?: boolean };
  transform?: { eventSourceMapping?: { scalingConfig?: { maximumConcurrency?: number } } };
}

interface SstScheduleArgs {
  scheduleExpression: $util.Input<string>;
  flexibleTimeWindow: $util.Input<{ mode: 'OFF' | 'FLEXIBLE'; maximumWindowInMinutes?: number }>;
  state?: $util.Input<'ENABLED' | 'DISABLED'>;
  target: $util.Input<{
    arn: $util.Input<string>;
    roleArn: $util.Input<string>;
    input?: $util.Input<string>;
    retryPolicy?: $util.Input<{ maximumRetryAttempts?: $util.Input<number>; maximumEventAgeInSeconds?: $util.Input<number> }>;
    deadLetterConfig?: $util.Input<{ arn?: $util.Input<string> }>;
  }>;
}

declare namespace sst {
  class Secret {
    constructor(name: string, placeholder?: string);
    readonly value: $util.Output<string>;
  }
  namespace aws {
    class Dynamo {
      constructor(
        name: string,
        args: {
          fields: Record<string, 'string' | 'number' | 'binary'>;
          primaryIndex: { hashKey: string; rangeKey?: string };
          globalIndexes?: Record<string, { hashKey: string; rangeKey?: string; projection?: 'all' | 'keys-only' | string[] }>;
          ttl?: string;
          deletionProtection?: boolean;
          transform?: { table?: { pointInTimeRecovery?: { enabled: boolean } } };
        },
      );
      readonly name: $util.Output<string>;
      readonly arn: $util.Output<string>;
    }
    class Queue {
      constructor(
        name: string,
        args?: {
          visibilityTimeout?: SstDuration<SstHours>;
          delay?: SstDuration<SstMinutes>;
          dlq?: { queue: $util.Input<string>; retry: number };
          transform?: { queue?: { messageRetentionSeconds?: number } };
        },
      );
      readonly arn: $util.Output<string>;
      readonly url: $util.Output<string>;
      readonly nodes: { queue: { name: $util.Output<string> } };
      subscribe(subscriber: SstFunctionArgs, args?: SstQueueSubscriberArgs): { nodes: { function: SstLambdaFunctionNode } };
    }
    class Function {
      constructor(name: string, args: SstFunctionArgs);
      readonly name: $util.Output<string>;
      readonly arn: $util.Output<string>;
      readonly url: $util.Output<string>;
    }
    class CronV2 {
      constructor(
        name: string,
        args: {
          schedule: string;
          function: SstFunctionArgs;
          timezone?: string;
          enabled?: boolean;
          /** EventBridge Scheduler's invoke retries (default 0). */
          retries?: number;
          /** An SQS queue's ARN for the invocations that failed after them. */
          dlq?: $util.Input<string>;
          transform?: { schedule?: (args: SstScheduleArgs, opts: { ignoreChanges?: string[] }) => void };
        },
      );
      readonly nodes: {
        function: SstLambdaFunctionNode;
        role: { arn: $util.Output<string> };
        schedule: { name: $util.Output<string>; arn: $util.Output<string>; groupName: $util.Output<string> };
      };
    }
    class SnsTopic {
      constructor(name: string, args?: Record<string, never>);
      readonly arn: $util.Output<string>;
      readonly name: $util.Output<string>;
    }
  }
}

declare namespace aws {
  namespace sns {
    class TopicSubscription {
      constructor(
        name: string,
        args: { topic: $util.Input<string>; protocol: 'email' | 'sms' | 'sqs' | 'lambda' | 'https'; endpoint: string },
      );
    }
  }
  namespace cloudwatch {
    interface MetricStat {
      namespace: string;
      metricName: string;
      dimensions?: Record<string, $util.Input<string>>;
      period: number;
      stat: 'Sum' | 'Maximum' | 'Minimum' | 'Average' | 'SampleCount';
    }
    interface MetricAlarmArgs {
      name?: string;
      alarmDescription?: string;
      alarmActions?: $util.Input<string>[];
      okActions?: $util.Input<string>[];
      comparisonOperator: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      threshold?: number;
      treatMissingData?: 'missing' | 'ignore' | 'breaching' | 'notBreaching';
      namespace?: string;
      metricName?: string;
      dimensions?: Record<string, $util.Input<string>>;
      statistic?: 'Sum' | 'Maximum' | 'Minimum' | 'Average' | 'SampleCount';
      period?: number;
      metricQueries?: { id: string; metric?: MetricStat; expression?: string; label?: string; returnData?: boolean }[];
    }
    class MetricAlarm {
      constructor(name: string, args: MetricAlarmArgs);
      readonly arn: $util.Output<string>;
    }
  }
}

declare const $app: { name: string; stage: string };
declare function $interpolate(strings: TemplateStringsArray, ...values: unknown[]): $util.Output<string>;
declare function $output<T>(value: $util.Input<T>): $util.Output<T>;

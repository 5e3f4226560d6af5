/**
 * CloudWatch alarms on what an operator must hear about, to one SNS topic: subscribe
 * to it (SCHEDULER_ALARM_EMAIL at deploy, or any SNS subscription). Each alarm also
 * says when it is OK again.
 */
import { api, deadLetterConsumer, tick, worker } from './functions';
import { deadLetterQueue, tickDeadLetters, workQueue } from './queue';
import { alarmEmail, oldestMessageAlarmSeconds, stageName } from './stage';

export const alarmTopic = new sst.aws.SnsTopic('Alarms');

export const alarmEmailSubscription = alarmEmail
  ? new aws.sns.TopicSubscription('AlarmEmail', { topic: alarmTopic.arn, protocol: 'email', endpoint: alarmEmail })
  : undefined;

/** Minutes in a row without a tick that finished before the tick alarm goes off. */
export const TICK_SILENT_MINUTES = 3;
/**
 * The oldest message in the work queue. Occurrences are sent about two minutes ahead, but a
 * retry waits out its backoff in the queue too, and SQS counts it until its third receive: an
 * hour by default, so only a job whose second or third attempt waits longer sets it off
 * (SCHEDULER_ALARM_OLDEST_MESSAGE_AGE, seconds, at deploy, for yours).
 */
export const OLDEST_MESSAGE_ALARM_SECONDS = oldestMessageAlarmSeconds;

type AlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, 'name' | 'alarmActions' | 'okActions'>;

function alarm(name: string, description: string, args: AlarmArgs) {
  return new aws.cloudwatch.MetricAlarm(name, {
    name: stageName(name),
    alarmDescription: description,
    alarmActions: [alarmTopic.arn],
    okActions: [alarmTopic.arn],
    ...args,
  });
}

const lambdaMetric = (functionName: $util.Input<string>, metricName: string) => ({
  namespace: 'AWS/Lambda',
  metricName,
  dimensions: { FunctionName: functionName },
  period: 60,
  stat: 'Sum' as const,
});

/** Goes off when any five minutes hold one error of the function. */
const functionErrors = (name: string, description: string, functionName: $util.Input<string>) =>
  alarm(name, description, {
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: { FunctionName: functionName },
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1,
    treatMissingData: 'notBreaching',
  });

type QueueLike = { nodes: { queue: { name: $util.Input<string> } } };

/** Goes off when a queue metric reaches `threshold` in each of `periods` five-minute periods. */
const queueAlarm = (
  name: string,
  description: string,
  queue: QueueLike,
  metric: { metricName: string; statistic: 'Sum' | 'Maximum'; threshold: number; periods?: number },
) =>
  alarm(name, description, {
    namespace: 'AWS/SQS',
    metricName: metric.metricName,
    dimensions: { QueueName: queue.nodes.queue.name },
    statistic: metric.statistic,
    period: 300,
    evaluationPeriods: metric.periods ?? 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: metric.threshold,
    treatMissingData: 'notBreaching',
  });

export const alarms = {
  /**
   * Ticks that finished: invocations minus errors (a timeout is an error), per minute. No
   * data counts as none finished: the schedule stopped, or the function cannot run. It also
   * goes off while the whole scheduler is paused (POST /v1/scheduler/pause): nothing runs then.
   */
  tickStopped: alarm('TickStopped', `No tick has finished for ${TICK_SILENT_MINUTES} minutes: nothing new is being sent`, {
    metricQueries: [
      { id: 'invocations', metric: lambdaMetric(tick.nodes.function.name, 'Invocations') },
      { id: 'errors', metric: lambdaMetric(tick.nodes.function.name, 'Errors') },
      { id: 'finished', expression: 'FILL(invocations, 0) - FILL(errors, 0)', label: 'ticks finished', returnData: true },
    ],
    comparisonOperator: 'LessThanThreshold',
    threshold: 1,
    evaluationPeriods: TICK_SILENT_MINUTES,
    datapointsToAlarm: TICK_SILENT_MINUTES,
    treatMissingData: 'breaching',
  }),
  /** Every occurrence that dies (by our attempts or SQS's receive cap) arrives in the dead-letter queue, whose consumer receives it. */
  deadLetters: queueAlarm('DeadLetters', 'Occurrences died after their last attempt (GET /v1/dead-letters)', deadLetterQueue, {
    metricName: 'NumberOfMessagesReceived',
    statistic: 'Sum',
    threshold: 1,
  }),
  /** The consumer records dead letters within seconds; a depth that stays ten minutes means it cannot. */
  deadLetterDepth: queueAlarm(
    'DeadLetterDepth',
    'Dead letters wait in the dead-letter queue unrecorded: its consumer is failing',
    deadLetterQueue,
    {
      metricName: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      threshold: 1,
      periods: 2,
    },
  ),
  oldestMessage: queueAlarm('OldestMessage', 'Occurrences wait in the work queue: workers are behind or failing', workQueue, {
    metricName: 'ApproximateAgeOfOldestMessage',
    statistic: 'Maximum',
    threshold: OLDEST_MESSAGE_ALARM_SECONDS,
  }),
  /**
   * EventBridge Scheduler could not invoke the tick after its retries and sent the event to
   * the queue: counted as sent (nothing consumes the queue, so its depth would keep the alarm on
   * and hide the next failure).
   */
  tickNotInvoked: queueAlarm('TickNotInvoked', 'EventBridge Scheduler could not invoke the tick', tickDeadLetters, {
    metricName: 'NumberOfMessagesSent',
    statistic: 'Sum',
    threshold: 1,
  }),
  /** The worker's own errors (a crash, its timeout); a failing handler is a retry, not an error. */
  workerErrors: functionErrors('WorkerErrors', 'The worker function failed (crash or timeout), not a handler', worker.nodes.function.name),
  apiErrors: functionErrors('ApiErrors', 'The API function failed (crash or timeout)', api.name),
  deadLetterConsumerErrors: functionErrors(
    'DeadLetterConsumerErrors',
    'The dead-letter consumer function failed',
    deadLetterConsumer.nodes.function.name,
  ),
};

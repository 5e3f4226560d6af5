/** The work queue and its dead-letter queue. */
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_SECONDS } from '../core/kernel/limits';

export const deadLetterQueue = new sst.aws.Queue('WorkDeadLetters', {
  // Above its consumer's 30 s timeout; dead letters are kept the 14 days SQS allows.
  visibilityTimeout: '60 seconds',
  transform: { queue: { messageRetentionSeconds: 1_209_600 } },
});

export const workQueue = new sst.aws.Queue('Work', {
  visibilityTimeout: `${VISIBILITY_TIMEOUT_SECONDS} seconds`,
  dlq: { queue: deadLetterQueue.arn, retry: MAX_RECEIVE_COUNT },
});

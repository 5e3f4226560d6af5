/** The work queue and its dead-letter queue. */
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_SECONDS } from '../core/limits';

export const deadLetterQueue = new sst.aws.Queue('WorkDeadLetters');

export const workQueue = new sst.aws.Queue('Work', {
  visibilityTimeout: `${VISIBILITY_TIMEOUT_SECONDS} seconds`,
  dlq: { queue: deadLetterQueue.arn, retry: MAX_RECEIVE_COUNT },
});

/** The work queue, its dead-letter queue, and the dead-letter queue of the tick's schedule. */
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_SECONDS } from '../core/kernel/limits';

/**
 * SQS's maximum, on both queues. A retry waits in the work queue (its backoff is the
 * message's visibility), so a job with long backoffs and many attempts needs days; SQS
 * keeps a moved message's first enqueue time, so the dead-letter queue cannot keep it
 * longer, but its consumer records every arrival in the ledger at once.
 */
export const MESSAGE_RETENTION_SECONDS = 14 * 24 * 3600;

export const deadLetterQueue = new sst.aws.Queue('WorkDeadLetters', {
  // Six times its consumer's 30 s timeout, as for the work queue.
  visibilityTimeout: '180 seconds',
  transform: { queue: { messageRetentionSeconds: MESSAGE_RETENTION_SECONDS } },
});

export const workQueue = new sst.aws.Queue('Work', {
  visibilityTimeout: `${VISIBILITY_TIMEOUT_SECONDS} seconds`,
  dlq: { queue: deadLetterQueue.arn, retry: MAX_RECEIVE_COUNT },
  transform: { queue: { messageRetentionSeconds: MESSAGE_RETENTION_SECONDS } },
});

/**
 * Where EventBridge Scheduler puts a tick it could not invoke after its retries (Lambda
 * refused the invocation: the function gone, or its role broken). Nothing consumes it: an
 * alarm watches what arrives; purge it once you have looked.
 */
export const tickDeadLetters = new sst.aws.Queue('TickDeadLetters', {
  transform: { queue: { messageRetentionSeconds: MESSAGE_RETENTION_SECONDS } },
});

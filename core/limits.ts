/**
 * Timing relationships the delivery guarantee rests on, in one place so the AWS
 * infra, the local runtime and the config agree. infra tests check the order:
 *
 *   claim lease  <=  worker Lambda timeout  <  queue visibility timeout
 *
 * A worker that dies (or hits its timeout) has its lease expire before SQS shows
 * the message again, so the redelivery can take the occurrence over; a worker
 * still running keeps the message hidden, so nobody else starts it.
 */
export const CLAIM_LEASE_SECONDS = 60;
/** Lease, plus up to 5 s waiting for an early message's instant, plus bookkeeping. */
export const WORKER_TIMEOUT_SECONDS = 75;
export const VISIBILITY_TIMEOUT_SECONDS = 90;
/** Receives before SQS parks a message in the dead-letter queue: the hard cap. */
export const MAX_RECEIVE_COUNT = 10;
/** The worker's event source: concurrent batches at most (AWS allows 2-1,000). */
export const WORKER_MAX_CONCURRENCY = 20;

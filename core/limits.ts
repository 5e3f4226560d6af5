/**
 * Timing relationships the delivery guarantee rests on, in one place so the AWS
 * infra, the local runtime and the config agree. infra tests check the order:
 *
 *   handler timeout + lease margin  =  claim lease
 *   early wait + claim lease          <=  worker Lambda timeout  <  queue visibility timeout
 *
 * A worker that dies (or hits its timeout) has its lease expire before SQS shows
 * the message again, so the redelivery can take the occurrence over; a worker
 * still running keeps the message hidden, so nobody else starts it.
 */
/** The longest a job may set as its `timeout`. */
export const MAX_HANDLER_TIMEOUT_SECONDS = 60;
/** A claim outlives its handler's timeout by this much, for the bookkeeping after it. */
export const LEASE_MARGIN_SECONDS = 5;
/** Longest a worker waits for a message SQS released before its instant. */
export const MAX_EARLY_WAIT_SECONDS = 5;
export const WORKER_TIMEOUT_SECONDS = 75;
export const VISIBILITY_TIMEOUT_SECONDS = 90;
/**
 * Receives before SQS parks a message in the dead-letter queue: the hard cap,
 * above any job's own limit, so that our count decides (local-aws-sqs counts a
 * backoff as a receive too, so an attempt can cost two there).
 */
export const MAX_RECEIVE_COUNT = 50;
/** The most attempts a job may ask for: below half the hard cap, for the reason above. */
export const MAX_ATTEMPTS = 20;
/** The worker's event source: concurrent batches at most (AWS allows 2-1,000). */
export const WORKER_MAX_CONCURRENCY = 20;

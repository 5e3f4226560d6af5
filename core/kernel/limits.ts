/**
 * Timing relationships the delivery guarantee rests on, in one place so the AWS
 * infra, the local runtime and the config agree. infra tests check the order:
 *
 *   handler timeout + lease margin  =  claim lease
 *   early wait + claim lease          <=  worker Lambda timeout
 *   6 × worker Lambda timeout         <=  queue visibility timeout
 *
 * A worker that dies (or hits its timeout) has its lease expire before SQS shows
 * the message again, so the redelivery can take the occurrence over; a worker
 * still running keeps the message hidden, so nobody else starts it.
 */
/** The longest a job may set as its `timeout`. */
export const MAX_HANDLER_TIMEOUT_SECONDS = 60;
/** A claim outlives its handler's timeout by this much, for the bookkeeping after it. */
export const LEASE_MARGIN_SECONDS = 7;
/** Longest a worker waits for a message SQS released before its instant. */
export const MAX_EARLY_WAIT_SECONDS = 5;
export const WORKER_TIMEOUT_SECONDS = 75;
/**
 * Six times the worker's timeout, AWS's advice for a queue that feeds a Lambda event
 * source: a batch that Lambda throttles or retries stays hidden the while. It is how
 * long a message stays hidden after a worker that received it died (crash, out of
 * memory); a handler that overruns its own `timeout` is caught by the worker, not by this.
 */
export const VISIBILITY_TIMEOUT_SECONDS = 6 * WORKER_TIMEOUT_SECONDS;
/**
 * Receives before SQS parks a message in the dead-letter queue: the hard cap,
 * above any job's own limit, so that our count decides (local-aws-sqs counts a
 * backoff as a receive too, so an attempt can cost two there).
 */
export const MAX_RECEIVE_COUNT = 50;
/**
 * A message waiting for a concurrency slot is sent again as a fresh copy (and the old
 * one acknowledged) once SQS has counted this many receives: well below
 * MAX_RECEIVE_COUNT, even where a backoff counts as a receive too (local-aws-sqs).
 */
export const RESEND_AFTER_RECEIVES = 20;
/** The longest a delivery waits before it looks for a free concurrency slot again. */
export const SLOT_WAIT_MAX_SECONDS = 8;
/** The most attempts a job may ask for: below half the hard cap, for the reason above. */
export const MAX_ATTEMPTS = 20;
/** The worker's event source: concurrent batches at most (AWS allows 2-1,000). */
export const WORKER_MAX_CONCURRENCY = 20;

/**
 * Every AWS call is bounded, so a store that accepts connections and never answers
 * fails the call (StoreUnavailableError: a 503, a failed tick, a batch item that
 * comes back) instead of holding the API, the tick or the worker forever.
 *
 *   AWS_MAX_ATTEMPTS × AWS_ATTEMPT_TIMEOUT_MS + AWS_RETRY_BACKOFF_ALLOWANCE_MS  =  AWS_CALL_BOUND_MS
 *   AWS_CALL_BOUND_MS  <=  LEASE_MARGIN_SECONDS
 *
 * The worker's bookkeeping after a handler (retries, dead letters, outcomes) runs
 * inside the lease margin: a call there either lands before the lease ends or fails.
 * infra tests check this, and that the API (29 s) and the tick fit several calls.
 */
/** Connecting to the endpoint; DynamoDB and SQS answer a connect in milliseconds, emulators too. */
export const AWS_CONNECT_TIMEOUT_MS = 1_000;
/**
 * One attempt, from handing the request to the HTTP layer to the answer's last byte
 * (a body that stalls counts). DynamoDB and SQS answer in tens of milliseconds; the
 * rest is room for emulators on a busy laptop and for a queue for sockets.
 */
export const AWS_ATTEMPT_TIMEOUT_MS = 2_000;
/** The SDK's standard retry mode: one attempt and two retries. */
export const AWS_MAX_ATTEMPTS = 3;
/** Before retrying a time-out the SDK waits under 50 ms, then under 100 ms (standard mode); rounded up generously. */
export const AWS_RETRY_BACKOFF_ALLOWANCE_MS = 500;
/** The longest one AWS call can take when the store never answers. */
export const AWS_CALL_BOUND_MS = AWS_MAX_ATTEMPTS * AWS_ATTEMPT_TIMEOUT_MS + AWS_RETRY_BACKOFF_ALLOWANCE_MS;
/** The longest SQS long poll we ask for (SQS's own maximum); its attempts get this on top of AWS_ATTEMPT_TIMEOUT_MS. */
export const MAX_LONG_POLL_SECONDS = 20;

/**
 * Turns AWS SDK failures into domain errors by their type and metadata, never by
 * message text. Anything unrecognised is rethrown as it is.
 */
import { StoreUnavailableError, ThrottledError } from '../../core/kernel/errors.js';
import { AttemptTimeoutError } from './bounded-http-handler.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_NAMES = new Set([
  // The SDK's HTTP handler names its connection, request and socket time-outs so, and
  // a reset or broken connection too; ours (AttemptTimeoutError) as well.
  'TimeoutError',
  // A service that gave up waiting for the request (S3-style, and API fronts).
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

interface SdkLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
  errors?: unknown[];
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as SdkLikeError | undefined)?.name === 'ConditionalCheckFailedException';
}

/** True for an outage (time-outs, refused or broken connections, 5xx, throttling), by type, name, code and status. */
export function isUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  if (error instanceof AttemptTimeoutError) return true;
  const e = error as SdkLikeError;
  if ((e.code && NETWORK_CODES.has(e.code)) || (e.name && UNAVAILABLE_NAMES.has(e.name))) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  // Node reports a refused connection to a dual-stack host as an AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isUnavailable(inner, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1);
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** Throttling by the service itself (its rate limits), as opposed to an outage. */
export function isThrottling(error: unknown): boolean {
  const e = error as SdkLikeError | undefined;
  return Boolean(e && ((e.name && THROTTLING_NAMES.has(e.name)) || e.$metadata?.httpStatusCode === 429));
}

/** Runs an AWS call; throttling becomes ThrottledError, an outage StoreUnavailableError; other errors pass through. */
export async function callAws<T>(service: string, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isThrottling(error)) throw new ThrottledError(`${service} ${operation} was throttled`, { cause: error });
    if (isUnavailable(error))
      throw new StoreUnavailableError(`${service} ${operation} failed: the service is unavailable`, { cause: error });
    throw error;
  }
}

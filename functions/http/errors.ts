/**
 * The API's one error shape, and the one place domain errors meet HTTP statuses:
 * { "error": { "code", "message", "details": [{ "path", "message" }] } }. Never a stack trace.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ConcurrentUpdateError,
  VersionMismatchError,
  SendFailedError,
  JobNameTakenError,
  UniqueKeyTakenError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  JobNotFoundError,
  StoreUnavailableError,
  ThrottledError,
  ValidationError,
  type FieldProblem,
} from '../../core/kernel/errors.js';
import type { Logger } from '../../core/kernel/ports.js';
import { StaleSettingsError } from '../../core/settings/settings-store.js';
import { SchedulerControlIncompleteError } from '../../core/service/scheduler-control.js';

export interface ErrorBody {
  error: { code: string; message: string; details: FieldProblem[] };
}

/** An error the HTTP layer raises itself (bad JSON, missing key, unknown route). */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

function classify(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  // The same problem named twice (two checks of one field agreeing) is said once.
  const body = (code: string, message: string, details: FieldProblem[] = []): ErrorBody => ({
    error: {
      code,
      message,
      details: details.filter((d, i) => details.findIndex((e) => e.path === d.path && e.message === d.message) === i),
    },
  });
  if (error instanceof HttpError) return { status: error.status, body: body(error.code, error.message, error.details) };
  if (error instanceof ValidationError) return { status: 400, body: body('validation_failed', error.message, error.details) };
  if (error instanceof JobNotFoundError) return { status: 404, body: body('not_found', error.message) };
  if (error instanceof JobNameTakenError)
    return { status: 409, body: body('conflict', error.message, [{ path: 'name', message: 'is already taken' }]) };
  if (error instanceof VersionMismatchError) {
    return {
      status: 412,
      body: body('precondition_failed', error.message, [{ path: 'If-Match', message: `the job is at version ${error.actual}` }]),
    };
  }
  if (error instanceof StaleSettingsError) {
    return {
      status: 412,
      body: body('precondition_failed', error.message, [{ path: 'If-Match', message: `the settings are at version ${error.actual}` }]),
    };
  }
  if (error instanceof ConcurrentUpdateError) return { status: 409, body: body('conflict', error.message) };
  if (error instanceof IdempotencyKeyReusedError)
    return {
      status: 422,
      body: body('idempotency_key_reused', error.message, [{ path: 'Idempotency-Key', message: 'was sent with another body' }]),
    };
  if (error instanceof IdempotencyInProgressError)
    return {
      status: 409,
      body: body('in_progress', error.message, [{ path: 'Idempotency-Key', message: 'its first request is under way' }]),
    };
  if (error instanceof UniqueKeyTakenError)
    return { status: 409, body: body('conflict', error.message, [{ path: 'uniqueKey', message: `held by execution ${error.holder}` }]) };
  if (error instanceof SendFailedError)
    return { status: 422, body: body('unsendable', 'the queue refused the message', [{ path: 'payload', message: error.message }]) };
  // Before the store's own: half of a pause or resume is done, and the message says which half.
  if (error instanceof SchedulerControlIncompleteError)
    return {
      status: 503,
      body: body('schedule_unavailable', error.message, [
        {
          path: 'schedule',
          message: `could not be ${error.action}d (${error.reason}); the scheduler is ${error.paused ? 'paused' : 'not paused'}`,
        },
      ]),
    };
  if (error instanceof ThrottledError)
    return { status: 429, body: body('throttled', "the scheduler's storage is busy (rate limited); try again in a moment") };
  if (error instanceof StoreUnavailableError)
    return { status: 503, body: body('unavailable', "the scheduler's storage is unavailable; try again shortly") };
  // The client went away before its body arrived (Node's premature close): its own doing, and no one hears the answer.
  if (error instanceof Error && (error as { code?: unknown }).code === 'ECONNRESET')
    return { status: 400, body: body('aborted', 'the request was aborted before its body arrived') };
  // Hono's own (a body it could not read, a media type its validator refused): a client's error, said in our shape.
  if (error instanceof HTTPException && error.status < 500) {
    return {
      status: error.status,
      body: body(codeOfStatus(error.status), error.message || 'the request is not valid'),
    };
  }
  return { status: 500, body: body('internal', 'internal error') };
}

function codeOfStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad_request',
    404: 'not_found',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
  };
  return codes[status] ?? 'bad_request';
}

/** A 5xx's cause for the log: an error's name and message, or a string as it is; nothing else (it could hold anything). */
function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause === 'string' ? cause : '';
}

export function errorResponse(c: Context, error: unknown, logger: Logger): Response {
  const { status, body } = classify(error);
  if (status >= 500) {
    logger.error('request failed', {
      method: c.req.method,
      path: c.req.path,
      status,
      error: error instanceof Error ? { name: error.name, message: error.message, cause: causeOf(error) } : String(error),
    });
  }
  if (status === 503) c.header('Retry-After', '5');
  if (status === 429) c.header('Retry-After', '1');
  return c.json(body, status);
}

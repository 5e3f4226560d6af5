/**
 * Your handlers. A job names one of these in its `handler` field; the worker runs
 * it with the job's payload. Add your own with `handlers.register(name, fn)`.
 * A handler that throws fails the attempt; the error's name and message land in
 * the execution ledger.
 */
import { HandlerRegistry } from '../core/execution/handlers.js';

export class FailHandlerError extends Error {
  override name = 'FailHandlerError';
}

export function createHandlers(): HandlerRegistry {
  return new HandlerRegistry({
    /** Writes the payload to the log: the heartbeat example and a smoke test. */
    log: (payload, ctx) => {
      ctx.logger.info('log handler', { jobName: ctx.jobName, scheduledFor: ctx.scheduledFor, attempt: ctx.attempt, payload });
    },
    /** Always throws, for tests and demos of retries and dead letters. */
    fail: (payload) => {
      const message = (payload as { message?: unknown } | null)?.message;
      throw new FailHandlerError(typeof message === 'string' ? message : 'the fail handler always fails');
    },
    /** Fails until its payload says `"ok": true`: shows retries, dead letters and a redrive with an edited payload. */
    'require-ok': (payload) => {
      if ((payload as { ok?: unknown } | null)?.ok !== true) throw new FailHandlerError('payload.ok is not true');
    },
    /** Fails its first attempt and succeeds on the next: shows a retry (the crash tests use it). */
    'fail-first': (_payload, ctx) => {
      const failing = ctx.attempt === 1;
      ctx.logger.info('fail-first handler', {
        jobName: ctx.jobName,
        scheduledFor: ctx.scheduledFor,
        attempt: ctx.attempt,
        succeeded: !failing,
      });
      if (failing) throw new FailHandlerError('the first attempt fails');
    },
    /** Does nothing; useful for measuring the scheduler itself. */
    noop: () => {},
  });
}

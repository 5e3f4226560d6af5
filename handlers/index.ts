/**
 * Your handlers. A job names one of these in its `handler` field; the worker runs
 * it with the job's payload. Add your own with `defineHandler` (a zod schema for
 * the payload makes `run` receive it parsed), or a plain function with
 * `handlers.register(name, fn)`. A handler that throws fails the attempt; the
 * error's name and message land in the execution ledger.
 *
 * The built-ins' schemas are loose objects on purpose (other fields allowed): jobs
 * made before the built-ins had schemas must still fit, since a payload that stops
 * fitting goes dead without running.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { defineHandler, HandlerRegistry } from '../core/execution/handlers.js';

export class FailHandlerError extends Error {
  override name = 'FailHandlerError';
}

export function createHandlers(): HandlerRegistry {
  return new HandlerRegistry([
    defineHandler({
      name: 'log',
      description: 'Writes the payload to the log: the heartbeat example and a smoke test.',
      run: (payload, ctx) => {
        ctx.logger.info('log handler', { jobName: ctx.jobName, scheduledFor: ctx.scheduledFor, attempt: ctx.attempt, payload });
      },
    }),
    defineHandler({
      name: 'fail',
      description: 'Always throws, with `message` if given: for demos of retries and dead letters.',
      // Other fields are allowed: the fail handler ignores them.
      payload: z.looseObject({ message: z.string().optional() }),
      run: (payload) => {
        throw new FailHandlerError(payload.message ?? 'the fail handler always fails');
      },
    }),
    defineHandler({
      name: 'require-ok',
      description: 'Fails until its payload says `"ok": true`: shows retries, dead letters and a redrive with an edited payload.',
      // `ok` is optional so that a job can start out failing with `{}`.
      payload: z.looseObject({ ok: z.boolean().optional() }),
      run: (payload) => {
        if (payload.ok !== true) throw new FailHandlerError('payload.ok is not true');
      },
    }),
    defineHandler({
      name: 'fail-first',
      description: 'Fails its first attempt and succeeds on the next: shows a retry (the crash tests use it).',
      run: (_payload, ctx) => {
        const failing = ctx.attempt === 1;
        ctx.logger.info('fail-first handler', {
          jobName: ctx.jobName,
          scheduledFor: ctx.scheduledFor,
          attempt: ctx.attempt,
          succeeded: !failing,
        });
        if (failing) throw new FailHandlerError('the first attempt fails');
      },
    }),
    defineHandler({
      name: 'noop',
      description: 'Does nothing; useful for measuring the scheduler itself.',
      run: () => {},
    }),
    defineHandler({
      name: 'sleep',
      description:
        'Waits `ms` milliseconds (stopping at its timeout), logging how many sleep handlers run at once in this process: ' +
        'for trying the concurrency limit (the local runtime runs every worker in one process).',
      payload: z.object({ ms: z.number().int().min(0).max(60_000) }),
      run: async ({ ms }, ctx) => {
        const running = ++sleeping;
        ctx.logger.info('sleep handler start', { jobName: ctx.jobName, scheduledFor: ctx.scheduledFor, running });
        try {
          await delay(ms, undefined, { signal: ctx.signal });
        } finally {
          sleeping--;
        }
      },
    }),
  ]);
}

/** Sleep handlers running now in this process: what each one logs when it starts. */
let sleeping = 0;

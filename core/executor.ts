/**
 * The worker's rules for one occurrence: wait for its instant, claim it in the
 * ledger, run its handler, record the outcome. The claim comes first so that a
 * duplicate delivery (SQS is at-least-once, ticks may re-send) never runs twice.
 */
import type { ExecutionError } from './execution.js';
import type { HandlerRegistry } from './handlers.js';
import type { Occurrence } from './occurrence.js';
import type { Clock, ExecutionStore, Logger } from './ports.js';

/**
 * - `duplicate`: the occurrence already succeeded; drop the message.
 * - `in-progress`: another delivery is running it under a live lease; redeliver later,
 *   so that if that worker dies this message can still take over.
 */
export type ExecutionResult = 'succeeded' | 'failed' | 'duplicate' | 'in-progress';

export interface ExecutorDeps {
  executions: ExecutionStore;
  handlers: HandlerRegistry;
  clock: Clock;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  /** How long a running claim is honoured before another delivery may take over. */
  leaseMs: number;
  /** Longest the worker waits for an early message's instant; the rest is the queue's job. */
  maxEarlyWaitMs: number;
}

function describe(error: unknown): ExecutionError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * Sleeps until the instant, re-checking after each sleep: timers run on a
 * monotonic clock and can wake a millisecond before the wall clock says so, and a
 * handler must never start before its instant.
 */
async function waitForInstant(instantMs: number, deps: ExecutorDeps): Promise<void> {
  const giveUpAt = deps.clock.now().getTime() + deps.maxEarlyWaitMs;
  for (;;) {
    const now = deps.clock.now().getTime();
    if (now >= instantMs || now >= giveUpAt) return;
    await deps.sleep(Math.max(1, Math.min(instantMs, giveUpAt) - now));
  }
}

export async function executeOccurrence(occurrence: Occurrence, deps: ExecutorDeps): Promise<ExecutionResult> {
  await waitForInstant(new Date(occurrence.scheduledFor).getTime(), deps);

  const started = deps.clock.now();
  const claim = await deps.executions.claim({
    jobId: occurrence.jobId,
    scheduledFor: occurrence.scheduledFor,
    jobName: occurrence.jobName,
    handler: occurrence.handler,
    startedAt: started.toISOString(),
    leaseUntil: new Date(started.getTime() + deps.leaseMs).toISOString(),
  });
  const log = { jobId: occurrence.jobId, jobName: occurrence.jobName, scheduledFor: occurrence.scheduledFor };
  if (!claim.claimed) {
    const running = claim.holder.status === 'running';
    deps.logger.info(running ? 'occurrence is running elsewhere; will check again' : 'duplicate delivery dropped', log);
    return running ? 'in-progress' : 'duplicate';
  }
  const claimed = claim.execution;

  let error: ExecutionError | undefined;
  try {
    const handler = deps.handlers.get(occurrence.handler);
    await handler(occurrence.payload, {
      jobId: occurrence.jobId,
      jobName: occurrence.jobName,
      scheduledFor: occurrence.scheduledFor,
      attempt: claimed.attempt,
      logger: deps.logger,
      signal: new AbortController().signal,
    });
  } catch (caught) {
    error = describe(caught);
  }
  const finished = deps.clock.now();
  const status = error ? 'failed' : 'succeeded';
  await deps.executions.complete({
    jobId: occurrence.jobId,
    scheduledFor: occurrence.scheduledFor,
    attempt: claimed.attempt,
    status,
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    ...(error ? { error } : {}),
  });
  const attrs = { ...log, attempt: claimed.attempt, durationMs: finished.getTime() - started.getTime() };
  if (error) deps.logger.warn('execution failed', { ...attrs, error });
  else deps.logger.info('execution succeeded', attrs);
  return status;
}

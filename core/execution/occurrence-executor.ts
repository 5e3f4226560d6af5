/**
 * The worker's rules for one occurrence: wait for its instant, claim it in the
 * ledger, run its handler under a timeout, record the outcome and decide what
 * comes next (done, retry after a backoff, or dead). The claim comes first so
 * that a duplicate delivery never runs the handler twice.
 */
import type { DeadReason, ExecutionError } from './ledger-record.js';
import { describeThrown, isInstance } from './failure.js';
import { NonRetryableError, RetryAfterError, type HandlerRegistry } from './handlers.js';
import { LEASE_MARGIN_SECONDS } from '../kernel/limits.js';
import { encodeOccurrence, type Occurrence } from './occurrence.js';
import type { Clock, Logger } from '../kernel/ports.js';
import type { ExecutionStore, Queue } from './ports.js';
import type { JobStore } from '../jobs/job-store.js';
import { MAX_RETRY_DELAY_MS } from '../jobs/policies.js';
import { backoffMs } from './backoff.js';
import { takeSlots, type ConcurrencyDeps } from './concurrency.js';

/**
 * - `duplicate`: the occurrence already finished (succeeded or dead); drop the message.
 * - `in-progress`: another delivery runs it under a live lease; redeliver later,
 *   so that if that worker dies this message can still take over.
 * - `retry`: the attempt failed; deliver again after `delayMs`.
 * - `dead`: no more attempts; park the message in the dead-letter queue.
 * - `skipped` / `queued`: the job's previous run still runs (overlap policy); the
 *   ledger says so, and a queued one is sent again when that run ends.
 * - `no-slot`: the global concurrency limit is reached; nothing was claimed or
 *   counted: deliver again shortly (see concurrency.ts).
 */
export type ExecutionResult =
  | { kind: 'succeeded' }
  | { kind: 'duplicate' }
  | { kind: 'skipped' }
  | { kind: 'queued' }
  | { kind: 'in-progress' }
  | { kind: 'no-slot' }
  | { kind: 'retry'; delayMs: number; error: ExecutionError }
  | { kind: 'dead'; reason: DeadReason; error: ExecutionError };

export interface ExecutorDeps extends ConcurrencyDeps {
  executions: ExecutionStore;
  /** The overlap lock, for jobs whose overlap policy is not `allow`. */
  jobs: Pick<JobStore, 'acquireRun' | 'queueRun' | 'releaseRun'>;
  /** Sends a queued occurrence when the run ahead of it ends. */
  queue: Pick<Queue, 'send'>;
  handlers: HandlerRegistry;
  clock: Clock;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter's source. */
  random: () => number;
  /** Longest the worker waits for an early message's instant; the rest is the queue's job. */
  maxEarlyWaitMs: number;
}

export class HandlerTimeoutError extends Error {
  override name = 'HandlerTimeoutError';
}

/**
 * Sleeps until the instant, re-checking after each sleep: timers run on a
 * monotonic clock and can wake a millisecond before the wall clock says so, and a
 * handler must never start before its instant.
 */
export async function waitForInstant(instantMs: number, deps: ExecutorDeps): Promise<void> {
  const giveUpAt = deps.clock.now().getTime() + deps.maxEarlyWaitMs;
  for (;;) {
    const now = deps.clock.now().getTime();
    if (now >= instantMs || now >= giveUpAt) return;
    await deps.sleep(Math.max(1, Math.min(instantMs, giveUpAt) - now));
  }
}

/** Runs the handler; rejects with HandlerTimeoutError when it outlives its timeout, and aborts its signal. */
async function runWithTimeout(run: (signal: AbortSignal) => Promise<void> | void, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new HandlerTimeoutError(`the handler did not finish within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => run(controller.signal)), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `priorAttempts`: attempts known to have been made without a ledger record: a
 * bundle member whose worker died held it as attempt 1 (a bundle writes its
 * outcomes only when it ends), so its takeover claims it in the ledger as attempt 2.
 */
export async function executeOccurrence(
  occurrence: Occurrence,
  deps: ExecutorDeps,
  options: {
    priorAttempts?: number;
    /** Who holds its concurrency slot (the delivery); `slotHeld`: its caller took one for it. */
    slotHolder?: string;
    slotHeld?: boolean;
  } = {},
): Promise<ExecutionResult> {
  await waitForInstant(new Date(occurrence.scheduledFor).getTime(), deps);
  if (options.slotHeld) return claimAndRun(occurrence, deps, options);
  // The slot comes before the claim: a claim without a slot would hold the occurrence,
  // and its next delivery would count an attempt that never ran.
  const slot = await takeSlots(1, options.slotHolder ?? `${occurrence.jobId}@${occurrence.scheduledFor}`, occurrence.timeoutMs, deps);
  if (slot.count === 0) return { kind: 'no-slot' };
  try {
    return await claimAndRun(occurrence, deps, options);
  } finally {
    await slot.release();
  }
}

async function claimAndRun(occurrence: Occurrence, deps: ExecutorDeps, options: { priorAttempts?: number }): Promise<ExecutionResult> {
  const started = deps.clock.now();
  const claim = await deps.executions.claim({
    jobId: occurrence.jobId,
    scheduledFor: occurrence.scheduledFor,
    jobName: occurrence.jobName,
    handler: occurrence.handler,
    startedAt: started.toISOString(),
    leaseUntil: new Date(started.getTime() + occurrence.timeoutMs + LEASE_MARGIN_SECONDS * 1000).toISOString(),
    ...(occurrence.redriveId ? { redriveId: occurrence.redriveId } : {}),
    ...(occurrence.trigger ? { trigger: occurrence.trigger } : {}),
    ...(options.priorAttempts ? { priorAttempts: options.priorAttempts } : {}),
  });
  const log = { jobId: occurrence.jobId, jobName: occurrence.jobName, scheduledFor: occurrence.scheduledFor };
  if (!claim.claimed) {
    const { retryAt, error } = claim.holder;
    if (claim.holder.status === 'failed' && retryAt && error) {
      // Sent again before its backoff ended (a bundle's retry goes out at once): wait for it.
      return { kind: 'retry', delayMs: Date.parse(retryAt) - started.getTime(), error };
    }
    const running = claim.holder.status === 'running';
    deps.logger.info(running ? 'occurrence is running elsewhere; will check again' : 'duplicate delivery dropped', log);
    return { kind: running ? 'in-progress' : 'duplicate' };
  }
  const { attempt, attemptBase = 0 } = claim.execution;
  const attemptOfRound = attempt - attemptBase;
  const key = { jobId: occurrence.jobId, scheduledFor: occurrence.scheduledFor, attempt };
  const overlap = occurrence.overlap ?? 'allow';
  const guarded = overlap !== 'allow' && attemptOfRound <= occurrence.maxAttempts;

  if (guarded) {
    const waiting = await takeOverlapLock(occurrence, claim.execution.leaseUntil, deps);
    if (waiting) {
      const at = deps.clock.now().toISOString();
      const timing = { finishedAt: at, durationMs: new Date(at).getTime() - started.getTime() };
      if (waiting === 'queued') {
        await deps.executions.complete({ ...key, ...timing, status: 'queued', attemptBase: attempt });
        deps.logger.info('queued behind the running occurrence', log);
        return { kind: 'queued' };
      }
      await deps.executions.complete({ ...key, ...timing, status: 'skipped', skipReason: 'overlap' });
      deps.logger.info('skipped: the previous run is still running', log);
      return { kind: 'skipped' };
    }
  }
  try {
    return await attemptRun(occurrence, { key, attemptOfRound, started, log }, deps);
  } finally {
    if (guarded) await releaseOverlapLock(occurrence, deps);
  }
}

/** Returns undefined when this occurrence may run now, else whether it was queued or is to be skipped. */
async function takeOverlapLock(occurrence: Occurrence, leaseUntil: string, deps: ExecutorDeps): Promise<'queued' | 'skip' | undefined> {
  const now = () => deps.clock.now().toISOString();
  if ((await deps.jobs.acquireRun(occurrence.jobId, occurrence.scheduledFor, leaseUntil, now())).acquired) return undefined;
  if (occurrence.overlap === 'queue-one' && (await deps.jobs.queueRun(occurrence.jobId, encodeOccurrence(occurrence)))) return 'queued';
  // The holder may have finished in between: one more try before giving up.
  return (await deps.jobs.acquireRun(occurrence.jobId, occurrence.scheduledFor, leaseUntil, now())).acquired ? undefined : 'skip';
}

async function releaseOverlapLock(occurrence: Occurrence, deps: ExecutorDeps): Promise<void> {
  const parked = await deps.jobs.releaseRun(occurrence.jobId, occurrence.scheduledFor);
  if (parked) {
    // If this send is lost, recovery finds the queued record and sends it.
    await deps.queue.send([{ ...(JSON.parse(parked) as Occurrence), delaySeconds: 0 }]);
    deps.logger.info('sent the occurrence queued behind this one', { jobId: occurrence.jobId, after: occurrence.scheduledFor });
  }
}

interface Attempt {
  key: { jobId: string; scheduledFor: string; attempt: number };
  /** Counted from the last redrive, against maxAttempts. */
  attemptOfRound: number;
  started: Date;
  log: Record<string, unknown>;
}

/** How one attempt of a handler ended: no error, or the error and what was thrown. */
export interface HandlerRun {
  error?: ExecutionError;
  caught?: unknown;
}

/** Runs the occurrence's handler as attempt `attemptOfRound`, under its timeout; never throws. */
export async function runHandler(
  occurrence: Occurrence,
  attemptOfRound: number,
  deps: Pick<ExecutorDeps, 'handlers' | 'logger'>,
): Promise<HandlerRun> {
  if (attemptOfRound > occurrence.maxAttempts) {
    // Redelivered after workers died mid-attempt: the budget is spent without a result.
    return {
      error: {
        name: 'AttemptsExhausted',
        message: `all ${occurrence.maxAttempts} attempts were made; the last were lost with their worker`,
      },
    };
  }
  try {
    const handler = deps.handlers.get(occurrence.handler);
    // A payload that no longer fits its handler's schema (the job predates a change to
    // it) throws PayloadInvalidError, a NonRetryableError: dead at once, the field named.
    const payload = deps.handlers.parsePayload(occurrence.handler, occurrence.payload);
    await runWithTimeout(
      (signal) =>
        handler(payload, {
          jobId: occurrence.jobId,
          jobName: occurrence.jobName,
          scheduledFor: occurrence.scheduledFor,
          attempt: attemptOfRound,
          logger: deps.logger,
          signal,
        }),
      occurrence.timeoutMs,
    );
    return {};
  } catch (caught) {
    return { error: describeThrown(caught), caught };
  }
}

/** What a failed attempt leads to: dead (and why), or another attempt after a delay. */
export function afterFailure(
  occurrence: Occurrence,
  attemptOfRound: number,
  caught: unknown,
  random: () => number,
): { dead: DeadReason } | { delayMs: number } {
  if (isInstance(caught, NonRetryableError)) return { dead: 'non-retryable' };
  if (attemptOfRound >= occurrence.maxAttempts) return { dead: 'attempts-exhausted' };
  const backoff = backoffMs(attemptOfRound, { maxAttempts: occurrence.maxAttempts, ...occurrence.retry }, random);
  // A handler's own delay is taken only when it is a real number of milliseconds; NaN, a
  // negative or an infinite one would make a retry time that cannot be written down.
  const asked = isInstance(caught, RetryAfterError) ? Number(caught.delayMs) : Number.NaN;
  const chosen = Number.isFinite(asked) ? Math.max(0, asked) : backoff;
  return { delayMs: Math.round(Math.min(MAX_RETRY_DELAY_MS, chosen)) };
}

async function attemptRun(
  occurrence: Occurrence,
  { key, attemptOfRound, started, log }: Attempt,
  deps: ExecutorDeps,
): Promise<ExecutionResult> {
  const { error, caught } = await runHandler(occurrence, attemptOfRound, deps);
  const finished = deps.clock.now();
  const timing = { finishedAt: finished.toISOString(), durationMs: finished.getTime() - started.getTime() };
  if (!error) {
    await deps.executions.complete({ ...key, ...timing, status: 'succeeded' });
    deps.logger.info('execution succeeded', { ...log, attempt: attemptOfRound, durationMs: timing.durationMs });
    return { kind: 'succeeded' };
  }

  const next = afterFailure(occurrence, attemptOfRound, caught, deps.random);
  if ('dead' in next) {
    // A claim past the budget ran nothing: the record keeps the number of the last attempt made.
    const exhausted =
      attemptOfRound > occurrence.maxAttempts ? { recordAttempt: key.attempt - (attemptOfRound - occurrence.maxAttempts) } : {};
    await deps.executions.complete({
      ...key,
      ...timing,
      ...exhausted,
      status: 'dead',
      error,
      deadReason: next.dead,
      occurrence: encodeOccurrence(occurrence),
    });
    deps.logger.warn('execution dead', { ...log, attempt: attemptOfRound, reason: next.dead, error });
    return { kind: 'dead', reason: next.dead, error };
  }
  const retryAt = new Date(finished.getTime() + next.delayMs).toISOString();
  await deps.executions.complete({ ...key, ...timing, status: 'failed', error, retryAt });
  deps.logger.warn('execution failed; will retry', { ...log, attempt: attemptOfRound, retryAt, error });
  return { kind: 'retry', delayMs: next.delayMs, error };
}

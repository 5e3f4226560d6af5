import { describe, expect, it, vi } from 'vitest';
import { executeOccurrence, type ExecutorDeps } from '../../core/execution/occurrence-executor.js';
import { HandlerRegistry, NonRetryableError, RetryAfterError, type Handler } from '../../core/execution/handlers.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

function setup(handlers: Record<string, Handler>) {
  const base = memoryDeps('2026-01-01T00:01:00.000Z');
  const { clock, executions } = base;
  const deps: ExecutorDeps = { ...base, handlers: new HandlerRegistry(handlers), maxEarlyWaitMs: 5_000 };
  const run = (o: Occurrence) => executeOccurrence(o, deps);
  /** Runs it, and lets a retry's backoff pass: the ledger refuses a retry before its time. */
  const runThenWait = async (o: Occurrence) => {
    const result = await run(o);
    if (result.kind === 'retry') clock.advance(result.delayMs);
    return result;
  };
  const record = (o: Occurrence) => executions.get(o.jobId, o.scheduledFor);
  return { clock, executions, deps, run, runThenWait, record };
}

describe('executeOccurrence', () => {
  it('runs the named handler with the payload and records success', async () => {
    const seen: unknown[] = [];
    const t = setup({
      work: (payload, ctx) => {
        seen.push({ payload, attempt: ctx.attempt, scheduledFor: ctx.scheduledFor });
        t.clock.advance(250);
      },
    });
    const occurrence = anOccurrence({ handler: 'work' });

    expect(await t.run(occurrence)).toEqual({ kind: 'succeeded' });
    expect(seen).toEqual([{ payload: { hello: 'world' }, attempt: 1, scheduledFor: occurrence.scheduledFor }]);
    expect(await t.record(occurrence)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      startedAt: '2026-01-01T00:01:00.000Z',
      finishedAt: '2026-01-01T00:01:00.250Z',
      durationMs: 250,
    });
  });

  it('records a failure, asks for a retry after the backoff, and counts the next delivery as attempt 2', async () => {
    let calls = 0;
    const t = setup({
      flaky: () => {
        calls++;
        if (calls === 1) throw new TypeError('boom');
      },
    });
    const occurrence = anOccurrence({ handler: 'flaky' });

    expect(await t.run(occurrence)).toEqual({ kind: 'retry', delayMs: 10_000, error: { name: 'TypeError', message: 'boom' } });
    // Delivered again before its backoff ended, it waits (the worker hides the message for the rest).
    t.clock.advance(4_000);
    expect(await t.run(occurrence)).toMatchObject({ kind: 'retry', delayMs: 6_000 });
    expect(calls).toBe(1);
    t.clock.advance(6_000);
    expect(await t.record(occurrence)).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { name: 'TypeError', message: 'boom' },
      retryAt: '2026-01-01T00:01:10.000Z',
    });

    expect(await t.run(occurrence)).toEqual({ kind: 'succeeded' });
    const record = await t.record(occurrence);
    expect(record).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(record!.error).toBeUndefined();
    expect(record!.retryAt).toBeUndefined();
  });

  it('is dead after exactly maxAttempts, with the last error and the message kept for redrive', async () => {
    let calls = 0;
    const t = setup({
      always: () => {
        calls++;
        throw new Error(`failure ${calls}`);
      },
    });
    const occurrence = anOccurrence({ handler: 'always', maxAttempts: 3 });

    expect((await t.runThenWait(occurrence)).kind).toBe('retry');
    expect((await t.runThenWait(occurrence)).kind).toBe('retry');
    expect(await t.run(occurrence)).toEqual({ kind: 'dead', reason: 'attempts-exhausted', error: { name: 'Error', message: 'failure 3' } });
    expect(calls).toBe(3);
    const record = await t.record(occurrence);
    expect(record).toMatchObject({ status: 'dead', attempt: 3, deadReason: 'attempts-exhausted', error: { message: 'failure 3' } });
    expect(JSON.parse(record!.occurrence!)).toMatchObject({ jobId: occurrence.jobId, payload: occurrence.payload });

    expect(await t.run(occurrence)).toEqual({ kind: 'duplicate' });
    expect(calls).toBe(3);
  });

  it('is dead at once on a NonRetryableError', async () => {
    const t = setup({
      broken: () => {
        throw new NonRetryableError('bad input');
      },
    });
    const occurrence = anOccurrence({ handler: 'broken', maxAttempts: 5 });
    expect(await t.run(occurrence)).toMatchObject({ kind: 'dead', reason: 'non-retryable' });
    expect(await t.record(occurrence)).toMatchObject({ status: 'dead', attempt: 1 });
  });

  it('retries after the delay a handler asks for', async () => {
    const t = setup({
      later: () => {
        throw new RetryAfterError(42_000);
      },
    });
    expect(await t.run(anOccurrence({ handler: 'later' }))).toMatchObject({ kind: 'retry', delayMs: 42_000 });
  });

  it('aborts a handler at its timeout, not a moment before, and counts it as a failed attempt', async () => {
    // The timeout's timer runs on vitest's fake timers: 30 s pass without waiting.
    vi.useFakeTimers();
    try {
      let aborted: unknown;
      const t = setup({
        slow: (_payload, ctx) =>
          new Promise<void>((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = ctx.signal.reason;
              resolve();
            });
          }),
      });
      const occurrence = anOccurrence({ handler: 'slow', timeoutMs: 30_000 });
      const running = t.run(occurrence);
      await vi.advanceTimersByTimeAsync(29_999);
      expect(aborted).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(await running).toMatchObject({ kind: 'retry', error: { name: 'HandlerTimeoutError' } });
      expect(aborted).toMatchObject({ name: 'HandlerTimeoutError' });
      expect(await t.record(occurrence)).toMatchObject({
        status: 'failed',
        error: { name: 'HandlerTimeoutError', message: 'the handler did not finish within 30000 ms' },
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not run an occurrence twice when the same message arrives twice at once', async () => {
    let calls = 0;
    const t = setup({ count: () => void calls++ });
    const occurrence = anOccurrence({ handler: 'count' });
    const results = await Promise.all([t.run(occurrence), t.run(occurrence)]);
    // The second delivery finds the first one's live claim and is left for later.
    expect(results.map((r) => r.kind).sort()).toEqual(['in-progress', 'succeeded']);
    expect(await t.run(occurrence)).toEqual({ kind: 'duplicate' });
    expect(calls).toBe(1);
  });

  it(
    'leaves a delivery for later while another worker holds a live claim, ' + 'and takes over once the lease (timeout + margin) ends',
    async () => {
      let calls = 0;
      const t = setup({ count: () => void calls++ });
      const occurrence = anOccurrence({ handler: 'count', timeoutMs: 30_000 });
      // A worker claimed it and died before recording anything.
      await t.executions.claim({ ...occurrence, startedAt: t.clock.now().toISOString(), leaseUntil: '2026-01-01T00:01:35.000Z' });

      expect(await t.run(occurrence)).toEqual({ kind: 'in-progress' });
      t.clock.set('2026-01-01T00:01:35.001Z');
      expect(await t.run(occurrence)).toEqual({ kind: 'succeeded' });
      expect(calls).toBe(1);
      expect(await t.record(occurrence)).toMatchObject({ attempt: 2, status: 'succeeded' });
    },
  );

  it('gives up without running when workers died during every allowed attempt', async () => {
    let calls = 0;
    const t = setup({ count: () => void calls++ });
    const occurrence = anOccurrence({ handler: 'count', maxAttempts: 2 });
    for (const at of ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:10.000Z']) {
      await t.executions.claim({ ...occurrence, startedAt: at, leaseUntil: at });
    }
    expect(await t.run(occurrence)).toMatchObject({ kind: 'dead', reason: 'attempts-exhausted', error: { name: 'AttemptsExhausted' } });
    expect(calls).toBe(0);
  });

  it('runs a redriven dead letter again, counting attempts afresh', async () => {
    let fail = true;
    const seen: number[] = [];
    const t = setup({
      flaky: (_p, ctx) => {
        seen.push(ctx.attempt);
        if (fail) throw new Error('down');
      },
    });
    const occurrence = anOccurrence({ handler: 'flaky', maxAttempts: 2 });
    await t.runThenWait(occurrence);
    expect((await t.run(occurrence)).kind).toBe('dead');

    // A copy of the message without the armed token is a duplicate.
    await t.executions.armRedrive(occurrence, 'token-1');
    expect(await t.run({ ...occurrence, redriveId: 'other' })).toEqual({ kind: 'duplicate' });

    fail = false;
    expect(await t.run({ ...occurrence, redriveId: 'token-1' })).toEqual({ kind: 'succeeded' });
    expect(seen).toEqual([1, 2, 1]);
    expect(await t.record(occurrence)).toMatchObject({ status: 'succeeded', attempt: 3, attemptBase: 2 });
    expect((await t.executions.listDead({ limit: 10 })).items).toEqual([]);
  });

  it('waits for an early message’s instant before running it', async () => {
    let ranAt: string | undefined;
    const t = setup({ when: () => void (ranAt = t.clock.now().toISOString()) });
    await t.run(anOccurrence({ handler: 'when', scheduledFor: '2026-01-01T00:01:00.700Z' }));
    expect(ranAt).toBe('2026-01-01T00:01:00.700Z');
  });

  it('sleeps again when a timer wakes a little before the instant', async () => {
    let ranAt: string | undefined;
    const sleeps: number[] = [];
    const t = setup({ when: () => void (ranAt = t.clock.now().toISOString()) });
    t.clock.set('2026-01-01T00:00:59.000Z');
    // The first timer wakes 1 ms early by the wall clock, as Node's can.
    t.deps.sleep = async (ms) => {
      sleeps.push(ms);
      t.clock.advance(sleeps.length === 1 ? ms - 1 : ms);
    };
    await t.run(anOccurrence({ handler: 'when', scheduledFor: '2026-01-01T00:01:00.000Z' }));
    expect(ranAt).toBe('2026-01-01T00:01:00.000Z');
    expect(sleeps).toEqual([1_000, 1]);
  });

  it('records an unknown handler as a failed attempt', async () => {
    const t = setup({});
    const occurrence = anOccurrence({ handler: 'gone' });
    expect((await t.run(occurrence)).kind).toBe('retry');
    expect((await t.record(occurrence))!.error).toEqual({
      name: 'UnknownHandlerError',
      message: 'no handler is registered under the name "gone"',
    });
  });
});

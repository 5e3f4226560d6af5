import { describe, expect, it } from 'vitest';
import { MemoryExecutionStore } from '../../core/adapters/memory/memory-execution-store.js';
import { executeOccurrence, type ExecutorDeps } from '../../core/executor.js';
import { HandlerRegistry } from '../../core/handlers.js';
import { anOccurrence, MemoryLogger } from '../helpers/factories.js';
import { FakeClock } from '../helpers/fake-clock.js';

function setup(handlers: HandlerRegistry) {
  const clock = new FakeClock('2026-01-01T00:01:00.000Z');
  const executions = new MemoryExecutionStore();
  const deps: ExecutorDeps = { executions, handlers, clock, logger: new MemoryLogger(), sleep: clock.sleep, leaseMs: 60_000, maxEarlyWaitMs: 5_000 };
  return { clock, executions, deps };
}

describe('executeOccurrence', () => {
  it('runs the named handler with the payload and records success', async () => {
    const seen: unknown[] = [];
    const { clock, executions, deps } = setup(
      new HandlerRegistry({
        work: (payload, ctx) => {
          seen.push({ payload, attempt: ctx.attempt, scheduledFor: ctx.scheduledFor });
          clock.advance(250);
        },
      }),
    );
    const occurrence = anOccurrence({ handler: 'work' });

    expect(await executeOccurrence(occurrence, deps)).toBe('succeeded');

    expect(seen).toEqual([{ payload: { hello: 'world' }, attempt: 1, scheduledFor: occurrence.scheduledFor }]);
    expect(await executions.get(occurrence.jobId, occurrence.scheduledFor)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      startedAt: '2026-01-01T00:01:00.000Z',
      finishedAt: '2026-01-01T00:01:00.250Z',
      durationMs: 250,
    });
  });

  it('records a failure with the error, and counts the next delivery as attempt 2', async () => {
    let calls = 0;
    const { executions, deps } = setup(
      new HandlerRegistry({
        flaky: () => {
          calls++;
          if (calls === 1) throw new TypeError('boom');
        },
      }),
    );
    const occurrence = anOccurrence({ handler: 'flaky' });

    expect(await executeOccurrence(occurrence, deps)).toBe('failed');
    expect(await executions.get(occurrence.jobId, occurrence.scheduledFor)).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { name: 'TypeError', message: 'boom' },
    });

    expect(await executeOccurrence(occurrence, deps)).toBe('succeeded');
    const record = await executions.get(occurrence.jobId, occurrence.scheduledFor);
    expect(record).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(record!.error).toBeUndefined();
  });

  it('does not run an occurrence twice when the same message arrives twice', async () => {
    let calls = 0;
    const { deps } = setup(new HandlerRegistry({ count: () => void calls++ }));
    const occurrence = anOccurrence({ handler: 'count' });

    const results = await Promise.all([executeOccurrence(occurrence, deps), executeOccurrence(occurrence, deps)]);
    // The second delivery finds the first one's live claim and is left for later.
    expect(results.sort()).toEqual(['in-progress', 'succeeded']);
    expect(calls).toBe(1);
    expect(await executeOccurrence(occurrence, deps)).toBe('duplicate');
    expect(calls).toBe(1);
  });

  it('leaves a delivery for later while another worker holds a live claim, and takes over once its lease expires', async () => {
    let calls = 0;
    const { clock, executions, deps } = setup(new HandlerRegistry({ count: () => void calls++ }));
    const occurrence = anOccurrence({ handler: 'count' });
    // A worker claimed it and died before recording anything.
    await executions.claim({ ...occurrence, startedAt: clock.now().toISOString(), leaseUntil: '2026-01-01T00:02:00.000Z' });

    expect(await executeOccurrence(occurrence, deps)).toBe('in-progress');
    expect(calls).toBe(0);

    clock.set('2026-01-01T00:02:00.001Z');
    expect(await executeOccurrence(occurrence, deps)).toBe('succeeded');
    expect(calls).toBe(1);
    expect(await executions.get(occurrence.jobId, occurrence.scheduledFor)).toMatchObject({ attempt: 2, status: 'succeeded' });
  });

  it('waits for an early message’s instant before running it', async () => {
    let ranAt: string | undefined;
    const { clock, deps } = setup(new HandlerRegistry({ when: () => void (ranAt = clock.now().toISOString()) }));
    await executeOccurrence(anOccurrence({ handler: 'when', scheduledFor: '2026-01-01T00:01:00.700Z' }), deps);
    expect(ranAt).toBe('2026-01-01T00:01:00.700Z');
  });

  it('records an unknown handler as a failed attempt', async () => {
    const { executions, deps } = setup(new HandlerRegistry());
    const occurrence = anOccurrence({ handler: 'gone' });
    expect(await executeOccurrence(occurrence, deps)).toBe('failed');
    expect((await executions.get(occurrence.jobId, occurrence.scheduledFor))!.error).toEqual({
      name: 'UnknownHandlerError',
      message: 'no handler is registered under the name "gone"',
    });
  });
});

describe('executeOccurrence timing', () => {
  it('sleeps again when a timer wakes a little before the instant', async () => {
    const clock = new FakeClock('2026-01-01T00:00:59.000Z');
    let ranAt: string | undefined;
    const sleeps: number[] = [];
    const deps: ExecutorDeps = {
      executions: new MemoryExecutionStore(),
      handlers: new HandlerRegistry({ when: () => void (ranAt = clock.now().toISOString()) }),
      clock,
      logger: new MemoryLogger(),
      // The first timer wakes 1 ms early by the wall clock, as Node's can.
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(sleeps.length === 1 ? ms - 1 : ms);
      },
      leaseMs: 60_000,
      maxEarlyWaitMs: 5_000,
    };
    await executeOccurrence(anOccurrence({ handler: 'when', scheduledFor: '2026-01-01T00:01:00.000Z' }), deps);
    expect(ranAt).toBe('2026-01-01T00:01:00.000Z');
    expect(sleeps).toEqual([1_000, 1]);
  });
});

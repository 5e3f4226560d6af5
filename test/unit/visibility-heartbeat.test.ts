/**
 * The local poller's visibility heartbeat, on fake timers: what it asks SQS for
 * while a batch runs, that it never hides a message longer than the queue would,
 * and that a postpone (the worker's backoff) always lands after its last extension.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../core/kernel/ports.js';
import type { Queue } from '../../core/execution/ports.js';
import { VisibilityHeartbeat } from '../../local/visibility-heartbeat.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Records each ChangeMessageVisibility as [seconds since start, handle, seconds granted]. */
function recordingSqs(start: number, answerAfterMs = 0) {
  const calls: [number, string, number][] = [];
  const sqs = {
    send: async (command: { input: { ReceiptHandle: string; VisibilityTimeout: number } }) => {
      calls.push([(Date.now() - start) / 1000, command.input.ReceiptHandle, command.input.VisibilityTimeout]);
      if (answerAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
      return {};
    },
  } as unknown as SQSClient;
  return { sqs, calls };
}

describe('the visibility heartbeat', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('grants twice what the batch has run, at least the initial, and never past the queue timeout after the receive', async () => {
    const start = Date.now();
    const { sqs, calls } = recordingSqs(start);
    const heartbeat = new VisibilityHeartbeat(sqs, 'q', quiet, { initialSeconds: 10, maxSeconds: 90 });
    heartbeat.track('m');
    await vi.advanceTimersByTimeAsync(200_000);
    expect(calls).toEqual([
      [5, 'm', 10],
      [10, 'm', 20],
      [20, 'm', 40],
      [40, 'm', 50],
    ]);
    for (const [at, , granted] of calls) expect(at + granted).toBeLessThanOrEqual(90);
    await heartbeat.release('m');
    expect(heartbeat.size).toBe(0);
  });

  it('asks nothing of a batch that ends within half the initial visibility', async () => {
    const { sqs, calls } = recordingSqs(Date.now());
    const heartbeat = new VisibilityHeartbeat(sqs, 'q', quiet, { initialSeconds: 10, maxSeconds: 90 });
    heartbeat.track('m');
    await vi.advanceTimersByTimeAsync(4_900);
    await heartbeat.release('m');
    await vi.advanceTimersByTimeAsync(100_000);
    expect(calls).toEqual([]);
  });

  it('stops extending a message once the worker postpones it, and the postpone lands after an extension on its way', async () => {
    const start = Date.now();
    // SQS takes 2 s to answer, so the postpone comes while the first extension is on its way.
    const { sqs, calls } = recordingSqs(start, 2_000);
    const heartbeat = new VisibilityHeartbeat(sqs, 'q', quiet, { initialSeconds: 10, maxSeconds: 90 });
    const postponed: [number, string, number][] = [];
    const inner: Pick<Queue, 'postpone' | 'send'> = {
      postpone: async (handle: string, seconds: number) => void postponed.push([(Date.now() - start) / 1000, handle, seconds]),
      send: async () => {},
    };
    const queue = heartbeat.releasing(inner);
    heartbeat.track('a');
    heartbeat.track('b');
    await vi.advanceTimersByTimeAsync(6_000); // both extensions sent at 5 s, answered at 7 s
    const done = queue.postpone('a', 300);
    await vi.advanceTimersByTimeAsync(2_000);
    await done;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(postponed).toEqual([[7, 'a', 300]]);
    // a: only the extension that was already on its way; b: extended on.
    expect(calls.filter(([, h]) => h === 'a')).toEqual([[5, 'a', 10]]);
    expect(calls.filter(([, h]) => h === 'b').length).toBeGreaterThan(1);
    // The other methods are the queue's own.
    await expect(queue.send([])).resolves.toBeUndefined();
  });
});

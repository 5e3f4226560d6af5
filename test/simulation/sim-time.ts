/**
 * Simulated time. Vitest's fake timers replace setTimeout (which the executor's
 * handler timeout uses) and Date, so every timer in the code under test and in
 * the simulation runs on one clock. The loop runs everything that can run now
 * (all I/O is in memory: one real setImmediate turn drains it), then jumps to the
 * next timer. Nothing waits for real.
 */
import { vi } from 'vitest';
import type { Clock } from '../../core/kernel/ports.js';

/** Far more timer steps than a run of a few simulated hours takes: past it, something loops on timers. */
const MAX_STEPS = 300_000;

export class RunawayError extends Error {
  override name = 'RunawayError';
}

const realSetImmediate = globalThis.setImmediate;
const drain = () => new Promise<void>((resolve) => realSetImmediate(resolve));

export class SimTime {
  readonly clock: Clock = { now: () => new Date() };
  readonly sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  constructor(start: Date) {
    vi.useFakeTimers({ now: start, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  }

  /** Timer steps taken, for the stats. */
  steps = 0;

  nowMs(): number {
    return Date.now();
  }

  /** Calls `fn` at `atMs` (simulated). */
  at(atMs: number, fn: () => void): ReturnType<typeof setTimeout> {
    return setTimeout(fn, Math.max(0, atMs - this.nowMs()));
  }

  /** Runs the world until `untilMs`, timer by timer. */
  async runUntil(untilMs: number): Promise<void> {
    let reached = false;
    this.at(untilMs, () => (reached = true));
    await drain();
    while (!reached) {
      if (++this.steps > MAX_STEPS)
        throw new RunawayError(`more than ${MAX_STEPS} timer steps; at ${new Date().toISOString()} (a timer loop in the code under test?)`);
      vi.advanceTimersToNextTimer();
      await drain();
    }
  }

  dispose(): void {
    vi.clearAllTimers();
    vi.useRealTimers();
  }
}

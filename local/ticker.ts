/**
 * Plays the part of the EventBridge Scheduler rule: runs the tick once at start
 * and then every minute at :30. EventBridge Scheduler invokes anywhere inside the
 * minute (60 s precision), and a tick sends through the end of the next minute, so
 * any second works; :30 keeps the tick's reads and writes off the minute boundary,
 * where most cron jobs fire, on a machine where the tick shares the emulators with
 * the worker. A tick still running when the next is due
 * is not doubled up; the next one catches up from the due index's progress.
 */
import type { Logger } from '../core/kernel/ports.js';

export interface Ticker {
  stop(): Promise<void>;
}

export const TICK_OFFSET_MS = 30_000;

export function startTicker(tick: () => Promise<unknown>, logger: Logger, intervalMs = 60_000, offsetMs = TICK_OFFSET_MS): Ticker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const fire = () => {
    if (running) {
      logger.warn('previous tick still running; skipping this one');
      return;
    }
    running = tick()
      .then(() => undefined)
      .catch((error: unknown) => logger.error('tick failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => (running = undefined));
  };

  const scheduleNext = () => {
    if (stopped) return;
    const wait = intervalMs - ((Date.now() - offsetMs) % intervalMs);
    timer = setTimeout(() => {
      fire();
      scheduleNext();
    }, wait);
  };

  fire();
  scheduleNext();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Plays the part of the EventBridge Scheduler rule: runs the tick once at start
 * and then every minute at :30. EventBridge Scheduler invokes anywhere inside the
 * minute (60 s precision), and a tick sends through the end of the next minute, so
 * any second works; :30 keeps the tick's reads and writes off the minute boundary,
 * where most cron jobs fire, on a machine where the tick shares the emulators with
 * the worker. A tick still running when the next is due
 * is not doubled up; the next one catches up from the due index's progress.
 *
 * Its schedule (LocalTickSchedule) can be turned off and on, as the scheduler's
 * pause does with EventBridge's: while off, the ticker fires nothing. Turned on, it
 * ticks RESUME_TICK_DELAY_MS later (EventBridge would within the minute), so that a
 * resume's catch-up starts without waiting for the next :30; a moment later, as a
 * resume enables the schedule before it clears the pause, which that tick must not find.
 */
import type { TickSchedule, TickScheduleState } from '../core/dispatch/ports.js';
import type { Logger } from '../core/kernel/ports.js';

export interface Ticker {
  stop(): Promise<void>;
}

export const TICK_OFFSET_MS = 30_000;
export const RESUME_TICK_DELAY_MS = 2_000;

/** The local ticker's on/off switch, as the API's TickSchedule. */
export class LocalTickSchedule implements TickSchedule {
  private enabled = true;
  private onEnable: (() => void) | undefined;

  state(): Promise<TickScheduleState> {
    return Promise.resolve(this.enabled ? 'enabled' : 'disabled');
  }

  setState(state: 'enabled' | 'disabled'): Promise<void> {
    const was = this.enabled;
    this.enabled = state === 'enabled';
    if (this.enabled && !was) this.onEnable?.();
    return Promise.resolve();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** The ticker's hook: called when the schedule is turned on again. */
  whenEnabled(fire: (() => void) | undefined): void {
    this.onEnable = fire;
  }
}

export function startTicker(
  tick: () => Promise<unknown>,
  logger: Logger,
  intervalMs = 60_000,
  offsetMs = TICK_OFFSET_MS,
  schedule: LocalTickSchedule = new LocalTickSchedule(),
): Ticker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const fire = () => {
    if (stopped || !schedule.isEnabled) return;
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

  let resumeTimer: NodeJS.Timeout | undefined;
  schedule.whenEnabled(() => {
    clearTimeout(resumeTimer);
    resumeTimer = setTimeout(fire, RESUME_TICK_DELAY_MS);
  });
  fire();
  scheduleNext();
  return {
    stop: async () => {
      stopped = true;
      schedule.whenEnabled(undefined);
      clearTimeout(timer);
      clearTimeout(resumeTimer);
      await running;
    },
  };
}

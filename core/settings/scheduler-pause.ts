/**
 * The pause of the whole scheduler (POST /v1/scheduler/pause): one record, the
 * authority on whether the scheduler runs. The tick reads it before any work and
 * does nothing while it is there; the API reads it before sending a job's first
 * occurrences itself. The tick's schedule (EventBridge Scheduler, or the local
 * ticker) is disabled after the record is written and enabled before it is cleared,
 * so that whatever fails half-way, the record says what is in effect.
 */

export interface SchedulerPause {
  /** When the pause was recorded. */
  pausedAt: string;
  /** Who paused it, as they said (free text). */
  by?: string;
  /** Why, as they said (free text). */
  note?: string;
}

export interface SchedulerPauseStore {
  /** The pause in effect, or undefined while the scheduler runs. A strongly consistent read. */
  get(): Promise<SchedulerPause | undefined>;
  /**
   * Records `pause` unless a pause is recorded already: `changed` says whether this
   * call wrote it, `pause` is the one in effect (the earlier one, if there was one).
   */
  pause(pause: SchedulerPause): Promise<{ changed: boolean; pause: SchedulerPause }>;
  /** Clears the pause; answers the one it cleared, or undefined when none was recorded. */
  resume(): Promise<SchedulerPause | undefined>;
}

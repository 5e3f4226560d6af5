/**
 * Pausing and resuming the whole scheduler (POST /v1/scheduler/pause, /resume).
 *
 * The pause record (core/settings/scheduler-pause.ts) is the authority: every tick
 * reads it and does nothing while it is there, so the pause is in effect as soon as
 * it is written. The tick's schedule is a second switch that only stops the tick
 * from being invoked. The order makes a failure half-way safe, and a retry converge:
 * a pause writes the record, then disables the schedule; a resume enables the
 * schedule, then clears the record. Either way round, a failure leaves the scheduler
 * paused (the record is there), never running with its schedule off, and sending the
 * same request again does the rest (both steps are idempotent).
 */
import { z } from 'zod';
import { ConcurrentUpdateError, SchedulerError, TickScheduleError } from '../kernel/errors.js';
import { plainText } from '../kernel/text.js';
import { statusNote } from '../jobs/job-edit.js';
import type { Clock, Logger } from '../kernel/ports.js';
import type { TickSchedule, TickScheduleState } from '../dispatch/ports.js';
import type { SchedulerPause, SchedulerPauseStore } from '../settings/scheduler-pause.js';

/** The optional body of both routes: who and why, the same free text as a job's pause note. */
export const schedulerControlRequest = z.object({ by: plainText(200).optional(), note: statusNote.optional() }).strict();
export type SchedulerControlRequest = z.output<typeof schedulerControlRequest>;

/** What a pause leaves running, said in every answer (and the README). */
export const WHAT_A_PAUSE_LEAVES =
  'Ticks send nothing while paused; occurrences already on the queue (the tick sends up to about two minutes ahead) ' +
  'and retries of earlier failures still run, and so do manual runs (POST /v1/jobs/{id}/trigger) and redrives. ' +
  "On resume, the next tick works through the paused time and each job's misfire policy decides what of it runs.";

export interface SchedulerControlAnswer {
  /** Whether the scheduler is paused now. */
  paused: boolean;
  /** False when it already was as asked: nothing changed (the schedule was still set, to converge). */
  changed: boolean;
  /** The pause in effect (after a pause), or null (after a resume). */
  pause: SchedulerPause | null;
  /** The pause a resume ended, or null. */
  ended: SchedulerPause | null;
  schedule: TickScheduleState;
  message: string;
}

/**
 * The tick's schedule could not be set: half of the change is done. `paused` says
 * what is in effect (the pause record is the authority); sending the same request
 * again finishes it.
 */
export class SchedulerControlIncompleteError extends SchedulerError {
  constructor(
    readonly paused: boolean,
    readonly action: 'disable' | 'enable',
    readonly reason: TickScheduleError['reason'],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SchedulerControlDeps {
  schedulerPause: SchedulerPauseStore;
  tickSchedule: TickSchedule;
  clock: Clock;
  logger: Logger;
}

const asScheduleError = (error: unknown): TickScheduleError =>
  error instanceof TickScheduleError
    ? error
    : new TickScheduleError('unavailable', error instanceof Error ? error.message : String(error), { cause: error });

export class SchedulerControlService {
  constructor(private readonly deps: SchedulerControlDeps) {}

  async pause(request: SchedulerControlRequest = {}): Promise<SchedulerControlAnswer> {
    const now = this.deps.clock.now().toISOString();
    const { changed, pause } = await this.deps.schedulerPause.pause({ pausedAt: now, ...request });
    if (changed) this.deps.logger.info('scheduler paused', { ...pause });
    try {
      await this.deps.tickSchedule.setState('disabled');
    } catch (error) {
      const cause = asScheduleError(error);
      this.deps.logger.error('scheduler paused, but its tick schedule could not be disabled', {
        reason: cause.reason,
        error: cause.message,
      });
      throw new SchedulerControlIncompleteError(
        true,
        'disable',
        cause.reason,
        `The scheduler is paused (since ${pause.pausedAt}): ticks send nothing. The tick schedule could not be disabled ` +
          `(${cause.reason}), so ticks may still be invoked and find nothing to do; send the pause again to finish.`,
        { cause },
      );
    }
    // A resume that came between the record and the schedule left the schedule off with no
    // pause: the scheduler would stop, unseen. The resume has won; the schedule goes back on.
    if (!(await this.deps.schedulerPause.get())) {
      await this.deps.tickSchedule.setState('enabled').catch(() => undefined);
      throw new ConcurrentUpdateError('a resume of the scheduler came at the same time and won: the scheduler is running');
    }
    return {
      paused: true,
      changed,
      pause,
      ended: null,
      schedule: 'disabled',
      message: changed ? `The scheduler is paused. ${WHAT_A_PAUSE_LEAVES}` : `The scheduler was already paused; nothing changed.`,
    };
  }

  async resume(request: SchedulerControlRequest = {}): Promise<SchedulerControlAnswer> {
    try {
      await this.deps.tickSchedule.setState('enabled');
    } catch (error) {
      const cause = asScheduleError(error);
      const paused = (await this.deps.schedulerPause.get().catch(() => undefined)) !== undefined;
      this.deps.logger.error('could not enable the tick schedule; the scheduler stays as it was', { reason: cause.reason, paused });
      throw new SchedulerControlIncompleteError(
        paused,
        'enable',
        cause.reason,
        `The tick schedule could not be enabled (${cause.reason}); ` +
          (paused ? 'the scheduler is still paused (its pause record stays). ' : 'the scheduler is not paused, but no tick runs. ') +
          'Send the resume again to finish.',
        { cause },
      );
    }
    const ended = await this.deps.schedulerPause.resume();
    if (ended) this.deps.logger.info('scheduler resumed', { pausedAt: ended.pausedAt, ...request });
    return {
      paused: false,
      changed: ended !== undefined,
      pause: null,
      ended: ended ?? null,
      schedule: 'enabled',
      message: ended
        ? `The scheduler is running. The next tick (within a minute) works through the time since ${ended.pausedAt}; ` +
          "each job's misfire policy decides what of it runs."
        : 'The scheduler was not paused; nothing changed.',
    };
  }
}

/**
 * GET /v1/status and GET /health: what an operator (or a load balancer) asks first.
 * The status reads a handful of small items; health asks each backing service one
 * cheap question under a short deadline and names what does not answer, nothing more
 * (no endpoint, no error text: /health needs no key).
 */
import type { DueIndex, TickLog, TickRun, TickSchedule, TickScheduleState } from '../dispatch/ports.js';
import type { Clock, Logger } from '../kernel/ports.js';
import type { SchedulerPauseStore } from '../settings/scheduler-pause.js';

/** Inbox entries counted at most: enough to tell "a few" from "many", at one small Query. */
export const INBOX_COUNT_LIMIT = 100;
export const HEALTH_TIMEOUT_MS = 2_000;

export interface StatusDeps {
  tickLog: TickLog;
  tickSchedule: TickSchedule;
  due: Pick<DueIndex, 'progress' | 'inbox'>;
  schedulerPause: Pick<SchedulerPauseStore, 'get'>;
  clock: Clock;
  version: string;
}

/** The scheduler's pause as the status shows it, and whether the tick schedule agrees. */
export interface PauseStatus {
  paused: boolean;
  since: string | null;
  by: string | null;
  note: string | null;
  /** Set when the pause record and the tick schedule disagree: a pause or resume did not finish. */
  mismatch: string | null;
}

export function pauseStatus(pause: { pausedAt: string; by?: string; note?: string } | undefined, schedule: TickScheduleState): PauseStatus {
  const mismatch =
    pause && schedule === 'enabled'
      ? 'paused, but the tick schedule is enabled: a pause did not finish (ticks still send nothing); send POST /v1/scheduler/pause again'
      : !pause && schedule === 'disabled'
        ? 'not paused, but the tick schedule is disabled: nothing is sent; send POST /v1/scheduler/resume'
        : null;
  return { paused: !!pause, since: pause?.pausedAt ?? null, by: pause?.by ?? null, note: pause?.note ?? null, mismatch };
}

export interface Status {
  version: string;
  now: string;
  /** The last tick that finished, or null before the first. */
  lastTick: (TickRun & { finishedAt: string }) | null;
  schedule: TickScheduleState;
  /** The scheduler's pause (POST /v1/scheduler/pause). */
  pause: PauseStatus;
  backlog: {
    /** The next slot the tick will work on; null before the first tick. */
    progress: string | null;
    /** How far that is behind now (0 when the tick is ahead, as it normally is). */
    behindMs: number;
    /** Chains created or resumed that the tick has not taken up yet, counted up to INBOX_COUNT_LIMIT. */
    inbox: number;
    inboxCapped: boolean;
  };
}

export class StatusService {
  constructor(private readonly deps: StatusDeps) {}

  async status(): Promise<Status> {
    const [last, schedule, progress, inbox, pause] = await Promise.all([
      this.deps.tickLog.last(),
      this.deps.tickSchedule.state(),
      this.deps.due.progress(),
      this.deps.due.inbox(INBOX_COUNT_LIMIT + 1),
      this.deps.schedulerPause.get(),
    ]);
    const now = this.deps.clock.now();
    const finishedAt = last ? new Date(Date.parse(last.startedAt) + last.durationMs).toISOString() : undefined;
    return {
      version: this.deps.version,
      now: now.toISOString(),
      lastTick: last ? { ...last, finishedAt: finishedAt! } : null,
      schedule,
      pause: pauseStatus(pause, schedule),
      backlog: {
        progress: progress ?? null,
        behindMs: progress ? Math.max(0, now.getTime() - Date.parse(progress)) : 0,
        inbox: Math.min(inbox.length, INBOX_COUNT_LIMIT),
        inboxCapped: inbox.length > INBOX_COUNT_LIMIT,
      },
    };
  }
}

export interface HealthDeps {
  /** One cheap read of each: the store (a small item of the jobs table), the queue (its attributes). */
  probes: { store: () => Promise<unknown>; queue: () => Promise<unknown> };
  logger: Logger;
  timeoutMs?: number;
}

export interface Health {
  ok: boolean;
  store: 'ok' | 'failing';
  queue: 'ok' | 'failing';
}

export class HealthService {
  constructor(private readonly deps: HealthDeps) {}

  async check(): Promise<Health> {
    const [store, queue] = await Promise.all([this.ask('store'), this.ask('queue')]);
    return { ok: store === 'ok' && queue === 'ok', store, queue };
  }

  private async ask(part: 'store' | 'queue'): Promise<'ok' | 'failing'> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.deps.timeoutMs ?? HEALTH_TIMEOUT_MS} ms`)),
        this.deps.timeoutMs ?? HEALTH_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.deps.probes[part](), deadline]);
      return 'ok';
    } catch (error) {
      // The log may say why; the answer says only what.
      this.deps.logger.warn('health check failed', {
        part,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return 'failing';
    } finally {
      clearTimeout(timer);
    }
  }
}

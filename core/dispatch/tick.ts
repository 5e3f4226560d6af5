/**
 * One tick: work through the due index's slots up to the one after the current
 * minute, sending each due job's occurrences (delayed to their instants) and
 * moving its entry on. For each slot the order is the guarantee: log, send, record
 * skips, write the next entries, and only then move the progress past the slot.
 * A tick that dies on the way repeats the slot next time; every step is
 * idempotent, and the worker's claim drops an occurrence sent twice.
 */
import { sendFirstAttempts } from './send-first-attempts.js';
import {
  directDispatchUntil,
  fingerprint,
  liveEntry,
  slotAfter,
  slotOf,
  TICK_LEAD_SLOTS,
  type DueEntry,
  type SubmittedEntry,
} from './due-index.js';
import type { Job } from '../jobs/job.js';
import { occurrenceOf, planJob } from './planner.js';
import { delayFor } from '../kernel/queue-limits.js';
import type { Occurrence } from '../execution/occurrence.js';
import type { SkipRecord } from '../execution/ledger-record.js';
import type { DueIndex, TickLog } from './ports.js';
import type { SchedulerPauseStore } from '../settings/scheduler-pause.js';
import { DEFAULT_RECOVERY, recoverLost, type RecoveryDeps, type RecoveryResult, type RecoverySettings } from './recovery.js';

export interface TickSettings {
  /** Slots one tick works through at most; a longer backlog goes on next tick. */
  maxSlots: number;
  /** No new slot is started after this long, so a tick ends inside its minute. */
  budgetMs: number;
  /** Inbox entries taken per tick. */
  inboxLimit: number;
  recovery: RecoverySettings;
  /**
   * Set after a fresh start's recovery (recoverFreshQueue): the instant it judged
   * as of. A slot that begins before it is planned as of it too, so that the first
   * tick, which comes a while later, weighs the missed occurrences as the recovery
   * did: one misfire decision per outage, not a second one a few seconds on.
   */
  judgedAsOf?: string;
}

export const DEFAULT_TICK_SETTINGS: TickSettings = {
  maxSlots: 1_440,
  budgetMs: 40_000,
  inboxLimit: 5_000,
  recovery: DEFAULT_RECOVERY,
};

export interface TickResult {
  recovered?: RecoveryResult;
  /** Slots worked through. */
  slots: number;
  /** Jobs with a live entry in them (or in the inbox). */
  dueJobs: number;
  sent: number;
  /** Occurrences the queue refused, recorded dead (`unsendable`); the others went on. */
  unsendable: number;
  /** Occurrences recorded as skipped (missed past their grace, by misfire policy). */
  skipped: number;
  /** Entries dropped: their job was deleted, paused or changed since they were written. */
  stale: number;
  /** Another tick moved the progress first; this one stopped. */
  conflicts: number;
  /** The scheduler is paused (POST /v1/scheduler/pause): this tick did nothing. */
  paused?: boolean;
}

/** What recovery needs is what a tick needs; a tick also reads the due index and has its settings. */
export interface TickDeps extends RecoveryDeps {
  due: DueIndex;
  settings?: TickSettings;
  /** Where the tick leaves a record of its run for GET /v1/status. */
  tickLog?: TickLog;
  /** The scheduler's pause: while it is recorded, a tick does nothing at all. */
  schedulerPause?: Pick<SchedulerPauseStore, 'get'>;
}

type DispatchDeps = Pick<TickDeps, 'jobs' | 'executions' | 'queue' | 'dispatchLog' | 'due' | 'logger'>;

export interface DispatchResult {
  dueJobs: number;
  sent: number;
  unsendable: number;
  skipped: number;
  stale: number;
  /**
   * Jobs not (yet) at the entries' revision: missing, or of an older one. An API
   * call that submits an entry and then writes the job may be between the two.
   */
  behind: Set<string>;
}

/** Longer than any create takes between submitting its entry and writing its job. */
const INBOX_GRACE_MS = 60_000;

/**
 * Where the tick takes up an entry. A chain the API started (create, resume) had its
 * first occurrences sent by the API itself (JobService.dispatchSoon), judged as of
 * the submission. For a maxRuns job the tick keeps that decision: judged again at
 * its later `now`, some of them would be missed and not counted, though they run
 * from the API's messages. It sends them again (late, if the API's send failed; the
 * worker's claim drops a copy) and plans on from where the API stopped.
 */
function takeUp(job: Job, entry: DueEntry | SubmittedEntry): { ahead: Date[]; from?: Date; runs: number } {
  if (!('submittedAt' in entry) || job.maxRuns === undefined || entry.unsent)
    return { ahead: [], from: new Date(entry.from), runs: entry.runs };
  const submittedAt = new Date(entry.submittedAt);
  const api = planJob(job, new Date(entry.from), entry.runs, directDispatchUntil(submittedAt), submittedAt);
  if (api.send.length === 0) return { ahead: [], from: new Date(entry.from), runs: entry.runs };
  return { ahead: api.send, runs: api.runs, ...(api.next ? { from: api.next } : {}) };
}

/**
 * Sends the occurrences of the given entries that fall before `until`, records the
 * missed ones the misfire policy drops, and writes each job's next entry (as
 * `source`) or completes its job. Entries whose job is gone, inactive or of
 * another revision are stale and dropped.
 */
async function dispatchEntries(entries: DueEntry[], until: Date, now: Date, source: string, deps: DispatchDeps): Promise<DispatchResult> {
  const byJob = new Map<string, DueEntry[]>();
  for (const e of entries) byJob.set(e.jobId, [...(byJob.get(e.jobId) ?? []), e]);
  const jobs = await deps.jobs.getMany([...byJob.keys()]);

  const occurrences: Occurrence[] = [];
  const skips: SkipRecord[] = [];
  const next: DueEntry[] = [];
  const finished: { job: Job; runs: number }[] = [];
  const counted: { job: Job; runs: number; until: string }[] = [];
  let dueJobs = 0;
  for (const [jobId, own] of byJob) {
    const job = jobs.get(jobId);
    const entry = job && job.status === 'active' ? liveEntry(own, job.rev) : undefined;
    if (!job || !entry) continue;
    dueJobs++;
    const start = takeUp(job, entry);
    const rest = start.from ? planJob(job, start.from, start.runs, until, now) : { send: [], skip: [], runs: start.runs };
    const plan = { ...rest, send: [...start.ahead, ...rest.send] };
    for (const at of plan.send) occurrences.push({ ...occurrenceOf(job, at), delaySeconds: delayFor(at, now) });
    for (const at of plan.skip)
      skips.push({ jobId, scheduledFor: at.toISOString(), jobName: job.name, handler: job.handler, reason: 'misfire' });
    if (plan.next) next.push({ jobId, rev: job.rev, from: plan.next.toISOString(), runs: plan.runs });
    else finished.push({ job, runs: plan.runs });
    if (plan.next && job.maxRuns !== undefined && plan.runs !== entry.runs)
      counted.push({ job, runs: plan.runs, until: plan.next.toISOString() });
  }

  const at = now.toISOString();
  // An occurrence the queue refuses is recorded dead and the slot goes on: one job never holds back the others.
  const unsendable = await sendFirstAttempts(occurrences, at, deps);
  if (unsendable.length > 0) {
    deps.logger.error('the queue refused occurrences; recorded dead (unsendable)', {
      count: unsendable.length,
      refused: unsendable.slice(0, 20).map((u) => ({ jobId: u.occurrence.jobId, scheduledFor: u.occurrence.scheduledFor, code: u.code })),
    });
  }
  await deps.executions.recordSkipped(skips, at);
  await deps.due.write(next, source);
  await Promise.all([
    ...finished.map(({ job, runs }) =>
      deps.jobs.changeStatus({
        jobId: job.id,
        from: 'active',
        to: 'completed',
        expectedRev: job.rev,
        nextRunAt: null,
        runs,
        updatedAt: at,
      }),
    ),
    ...counted.map(({ job, runs, until }) => deps.jobs.recordRuns(job.id, job.rev, runs, until)),
  ]);
  const stale = [...byJob.values()].reduce((n, own) => n + own.length, 0) - dueJobs;
  const behind = new Set([...byJob].filter(([id, own]) => own.some((e) => e.rev > (jobs.get(id)?.rev ?? 0))).map(([id]) => id));
  return { dueJobs, sent: occurrences.length - unsendable.length, unsendable: unsendable.length, skipped: skips.length, stale, behind };
}

function add(total: TickResult, part: DispatchResult): void {
  total.dueJobs += part.dueJobs;
  total.sent += part.sent;
  total.unsendable += part.unsendable;
  total.skipped += part.skipped;
  total.stale += part.stale;
}

export async function runTick(deps: TickDeps): Promise<TickResult> {
  const settings = deps.settings ?? DEFAULT_TICK_SETTINGS;
  const now = deps.clock.now();
  const result: TickResult = { slots: 0, dueJobs: 0, sent: 0, unsendable: 0, skipped: 0, stale: 0, conflicts: 0 };
  // Paused: nothing is sent, taken from the inbox, recovered or moved on. The progress stays
  // where the pause found it, so the first tick after the resume works through every slot
  // of the paused time, and each job's misfire policy decides what of it runs (planJob).
  // A failed read fails the tick (it runs again next minute): it cannot tell it may send.
  const pause = await deps.schedulerPause?.get();
  if (pause) {
    result.paused = true;
    deps.logger.info('tick skipped: the scheduler is paused', { at: now.toISOString(), pausedAt: pause.pausedAt });
    await recordRun(now, result, deps);
    return result;
  }
  const lastSlot = slotAfter(slotOf(now), TICK_LEAD_SLOTS);
  const until = new Date(slotAfter(lastSlot));

  // New chains first: their next entries may land in the slots below.
  const submitted = await deps.due.inbox(settings.inboxLimit);
  if (submitted.length > 0) {
    const done = await dispatchEntries(submitted, until, now, `inbox:${fingerprint(submitted)}`, deps);
    add(result, done);
    // A young entry ahead of its job may belong to a create or resume still in flight: left for next tick.
    const inFlight = (e: SubmittedEntry) => done.behind.has(e.jobId) && now.getTime() - Date.parse(e.submittedAt) < INBOX_GRACE_MS;
    await deps.due.take(submitted.filter((e) => !inFlight(e)));
  }

  let expected = await deps.due.progress();
  let slot = await deps.due.firstSlotFrom(expected);
  while (slot !== undefined && slot <= lastSlot && result.slots < settings.maxSlots) {
    if (deps.clock.now().getTime() - now.getTime() > settings.budgetMs) break;
    const slotEnd = new Date(slotAfter(slot));
    // A slot repeated after a crash is judged as of its first planning: what the first try
    // sent (and may run) is counted again the same way, never skipped as missed instead.
    const judgedAsOf = settings.judgedAsOf !== undefined && slot < settings.judgedAsOf ? settings.judgedAsOf : now.toISOString();
    const plannedAt = new Date(await deps.due.planningTime(slot, judgedAsOf));
    add(result, await dispatchEntries(await deps.due.read(slot), slotEnd, plannedAt, `slot:${slot}`, deps));
    result.slots++;
    if (!(await deps.due.advance(expected, slotEnd.toISOString()))) {
      result.conflicts++;
      break;
    }
    expected = slotEnd.toISOString();
    slot = await deps.due.firstSlotFrom(expected);
  }
  // Nothing left up to the last slot: the progress can skip the empty ones.
  if (result.conflicts === 0 && (slot === undefined || slot > lastSlot) && (expected === undefined || expected < until.toISOString())) {
    await deps.due.advance(expected, until.toISOString());
  }

  // Recovery comes after the schedule's own work; its failure must not hide that work.
  try {
    result.recovered = await recoverLost(deps, settings.recovery);
  } catch (error) {
    deps.logger.error('recovery failed; it runs again next tick', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  deps.logger.info('tick finished', { at: now.toISOString(), ...result });
  await recordRun(now, result, deps);
  return result;
}

/** One write a tick, after its work: a failure to write it is logged, never the tick's. */
async function recordRun(startedAt: Date, result: TickResult, deps: TickDeps): Promise<void> {
  if (!deps.tickLog) return;
  const run = {
    startedAt: startedAt.toISOString(),
    durationMs: deps.clock.now().getTime() - startedAt.getTime(),
    sent: result.sent,
    slots: result.slots,
    recovered: result.recovered?.resent ?? 0,
    ...(result.paused ? { paused: true } : {}),
  };
  await deps.tickLog
    .record(run)
    .catch((error: unknown) =>
      deps.logger.warn('could not record the tick for the status', { error: error instanceof Error ? error.message : String(error) }),
    );
}

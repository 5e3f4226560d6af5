/**
 * Pausing and resuming a job. The rule users see: only what falls due while a job
 * is paused may be skipped as paused; on resume, the misfire policy decides what of
 * that time runs (as after downtime); what comes after the resume runs as usual;
 * skipped occurrences never count as runs of a job with `maxRuns`.
 *
 * The tick and the API send occurrences up to two minutes ahead. A pause cannot
 * take those messages back, so it holds them in their claim groups (a worker that
 * meets one drops it, and nothing is recorded), and writes down when it came
 * (`pausedAt`) and up to where things may have been sent (`sentUntil`). A resume
 * then decides each occurrence from the pause to now, releases the holds on what
 * it runs and on what has not fallen due yet (those messages run at their
 * instants), and starts a new chain right after now.
 */
import { claimGroupOf, PAUSED_HOLDER } from '../execution/bundle.js';
import { carryOutPlan, sendFirstAttempts } from '../dispatch/send-first-attempts.js';
import { directDispatchUntil } from '../dispatch/due-index.js';
import { inTurns, WRITES_AT_ONCE } from '../kernel/in-turns.js';
import type { SkipRecord } from '../execution/ledger-record.js';
import type { Job } from '../jobs/job.js';
import { jobOccurrences, nextJobOccurrence } from '../schedule/fire-times.js';
import { applyMisfire, keptByMisfire, occurrenceOf, planJob } from '../dispatch/planner.js';
import type { TickDeps } from '../dispatch/tick.js';
import type { SchedulerPause } from '../settings/scheduler-pause.js';

/**
 * What a pause or resume touches: the stores and queue the tick uses, the clock, and
 * the scheduler's pause (while it is recorded, nothing is sent ahead of the tick).
 */
export type PauseDeps = Pick<TickDeps, 'jobs' | 'executions' | 'queue' | 'dispatchLog' | 'due' | 'claims' | 'clock' | 'schedulerPause'>;

/**
 * The scheduler's pause in effect, read now (not cached): while there is one, the API
 * sends nothing itself (a create's, edit's, resume's or enqueue's first occurrences,
 * a resume's catch-up, a pause's backlog) and leaves it all to the tick after the
 * resume, which judges it with the misfire policy. A manual trigger still runs.
 */
export async function schedulerPaused(deps: Pick<PauseDeps, 'schedulerPause'>): Promise<SchedulerPause | undefined> {
  return deps.schedulerPause ? deps.schedulerPause.get() : undefined;
}

/** Skip records written per resume; a longer pause records its first ones (the README says so). */
export const MAX_SKIPS_RECORDED = 1_000;
/** Occurrences sent ahead of a pause that it holds: two minutes of a job every second, with room to spare. */
const MAX_HELD = 1_000;

/** Holds what may have been sent ahead, then marks the job paused. False when the job changed first. */
export async function pauseJob(job: Job, deps: PauseDeps, note?: string): Promise<boolean> {
  const now = deps.clock.now();
  const held = await schedulerPaused(deps);
  const progress = await deps.due.progress();
  // The tick has sent everything before its progress; the API may have sent a little further.
  const sentUntil = new Date(Math.max(now.getTime(), progress ? Date.parse(progress) : 0));
  const holdUntil = holdUntilOf(now, sentUntil);
  // Due after now: held. Due up to now (at this very instant too): it fell due while the job was active, and runs.
  const sentAhead = [...jobOccurrences(job, now, holdUntil, MAX_HELD)];
  const resumeFrom = nextJobOccurrence(job, new Date(holdUntil.getTime() - 1));
  // The tick may be behind (a backlog after downtime, or it crashed): what fell due while
  // the job was active and it has not reached yet would be dropped with the old revision.
  // The pause deals with it as the tick would (sends what runs, records what is skipped),
  // and the new runs count goes into the pause's write.
  // While the whole scheduler is paused the backlog is not sent: the job counts as paused
  // from where the tick stopped serving it (just before the backlog's first occurrence), so
  // that its resume decides that time too, as it decides the rest of its pause.
  const first = held ? firstInBacklog(job, progress, now) : undefined;
  const backlog = held ? undefined : backlogOf(job, progress, now);
  // Before the job says paused, so a pause that dies half-way leaves nothing undecided
  // (each step is safe to repeat: the claim drops a second copy, a skip never overwrites).
  // Everything in the backlog is due already: it goes out at once.
  if (backlog) await carryOutPlan(job, backlog, now, deps);
  const paused = await deps.jobs.changeStatus({
    jobId: job.id,
    from: 'active',
    to: 'paused',
    expectedRev: job.rev,
    nextRunAt: resumeFrom ? resumeFrom.toISOString() : null,
    runs: backlog?.runs ?? job.runs,
    ...(backlog && job.maxRuns !== undefined ? { runsUntil: (backlog.next ?? now).toISOString() } : {}),
    updatedAt: now.toISOString(),
    pausedAt: (first ? new Date(first.getTime() - 1) : now).toISOString(),
    sentUntil: sentUntil.toISOString(),
    // The holds go up to where they would from `now`, wherever the pause counts from.
    ...(first ? { heldUntil: holdUntil.toISOString() } : {}),
    note: note ?? null,
  });
  // Held only once the pause has won: holds of a pause that lost its race (the tick
  // completed the job first) would drop occurrences of a job that is not paused. A
  // delivery between the two runs its occurrence: the pause and the run crossed.
  if (paused) {
    const groupOf = (at: Date) => claimGroupOf({ jobId: job.id, scheduledFor: at.toISOString() });
    await inTurns(sentAhead, WRITES_AT_ONCE, (at) => deps.claims.claim(groupOf(at), [job.id], PAUSED_HOLDER, now.toISOString()));
    // A resume that came between the status write and these holds released nothing yet held:
    // the holds would drop the active job's occurrences for good. Taken back if so.
    const after = await deps.jobs.get(job.id);
    if (!after || after.status !== 'paused' || after.rev !== job.rev + 1) {
      await inTurns(sentAhead, WRITES_AT_ONCE, (at) => deps.claims.release(groupOf(at), job.id, PAUSED_HOLDER));
    }
  }
  return paused;
}

/**
 * Occurrences due before `now` that the tick has not reached (its progress is
 * behind), planned as the tick would: on time ones sent, missed ones by the misfire
 * policy. Undefined when the tick is not behind.
 */
export function backlogOf(job: Job, progress: string | undefined, now: Date): ReturnType<typeof planJob> | undefined {
  const first = firstInBacklog(job, progress, now);
  return first ? planJob(job, first, job.runs, now, now) : undefined;
}

/** What fell due while the job was active and the tick has not reached, oldest first (at most MAX_SKIPS_RECORDED). */
export function dueInBacklog(job: Job, progress: string | undefined, now: Date): Date[] {
  const first = firstInBacklog(job, progress, now);
  return first ? [...jobOccurrences(job, new Date(first.getTime() - 1), now, MAX_SKIPS_RECORDED)] : [];
}

function firstInBacklog(job: Job, progress: string | undefined, now: Date): Date | undefined {
  if (!progress || Date.parse(progress) >= now.getTime()) return undefined;
  // A chain counted past the progress (its tick died before moving it) sent that much: not again.
  const start = Math.max(Date.parse(progress), job.maxRuns !== undefined && job.runsUntil ? Date.parse(job.runsUntil) : 0);
  const first = nextJobOccurrence(job, new Date(start - 1));
  return first && first < now ? first : undefined;
}

/** Up to where a pause at `pausedAt` holds: what the tick sent, and what the API may have (two slots ahead). */
export function holdUntilOf(pausedAt: Date, sentUntil: Date): Date {
  return new Date(Math.max(directDispatchUntil(pausedAt).getTime(), sentUntil.getTime()));
}

/** The first `first` and the last `last` occurrences in (after, upTo], without walking all of a long pause. */
function dueWhilePaused(job: Job, after: Date, upTo: Date, last: number): { first: Date[]; last: Date[] } {
  const end = new Date(upTo.getTime() + 1);
  const head = [...jobOccurrences(job, after, end, MAX_SKIPS_RECORDED)];
  if (head.length < MAX_SKIPS_RECORDED) return { first: head, last: head.slice(-last) };
  // Long pause: look back from the resume, doubling the window, for the latest ones.
  for (let span = 3_600_000; ; span *= 2) {
    const from = new Date(Math.max(after.getTime(), upTo.getTime() - span));
    const tail = [...jobOccurrences(job, from, end, Number.MAX_SAFE_INTEGER)].slice(-last);
    if (tail.length >= last || from.getTime() === after.getTime()) return { first: head, last: tail };
  }
}

export interface ResumePlan {
  /** Occurrences that fell due while paused and run now (the misfire policy's choice, within maxRuns). */
  run: Date[];
  /** Recorded as skipped (`paused`): the rest of what fell due while paused (the first MAX_SKIPS_RECORDED). */
  skip: Date[];
  /** Sent before the pause and not due yet: their messages run (counted in `runs`). */
  release: Date[];
  /** Holds to let go of: everything after now but what was sent and is over maxRuns. */
  unhold: Date[];
  /** The new chain: the first occurrence after now and after what is released, and the runs counted before it. */
  next?: Date;
  runs: number;
}

/**
 * What the chain had sent when the pause came: the count of runs before the pause
 * (those stay counted), and what was sent ahead and is not due yet at `now` (it runs
 * from its own message). With maxRuns, what was counted from the pause on is
 * decided afresh by the resume.
 */
export function sentBeforePause(
  job: Job,
  pausedAt: Date,
  sentUntil: Date,
  now: Date,
  ranWhilePaused: ReadonlySet<number> = new Set(),
): { release: Date[]; runs: number } {
  if (job.maxRuns === undefined) return { release: [...jobOccurrences(job, now, sentUntil, MAX_HELD)], runs: job.runs };
  if (job.runsUntil !== undefined) {
    // Every occurrence after the pause up to where the chain counted was sent ahead, on time, and
    // counted. A delivery that came between the pause and its holds ran one: that one stays counted.
    const ahead = [...jobOccurrences(job, pausedAt, new Date(job.runsUntil), MAX_HELD)];
    const ran = ahead.filter((t) => ranWhilePaused.has(t.getTime())).length;
    return { release: ahead.filter((t) => t > now && !ranWhilePaused.has(t.getTime())), runs: Math.max(0, job.runs - ahead.length) + ran };
  }
  // Stored before runsUntil was kept: the chain counts in time order, so (misfire skips
  // aside, which only make the count larger) its first `runs` occurrences were counted.
  const counted = [...jobOccurrences(job, new Date(Date.parse(job.createdAt) - 1), sentUntil, job.runs)];
  return { release: counted.filter((t) => t > now), runs: counted.filter((t) => t < pausedAt).length };
}

/**
 * What a resume at `now` does with a job paused at `pausedAt`. For `maxRuns`, what
 * was counted from the pause on is decided afresh.
 */
export function planResume(job: Job, now: Date, ranWhilePaused: ReadonlySet<number> = new Set()): ResumePlan {
  const pausedAt = new Date(job.pausedAt ?? job.updatedAt);
  const sentUntil = new Date(job.sentUntil ?? job.nextRunAt ?? job.pausedAt ?? job.updatedAt);
  const keep = keptByMisfire(job.policy.misfire);
  const notRan = (t: Date) => !ranWhilePaused.has(t.getTime());
  const paused = dueWhilePaused(job, pausedAt, now, Math.max(1, keep) + ranWhilePaused.size);
  const { run: chosen } = applyMisfire(paused.last.filter(notRan), job.policy.misfire);
  const { release, runs: countedBefore } = sentBeforePause(job, pausedAt, sentUntil, now, ranWhilePaused);
  let runs = countedBefore;
  let left = job.maxRuns === undefined ? Infinity : Math.max(0, job.maxRuns - runs);
  const run = chosen.slice(Math.max(0, chosen.length - left));
  left -= run.length;
  // What was sent ahead and is not due yet runs from its own message: it counts as sent, and
  // the new chain starts after it (a chain from before it would judge it late, and skip it).
  const released = release.slice(0, left === Infinity ? release.length : left);
  runs += run.length + released.length;
  const ran = new Set(run.map((t) => t.getTime()));
  const skip = paused.first.filter((t) => !ran.has(t.getTime()) && notRan(t));
  const spent = job.maxRuns !== undefined && runs >= job.maxRuns;
  // Nothing after what is released (a one-time job resumed before its instant): the chain
  // starts at the last of it, so that the tick completes the job once it has gone out.
  const last = released.at(-1);
  const next = spent ? undefined : (nextJobOccurrence(job, last ?? now) ?? (job.maxRuns === undefined ? last : undefined));
  // Every hold after now goes, but on what was sent and is over maxRuns now: what is not
  // released runs from its own message, and what comes later the new chain sends.
  const keepHeld = new Set(release.slice(released.length).map((t) => t.getTime()));
  // An edit while paused set sentUntil back to the pause and kept how far the pause held.
  const heldUntil = job.heldUntil ? new Date(job.heldUntil) : holdUntilOf(pausedAt, sentUntil);
  const unhold = [...jobOccurrences(job, now, heldUntil, MAX_HELD)].filter((t) => !keepHeld.has(t.getTime()));
  return { run, skip, release: released, unhold, runs, ...(next ? { next } : {}) };
}

/**
 * Occurrences of a maxRuns job that were sent ahead of its pause and ran anyway: a
 * delivery that came between the pause's status write and its holds (the two crossed).
 * They count as runs; the resume must not decide them again.
 */
export async function ranWhilePaused(job: Job, now: Date, deps: PauseDeps): Promise<Set<number>> {
  if (job.maxRuns === undefined || job.runsUntil === undefined || !job.pausedAt) return new Set();
  const upTo = new Date(Math.min(Date.parse(job.runsUntil), now.getTime() + 1));
  const ahead = [...jobOccurrences(job, new Date(job.pausedAt), upTo, MAX_HELD)];
  if (ahead.length === 0) return new Set();
  const records = await deps.executions.getMany(ahead.map((t) => ({ jobId: job.id, scheduledFor: t.toISOString() })));
  const ran = [...records.values()].filter((r) => r.status !== 'skipped' || r.skipReason === 'overlap');
  return new Set(ran.map((r) => Date.parse(r.scheduledFor)));
}

/**
 * Resumes. The order matters for a resume that dies half-way (it is safe to send
 * again): skips are recorded and holds released first, then the new chain is
 * submitted, and only then does the job turn active; the catch-up goes out last,
 * logged in the dispatch log so that recovery finds it if the send is lost.
 */
export async function resumeJob(
  job: Job,
  deps: PauseDeps,
  dispatchSoon: (job: Job, from: Date, runs: number, now: Date) => Promise<void>,
  note?: string,
): Promise<boolean> {
  const now = deps.clock.now();
  const held = await schedulerPaused(deps);
  const plan = planResume(job, now, await ranWhilePaused(job, now, deps));
  // The whole scheduler is paused: the catch-up is not sent. The chain starts at it instead,
  // so that the tick after the scheduler's resume weighs it, with the misfire policy, against
  // what falls due until then (one decision for the whole time it did not run).
  const catchUp = held ? plan.run : [];
  const from = catchUp[0] ?? plan.next;
  const runs = plan.runs - catchUp.length;
  const skips: SkipRecord[] = plan.skip.map((t) => ({
    jobId: job.id,
    scheduledFor: t.toISOString(),
    jobName: job.name,
    handler: job.handler,
    reason: 'paused',
  }));
  await deps.executions.recordSkipped(skips, now.toISOString());
  await inTurns([...plan.run, ...plan.unhold], WRITES_AT_ONCE, (t) =>
    deps.claims.release(claimGroupOf({ jobId: job.id, scheduledFor: t.toISOString() }), job.id, PAUSED_HOLDER),
  );
  if (from)
    await deps.due.submit({
      jobId: job.id,
      rev: job.rev + 1,
      from: from.toISOString(),
      runs,
      submittedAt: now.toISOString(),
      ...(held ? { unsent: true as const } : {}),
    });
  const ok = await deps.jobs.changeStatus({
    jobId: job.id,
    from: 'paused',
    to: from ? 'active' : 'completed',
    expectedRev: job.rev,
    nextRunAt: from ? from.toISOString() : null,
    runs,
    runsUntil: from && job.maxRuns !== undefined ? from.toISOString() : null,
    updatedAt: now.toISOString(),
    pausedAt: null,
    sentUntil: null,
    heldUntil: null,
    note: note ?? null,
  });
  if (!ok) return false;
  if (held) return true;
  if (plan.run.length > 0)
    await sendFirstAttempts(
      plan.run.map((t) => ({ ...occurrenceOf(job, t), delaySeconds: 0 })),
      now.toISOString(),
      deps,
    );
  if (plan.next) await dispatchSoon({ ...job, status: 'active', rev: job.rev + 1 }, plan.next, plan.runs, now);
  return true;
}

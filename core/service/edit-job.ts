/**
 * Editing a job's definition. The tick and the API send occurrences up to two
 * minutes ahead, and a sent message carries the definition it was sent with: an
 * edit cannot change those. So an edit takes effect from an instant (`takesEffectFrom`,
 * where a pause would stop holding: past everything that may have been sent), and
 * the answer names the occurrences before it that still run under the previous
 * definition. Those are sent by the edit itself (again: the claim drops a second
 * copy), so that whatever the tick had not reached yet is not lost with the old
 * revision; the new definition's chain starts at the revision after.
 *
 * A paused job keeps its pause: what the pause held stays held (those messages
 * belong to the previous definition and never run), and the resume decides the
 * new definition's occurrences. A completed job whose new definition has
 * occurrences left becomes active again.
 */
import { planJob } from '../dispatch/planner.js';
import { carryOutPlan } from '../dispatch/send-first-attempts.js';
import type { SubmittedEntry } from '../dispatch/due-index.js';
import type { Job } from '../jobs/job.js';
import { jobOccurrences, nextJobOccurrence } from '../schedule/fire-times.js';
import { directDispatchUntil } from '../dispatch/due-index.js';
import type { SchedulerPause } from '../settings/scheduler-pause.js';
import { holdUntilOf, ranWhilePaused, schedulerPaused, sentBeforePause, type PauseDeps } from './pause-resume.js';

/** Occurrences named in an answer as still running under the previous definition. */
const MAX_NAMED = 1_000;

export interface EditResult {
  /** False when the job changed first (its revision moved on); nothing of the edit was kept. */
  applied: boolean;
  /** Occurrences at or after this instant follow the new definition. */
  takesEffectFrom: string;
  /** Occurrences from now until then that were sent, or are sent now, under the previous definition. */
  sentWithPreviousDefinition: string[];
}

type Dispatch = (job: Job, from: Date, runs: number, now: Date) => Promise<void>;

/** Applies `edited` (the job's new definition, same revision) to `job`. */
export async function editJob(job: Job, edited: Job, deps: PauseDeps, dispatchSoon: Dispatch): Promise<EditResult> {
  if (job.status === 'paused') return editPaused(job, edited, deps);
  const held = await schedulerPaused(deps);
  if (job.status === 'completed') return editCompleted(job, edited, deps, held ? undefined : dispatchSoon);
  return held ? editWhileSchedulerPaused(job, edited, deps, held) : editActive(job, edited, deps);
}

/**
 * An active job edited while the whole scheduler is paused: nothing ran since the tick
 * stopped, so the new definition takes effect from where the tick stopped for this job
 * (or later, past what the API itself sent of it before the pause), and nothing is sent
 * now. The tick after the scheduler's resume plans the new chain with its misfire policy.
 */
async function editWhileSchedulerPaused(job: Job, edited: Job, deps: PauseDeps, pause: SchedulerPause): Promise<EditResult> {
  const now = deps.clock.now();
  const progress = await deps.due.progress();
  const start = Math.max(
    progress ? Date.parse(progress) : 0,
    job.nextRunAt ? Date.parse(job.nextRunAt) : 0,
    job.maxRuns !== undefined && job.runsUntil ? Date.parse(job.runsUntil) : 0,
  );
  // The job's last change before the pause sent its next minute or two itself.
  const sentByApi = job.updatedAt <= pause.pausedAt ? directDispatchUntil(job.updatedAt).getTime() : 0;
  const effective = new Date(Math.max(start, sentByApi));
  const previous = unique([...jobOccurrences(job, new Date(start - 1), effective, MAX_NAMED)]);
  const spent = edited.maxRuns !== undefined && job.runs >= edited.maxRuns;
  const next = spent ? undefined : nextJobOccurrence(edited, new Date(effective.getTime() - 1));
  const applied = await replaceWithChain(job, { ...edited, runs: job.runs }, next, now, deps, effective, true);
  return { applied, takesEffectFrom: effective.toISOString(), sentWithPreviousDefinition: previous };
}

async function editActive(job: Job, edited: Job, deps: PauseDeps): Promise<EditResult> {
  const now = deps.clock.now();
  const progress = await deps.due.progress();
  const sentUntil = new Date(Math.max(now.getTime(), progress ? Date.parse(progress) : 0));
  const effective = holdUntilOf(now, sentUntil);
  // Where the tick may not have reached: from its progress (or where the chain started,
  // or where a maxRuns count stands, if later). Everything of the old chain from there up
  // to the effective instant goes out now, planned as the tick would plan it.
  const start = Math.max(
    progress ? Date.parse(progress) : 0,
    job.nextRunAt ? Date.parse(job.nextRunAt) : 0,
    job.maxRuns !== undefined && job.runsUntil ? Date.parse(job.runsUntil) : 0,
  );
  const first = nextJobOccurrence(job, new Date(start - 1));
  const plan = first && first < effective ? planJob(job, first, job.runs, effective, now) : { send: [], skip: [], runs: job.runs };
  await carryOutPlan(job, plan, now, deps);
  const pending = [...jobOccurrences(job, new Date(now.getTime() - 1), effective, MAX_NAMED)];
  // From `start` on, the plan says what goes out (maxRuns may stop it short); before it, the tick sent them.
  const previous = unique([...plan.send, ...pending.filter((t) => t.getTime() < start)]);
  const spent = edited.maxRuns !== undefined && plan.runs >= edited.maxRuns;
  const next = spent ? undefined : nextJobOccurrence(edited, new Date(effective.getTime() - 1));
  const applied = await replaceWithChain(job, { ...edited, runs: plan.runs }, next, now, deps, effective);
  return { applied, takesEffectFrom: effective.toISOString(), sentWithPreviousDefinition: previous };
}

/**
 * The held messages are the previous definition's and stay held; the count of runs
 * (maxRuns) is settled now as the resume would have (what ran before the pause, and
 * what crossed it), so that the resume judges only the new definition's occurrences.
 */
async function editPaused(job: Job, edited: Job, deps: PauseDeps): Promise<EditResult> {
  const now = deps.clock.now();
  const pausedAt = new Date(job.pausedAt ?? job.updatedAt);
  const sentUntil = new Date(job.sentUntil ?? job.nextRunAt ?? job.pausedAt ?? job.updatedAt);
  const heldUntil = job.heldUntil ? new Date(job.heldUntil) : holdUntilOf(pausedAt, sentUntil);
  const { runs } = sentBeforePause(job, pausedAt, sentUntil, now, await ranWhilePaused(job, now, deps));
  const next = nextJobOccurrence(edited, now);
  const ok = await deps.jobs.replace(
    {
      ...edited,
      runs,
      ...(edited.maxRuns !== undefined ? { runsUntil: pausedAt.toISOString() } : {}),
      sentUntil: pausedAt.toISOString(),
      heldUntil: heldUntil.toISOString(),
      nextRunAt: next ? next.toISOString() : null,
      rev: job.rev + 1,
      updatedAt: now.toISOString(),
    },
    { rev: job.rev, name: job.name },
  );
  return { applied: ok, takesEffectFrom: now.toISOString(), sentWithPreviousDefinition: [] };
}

/** Nothing of a completed job is pending: the new definition takes over at once. */
async function editCompleted(job: Job, edited: Job, deps: PauseDeps, dispatchSoon: Dispatch | undefined): Promise<EditResult> {
  const now = deps.clock.now();
  const spent = edited.maxRuns !== undefined && job.runs >= edited.maxRuns;
  const next = spent ? undefined : nextJobOccurrence(edited, new Date(now.getTime() - 1));
  // Without dispatchSoon (the scheduler is paused), the tick sends it all, after the resume.
  const applied = await replaceWithChain(job, edited, next, now, deps, now, !dispatchSoon);
  if (applied && next && dispatchSoon) await dispatchSoon({ ...edited, status: 'active', rev: job.rev + 1 }, next, job.runs, now);
  return { applied, takesEffectFrom: now.toISOString(), sentWithPreviousDefinition: [] };
}

/**
 * The new chain is submitted before the job is written (as a create does): an edit
 * that dies in between leaves an entry of a revision the job never reaches, which
 * the tick drops. A write that loses its race takes its entry back.
 */
async function replaceWithChain(
  job: Job,
  edited: Job,
  next: Date | undefined,
  now: Date,
  deps: PauseDeps,
  countedUntil: Date,
  unsent = false,
): Promise<boolean> {
  const rev = job.rev + 1;
  const entry: SubmittedEntry | undefined = next
    ? {
        jobId: job.id,
        rev,
        from: next.toISOString(),
        runs: edited.runs,
        submittedAt: now.toISOString(),
        ...(unsent ? { unsent: true as const } : {}),
      }
    : undefined;
  if (entry) await deps.due.submit(entry);
  const { runsUntil: _u, ...rest } = edited;
  let ok = false;
  try {
    ok = await deps.jobs.replace(
      {
        ...rest,
        status: next ? 'active' : 'completed',
        ...(edited.maxRuns !== undefined && next ? { runsUntil: countedUntil.toISOString() } : {}),
        nextRunAt: next ? next.toISOString() : null,
        rev,
        updatedAt: now.toISOString(),
      },
      { rev: job.rev, name: job.name },
    );
  } finally {
    if (!ok && entry) await deps.due.take([entry]);
  }
  return ok;
}

function unique(instants: Date[]): string[] {
  return [...new Set(instants.map((t) => t.toISOString()))].sort().slice(0, MAX_NAMED);
}

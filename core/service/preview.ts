/** Previews: the next fire times of a schedule, so people see the DST rule before it happens. */
import { z } from 'zod';
import { ValidationError } from '../kernel/errors.js';
import { instantInput, MAX_INSTANT_MS } from '../kernel/instants.js';
import { scheduleInput, toSchedule, type Job } from '../jobs/job.js';
import { zodProblems } from '../kernel/field-problems.js';
import { jobOccurrences } from '../schedule/fire-times.js';
import { sentBeforePause } from './pause-resume.js';
import { isCronSchedule, occurrencesBetween, scheduleProblems, type Schedule } from '../schedule/schedule.js';
import { formatLocal } from '../schedule/time-zone.js';

export interface PreviewOccurrence {
  /** UTC ISO instant. */
  at: string;
  /** The same instant as local wall time with the zone's offset then (UTC for intervals and one-time jobs). */
  local: string;
}

export const MAX_PREVIEW = 100;
/** Occurrences a saved job's preview may step over to find where its chain stands. */
const MAX_SKIPPED = 10_000;

export const previewRequest = z
  .object({
    schedule: scheduleInput,
    from: instantInput.optional(),
    count: z.number().int().min(1).max(MAX_PREVIEW).default(10),
  })
  .strict();

export const previewQuery = z.object({
  from: instantInput.optional(),
  // Digits only, like a page's limit: `1e1`, `0x10` and ` 2` are not a count a client means.
  count: z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_PREVIEW}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `must be a whole number from 1 to ${MAX_PREVIEW}`)
        .max(MAX_PREVIEW, `must be a whole number from 1 to ${MAX_PREVIEW}`),
    )
    .default(10),
});

function present(instants: Iterable<Date>, schedule: Schedule): PreviewOccurrence[] {
  const zone = isCronSchedule(schedule) ? schedule.timezone : 'UTC';
  return [...instants].map((at) => ({ at: at.toISOString(), local: formatLocal(at.getTime(), zone) }));
}

/** The next `count` fire times strictly after `from`; fewer when the schedule ends. */
export function previewSchedule(schedule: Schedule, options: { from: Date; count: number; anchor: Date }): PreviewOccurrence[] {
  return present(occurrencesBetween(schedule, options.anchor, options.from, new Date(MAX_INSTANT_MS + 1), options.count), schedule);
}

/**
 * A saved job's next fire times strictly after `from`: the occurrences the tick
 * sends (jobOccurrences, with startAt, endAt and the interval's anchor), no more
 * than the runs it has left (maxRuns less the runs sent), none once it is completed.
 * A paused job shows where it would run if resumed now.
 */
export function previewSavedJob(job: Job, options: { from: Date; count: number }): PreviewOccurrence[] {
  if (job.status === 'completed' || job.nextRunAt === null) return [];
  const end = new Date(MAX_INSTANT_MS + 1);
  // Nothing runs at or before the job's creation.
  const from = new Date(Math.max(options.from.getTime(), Date.parse(job.createdAt)));
  if (job.maxRuns === undefined) return present(jobOccurrences(job, from, end, options.count), job.schedule);
  if (job.status === 'paused' && job.pausedAt) {
    // What a resume now would leave to run: the runs counted before the pause stay, the rest
    // is decided again (without the catch-up its misfire policy may add for the paused time).
    const before = sentBeforePause(job, new Date(job.pausedAt), new Date(job.sentUntil ?? job.pausedAt), from).runs;
    return present(jobOccurrences(job, from, end, Math.min(options.count, Math.max(0, job.maxRuns - before))), job.schedule);
  }
  // The chain counts its runs in time order: its first `runs` occurrences since creation were sent (they
  // run as sent); from there on it has the runs left, whether they fall before `from` or after it.
  const until = countedUntil(job, from);
  const sent = until > from ? [...jobOccurrences(job, from, until, options.count)] : [];
  const left = Math.max(0, job.maxRuns - job.runs);
  const rest = [...jobOccurrences(job, new Date(until.getTime() - 1), end, Math.min(left, MAX_SKIPPED + options.count))].filter(
    (t) => t > from,
  );
  return present([...sent, ...rest].slice(0, options.count), job.schedule);
}

/**
 * Where the chain of a job with maxRuns stands: just after its first `runs`
 * occurrences since creation. Bounded: past MAX_SKIPPED runs it answers `from`,
 * and the preview counts the runs left from there.
 */
function countedUntil(job: Job, from: Date): Date {
  if (job.runsUntil !== undefined) return new Date(job.runsUntil);
  if (job.runs > MAX_SKIPPED) return from;
  // A job runs strictly after its creation (buildJob), so the chain starts there.
  const first = [...jobOccurrences(job, new Date(job.createdAt), new Date(MAX_INSTANT_MS + 1), job.runs + 1)];
  return first[job.runs] ?? new Date((first.at(-1) ?? from).getTime() + 1);
}

/** Validates a `POST /v1/preview` body; an interval counts from `from`, as a job created then would. */
export function previewFromRequest(raw: unknown, now: Date): PreviewOccurrence[] {
  const parsed = previewRequest.safeParse(raw);
  if (!parsed.success) throw new ValidationError('the preview request is not valid', zodProblems(parsed.error));
  const schedule = toSchedule(parsed.data.schedule);
  const from = parsed.data.from ? new Date(parsed.data.from) : now;
  const problems = scheduleProblems(schedule, from, { allowPast: true }).map((p) => ({ path: `schedule.${p.path}`, message: p.message }));
  if (problems.length > 0) throw new ValidationError('the schedule is not valid', problems);
  return previewSchedule(schedule, { from, count: parsed.data.count, anchor: from });
}

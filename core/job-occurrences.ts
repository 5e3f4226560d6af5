/**
 * A job's fire times: its schedule, bounded by startAt and endAt. Interval
 * schedules count from startAt when there is one (the first run is at startAt),
 * else from the job's creation (the first run is one interval later).
 */
import type { Job } from './job.js';
import { isEverySchedule, occurrencesBetween, parseInterval } from './schedule.js';

type Bounded = Pick<Job, 'schedule' | 'createdAt' | 'startAt' | 'endAt'>;

function anchorOf(job: Bounded): Date {
  if (job.startAt && isEverySchedule(job.schedule)) return new Date(Date.parse(job.startAt) - parseInterval(job.schedule.every)!);
  return new Date(job.createdAt);
}

/** Fire times strictly after `after`, before `before`, within the job's bounds, at most `max`. */
export function* jobOccurrences(job: Bounded, after: Date, before: Date, max: number): Generator<Date> {
  const from = job.startAt ? new Date(Math.max(after.getTime(), Date.parse(job.startAt) - 1)) : after;
  const until = job.endAt ? new Date(Math.min(before.getTime(), Date.parse(job.endAt) + 1)) : before;
  if (from >= until) return;
  yield* occurrencesBetween(job.schedule, anchorOf(job), from, until, max);
}

export function nextJobOccurrence(job: Bounded, after: Date): Date | undefined {
  for (const t of jobOccurrences(job, after, new Date(8.64e15), 1)) return t;
  return undefined;
}

/** The job's last fire time strictly before `before` (none before its creation), looked for in windows that grow fourfold. */
export function previousJobOccurrence(job: Bounded, before: Date): Date | undefined {
  const created = Date.parse(job.createdAt);
  // Four hundred days: a yearly cron's gap, and some.
  for (let window = 1_000; window <= 400 * 86_400_000 * 4; window *= 4) {
    const from = Math.max(before.getTime() - window, created - 1);
    // The window before this one had none, so this one has few (at most about four and one).
    const found = [...jobOccurrences(job, new Date(from), before, 64)];
    if (found.length > 0) return found.at(-1);
    if (from <= created - 1) return undefined;
  }
  return undefined;
}

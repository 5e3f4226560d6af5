/**
 * A job's fire times: its schedule, bounded by startAt and endAt. Interval
 * schedules count from startAt when there is one (the first run is at startAt),
 * else from the job's creation (the first run is one interval later).
 */
import { isEverySchedule, occurrencesBetween, parseInterval, type Schedule } from './schedule.js';

/** What a job's fire times depend on (a Job has it). */
export interface Bounded {
  schedule: Schedule;
  createdAt: string;
  startAt?: string;
  endAt?: string;
}

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

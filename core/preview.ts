/** Previews: the next fire times of a schedule, so people see the DST rule before it happens. */
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { scheduleInput, toSchedule, zodProblems } from './job.js';
import { isCronSchedule, occurrencesBetween, scheduleProblems, type Schedule } from './schedule.js';
import { formatLocal } from './time-zone.js';

export interface PreviewOccurrence {
  /** UTC ISO instant. */
  at: string;
  /** The same instant as local wall time with the zone's offset then (UTC for intervals and one-time jobs). */
  local: string;
}

export const MAX_PREVIEW = 100;

const previewRequest = z
  .object({
    schedule: scheduleInput,
    from: z.iso.datetime({ offset: true }).optional(),
    count: z.number().int().min(1).max(MAX_PREVIEW).default(10),
  })
  .strict();

export const previewQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  count: z.coerce.number().int().min(1).max(MAX_PREVIEW).default(10),
});

/** The next `count` fire times strictly after `from`; fewer when the schedule ends. */
export function previewSchedule(schedule: Schedule, options: { from: Date; count: number; anchor: Date }): PreviewOccurrence[] {
  const zone = isCronSchedule(schedule) ? schedule.timezone : 'UTC';
  const far = new Date(8.64e15);
  return [...occurrencesBetween(schedule, options.anchor, options.from, far, options.count)].map((at) => ({
    at: at.toISOString(),
    local: formatLocal(at.getTime(), zone),
  }));
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

/**
 * Editing a job's definition: what PATCH may say, and the edited definition it
 * gives. Pure; when the edit takes effect (and what still runs under the old
 * definition) is core/service/edit-job.ts's to decide.
 */
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '../kernel/errors.js';
import { zodProblems } from '../kernel/field-problems.js';
import { instantInput } from '../kernel/instants.js';
import { jsonValue } from '../kernel/json-value.js';
import { plainText } from '../kernel/text.js';
import { policyInput, resolvePolicy } from './policies.js';
import { jobInputSchema, payloadSizeProblem, scheduleInput, toSchedule, type Job } from './job.js';
import { scheduleProblems } from '../schedule/schedule.js';
import { nextJobOccurrence } from '../schedule/fire-times.js';

/** Who changed a job and why, as free text shown on the job. */
export const statusNote = plainText(500);

const fields = jobInputSchema.shape;

/**
 * Any field of a job; what is left out stays as it is. `startAt`, `endAt` and
 * `maxRuns` take null to remove them. A policy given in part changes only the
 * parts it names (`{"retry":{"maxAttempts":5}}` keeps the job's delays).
 */
export const jobPatch = z
  .object({
    name: fields.name.optional(),
    schedule: scheduleInput.optional(),
    handler: fields.handler.optional(),
    payload: jsonValue.optional(),
    status: z.enum(['active', 'paused']).optional(),
    retry: policyInput.shape.retry,
    timeout: policyInput.shape.timeout,
    misfire: policyInput.shape.misfire,
    overlap: policyInput.shape.overlap,
    startAt: instantInput.nullable().optional(),
    endAt: instantInput.nullable().optional(),
    maxRuns: z.number().int().min(1).nullable().optional(),
    note: statusNote.optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one field to change', path: [] });

export type JobPatch = z.output<typeof jobPatch>;

/** The fields of a patch that change the definition (not the status or the note). */
export function changesDefinition(patch: JobPatch): boolean {
  return Object.keys(patch).some((k) => k !== 'status' && k !== 'note');
}

export function parseJobPatch(raw: unknown): JobPatch {
  const parsed = jobPatch.safeParse(raw);
  if (!parsed.success) throw new ValidationError('the change is not valid', zodProblems(parsed.error));
  return parsed.data;
}

export interface EditContext {
  now: Date;
  handlerNames: ReadonlySet<string>;
  payloadProblems?: (handler: string, payload: unknown) => FieldProblem[];
}

/** The definition a patch gives, checked as a create checks a new job (what it leaves alone is not judged again). */
export function editedDefinition(job: Job, patch: JobPatch, context: EditContext): Job {
  const problems: FieldProblem[] = [];
  const schedule = patch.schedule ? toSchedule(patch.schedule) : job.schedule;
  if (patch.schedule)
    for (const p of scheduleProblems(schedule, context.now)) problems.push({ path: `schedule.${p.path}`, message: p.message });
  const handler = patch.handler ?? job.handler;
  const payload = patch.payload !== undefined ? patch.payload : job.payload;
  if (patch.handler !== undefined && !context.handlerNames.has(handler)) {
    problems.push({ path: 'handler', message: `no handler named "${handler}"; registered: ${[...context.handlerNames].join(', ')}` });
  } else if (patch.handler !== undefined || patch.payload !== undefined) {
    problems.push(...(context.payloadProblems?.(handler, payload) ?? []));
    const tooLarge = payloadSizeProblem(payload);
    if (tooLarge) problems.push(tooLarge);
  }
  const instant = (value: string | null | undefined, current: string | undefined) =>
    value === null ? undefined : value === undefined ? current : new Date(value).toISOString();
  const startAt = instant(patch.startAt, job.startAt);
  const endAt = instant(patch.endAt, job.endAt);
  if (startAt && endAt && endAt <= startAt)
    problems.push({ path: patch.endAt ? 'endAt' : 'startAt', message: 'endAt must be after startAt' });
  const maxRuns = patch.maxRuns === null ? undefined : (patch.maxRuns ?? job.maxRuns);
  // As a create refuses it: a new schedule or bounds with nothing left to run (maxRuns and DELETE end a job on purpose).
  const bounds = { schedule, createdAt: job.createdAt, ...(startAt ? { startAt } : {}), ...(endAt ? { endAt } : {}) };
  const timing = patch.schedule !== undefined || patch.startAt !== undefined || patch.endAt !== undefined;
  if (problems.length === 0 && timing && !nextJobOccurrence(bounds, context.now)) {
    problems.push({ path: patch.endAt ? 'endAt' : 'schedule', message: 'the schedule has no occurrence after now' });
  }
  if (problems.length > 0) throw new ValidationError('the change is not valid', problems);

  const { startAt: _s, endAt: _e, maxRuns: _m, runsUntil: _u, ...rest } = job;
  return {
    ...rest,
    name: patch.name ?? job.name,
    schedule,
    handler,
    payload,
    // Each part the patch leaves out keeps the job's value, not the defaults'.
    policy: resolvePolicy({ retry: patch.retry, timeout: patch.timeout, misfire: patch.misfire, overlap: patch.overlap }, job.policy),
    ...(startAt ? { startAt } : {}),
    ...(endAt ? { endAt } : {}),
    ...(maxRuns !== undefined ? { maxRuns } : {}),
    ...(job.runsUntil !== undefined && maxRuns !== undefined ? { runsUntil: job.runsUntil } : {}),
  };
}

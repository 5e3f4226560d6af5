/** The job definition: what users create over the API, validated with zod. */
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '../kernel/errors.js';
import { zodProblems } from '../kernel/field-problems.js';
import { instantInput } from '../kernel/instants.js';
import { jsonValue } from '../kernel/json-value.js';
import { policyInput, resolvePolicy, type JobPolicy } from './policies.js';
import { nextJobOccurrence } from '../schedule/fire-times.js';
import { scheduleProblems, type Schedule } from '../schedule/schedule.js';

export const MAX_PAYLOAD_BYTES = 64 * 1024;

export const scheduleInput = z
  .object({
    cron: z.string().min(1).optional(),
    timezone: z.string().min(1).optional(),
    every: z.string().min(1).optional(),
    at: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const kinds = (['cron', 'every', 'at'] as const).filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "cron", "every" or "at"', path: [] });
    } else if (s.timezone !== undefined && kinds[0] !== 'cron') {
      ctx.addIssue({ code: 'custom', message: 'only a cron schedule takes a time zone', path: ['timezone'] });
    }
  });

export const jobInputSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    schedule: scheduleInput,
    handler: z.string().min(1),
    payload: jsonValue.default({}),
    status: z.enum(['active', 'paused']).default('active'),
    retry: policyInput.shape.retry,
    timeout: policyInput.shape.timeout,
    misfire: policyInput.shape.misfire,
    overlap: policyInput.shape.overlap,
    startAt: instantInput.optional(),
    endAt: instantInput.optional(),
    maxRuns: z.number().int().min(1).optional(),
  })
  .strict();

export type JobInput = z.input<typeof jobInputSchema>;
/** `completed`: the schedule is spent (a one-time job ran, endAt or maxRuns was reached). */
export type JobStatus = 'active' | 'paused' | 'completed';

export interface Job {
  id: string;
  /**
   * `task`: one-off work from POST /v1/enqueue, a one-time job the job list leaves
   * out, with no name lock (its name is its handler's), and an expiry (`expiresAt`).
   */
  kind?: 'task';
  /** A task's: when its record may go (DynamoDB TTL), well after it ran. */
  expiresAt?: string;
  name: string;
  schedule: Schedule;
  handler: string;
  payload: unknown;
  status: JobStatus;
  /** Resolved at creation from the input and the configured defaults. */
  policy: JobPolicy;
  startAt?: string;
  endAt?: string;
  maxRuns?: number;
  /**
   * Occurrences sent so far, kept up to date for jobs with maxRuns (where it ends
   * the schedule); for others it counts those sent on resume only, as the tick
   * does not write the job per run.
   */
  runs: number;
  /**
   * With maxRuns: `runs` counts what was sent of the occurrences before this instant
   * (where the chain stood when it was counted). Misfire skips make "the first `runs`
   * occurrences" wrong, so a pause and the preview start from here. Absent: nothing yet.
   */
  runsUntil?: string;
  /** Bumped by every pause, resume and completion; due-index entries of older revisions are dropped. */
  rev: number;
  /** What the last pause or resume said of itself (who, why), shown on the job. */
  note?: string;
  /** While paused: when the pause came; what falls due from then until the resume is the resume's to decide. */
  pausedAt?: string;
  /** While paused: the tick had sent every occurrence before this instant when the pause came (the pause holds them). */
  sentUntil?: string;
  /**
   * While paused, after an edit: up to where the pause holds what was sent ahead
   * (the edit set sentUntil back to the pause, as nothing sent ahead of it runs).
   */
  heldUntil?: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Where the schedule stood at the job's last change: the first occurrence then
   * not yet sent (for a paused job, where resuming picks up); null when the
   * schedule is spent. The API shows the live next run instead.
   */
  nextRunAt: string | null;
}

/** Pausing, resuming or completing: applied only if nobody changed the job first. */
export interface JobStatusChange {
  jobId: string;
  from: JobStatus;
  to: JobStatus;
  expectedRev: number;
  nextRunAt: string | null;
  runs: number;
  updatedAt: string;
  /** Left as they are when absent; set; or removed with null. */
  pausedAt?: string | null;
  sentUntil?: string | null;
  heldUntil?: string | null;
  runsUntil?: string | null;
  note?: string | null;
}

export function toSchedule(s: z.infer<typeof scheduleInput>): Schedule {
  if (s.cron !== undefined) return { cron: s.cron.trim(), timezone: s.timezone ?? 'UTC' };
  if (s.every !== undefined) return { every: s.every.trim() };
  // Normalised to UTC when it is a valid ISO instant; anything else is kept for scheduleProblems to name.
  const ms = Date.parse(s.at!);
  return { at: instantInput.safeParse(s.at).success ? new Date(ms).toISOString() : s.at! };
}

/** A payload over MAX_PAYLOAD_BYTES (as JSON, in UTF-8), for a job's and a redrive's alike. */
export function payloadSizeProblem(payload: unknown): FieldProblem | undefined {
  const bytes = new TextEncoder().encode(JSON.stringify(payload)).length;
  return bytes > MAX_PAYLOAD_BYTES ? { path: 'payload', message: `is ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}` } : undefined;
}

/**
 * Validates raw input and builds a new job. Everything about the input is checked
 * here, including whether the handler exists and whether the schedule can fire.
 */
export interface BuildContext {
  id: string;
  now: Date;
  handlerNames: ReadonlySet<string>;
  /** Why a payload does not fit its handler's schema, paths from `payload` (none when it fits or has no schema). */
  payloadProblems?: (handler: string, payload: unknown) => FieldProblem[];
  defaults: JobPolicy;
}

export function buildJob(raw: unknown, context: BuildContext): Job {
  const parsed = jobInputSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError('the job definition is not valid', zodProblems(parsed.error));
  const input = parsed.data;
  const problems: FieldProblem[] = [];
  const schedule = toSchedule(input.schedule);
  for (const p of scheduleProblems(schedule, context.now)) problems.push({ path: `schedule.${p.path}`, message: p.message });
  if (!context.handlerNames.has(input.handler)) {
    problems.push({ path: 'handler', message: `no handler named "${input.handler}"; registered: ${[...context.handlerNames].join(', ')}` });
  } else {
    problems.push(...(context.payloadProblems?.(input.handler, input.payload) ?? []));
  }
  const startAt = input.startAt === undefined ? undefined : new Date(input.startAt).toISOString();
  const endAt = input.endAt === undefined ? undefined : new Date(input.endAt).toISOString();
  if (startAt && endAt && endAt <= startAt) problems.push({ path: 'endAt', message: 'must be after startAt' });
  const tooLarge = payloadSizeProblem(input.payload);
  if (tooLarge) problems.push(tooLarge);
  if (problems.length > 0) throw new ValidationError('the job definition is not valid', problems);

  const createdAt = context.now.toISOString();
  const bounds = { schedule, createdAt, ...(startAt ? { startAt } : {}), ...(endAt ? { endAt } : {}) };
  const next = nextJobOccurrence(bounds, context.now);
  if (!next)
    throw new ValidationError('the job definition is not valid', [
      { path: 'endAt', message: 'the schedule has no occurrence before endAt' },
    ]);
  return {
    id: context.id,
    name: input.name,
    ...bounds,
    handler: input.handler,
    payload: input.payload,
    status: input.status,
    policy: resolvePolicy({ retry: input.retry, timeout: input.timeout, misfire: input.misfire, overlap: input.overlap }, context.defaults),
    ...(input.maxRuns !== undefined ? { maxRuns: input.maxRuns } : {}),
    runs: 0,
    rev: 1,
    updatedAt: createdAt,
    nextRunAt: next.toISOString(),
  };
}

/** The job definition: what users create over the API, validated with zod. */
import { z } from 'zod';
import { ValidationError, type FieldProblem } from './errors.js';
import { policyInput, resolvePolicy, type JobPolicy } from './retry.js';
import { nextOccurrence, scheduleProblems, type Schedule } from './schedule.js';

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
    payload: z.json().default({}),
    status: z.enum(['active', 'paused']).default('active'),
    retry: policyInput.shape.retry,
    timeout: policyInput.shape.timeout,
  })
  .strict();

export type JobInput = z.input<typeof jobInputSchema>;
export type JobStatus = 'active' | 'paused';

export interface Job {
  id: string;
  name: string;
  schedule: Schedule;
  handler: string;
  payload: unknown;
  status: JobStatus;
  /** Resolved at creation from the input and the configured defaults. */
  policy: JobPolicy;
  createdAt: string;
  updatedAt: string;
  /** The next occurrence the tick has not yet sent; null when the schedule is spent. */
  nextRunAt: string | null;
}

export interface JobCursorUpdate {
  jobId: string;
  expectedNextRunAt: string;
  nextRunAt: string | null;
  updatedAt: string;
}

export function toSchedule(s: z.infer<typeof scheduleInput>): Schedule {
  if (s.cron !== undefined) return { cron: s.cron.trim(), timezone: s.timezone ?? 'UTC' };
  if (s.every !== undefined) return { every: s.every.trim() };
  return { at: new Date(s.at!).toISOString() };
}

export function zodProblems(error: z.ZodError, prefix: (string | number)[] = []): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(body)',
    message: issue.message,
  }));
}

/**
 * Validates raw input and builds a new job. Everything about the input is checked
 * here, including whether the handler exists and whether the schedule can fire.
 */
export function buildJob(raw: unknown, context: { id: string; now: Date; handlerNames: ReadonlySet<string>; defaults: JobPolicy }): Job {
  const parsed = jobInputSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError('the job definition is not valid', zodProblems(parsed.error));
  const input = parsed.data;
  const problems: FieldProblem[] = [];
  const schedule = toSchedule(input.schedule);
  for (const p of scheduleProblems(schedule, context.now)) problems.push({ path: `schedule.${p.path}`, message: p.message });
  if (!context.handlerNames.has(input.handler)) {
    problems.push({ path: 'handler', message: `no handler named "${input.handler}"; registered: ${[...context.handlerNames].join(', ')}` });
  }
  const payloadBytes = new TextEncoder().encode(JSON.stringify(input.payload)).length;
  if (payloadBytes > MAX_PAYLOAD_BYTES) problems.push({ path: 'payload', message: `is ${payloadBytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}` });
  if (problems.length > 0) throw new ValidationError('the job definition is not valid', problems);

  const createdAt = context.now.toISOString();
  const next = nextOccurrence(schedule, context.now, context.now);
  return {
    id: context.id,
    name: input.name,
    schedule,
    handler: input.handler,
    payload: input.payload,
    status: input.status,
    policy: resolvePolicy({ retry: input.retry, timeout: input.timeout }, context.defaults),
    createdAt,
    updatedAt: createdAt,
    nextRunAt: next ? next.toISOString() : null,
  };
}

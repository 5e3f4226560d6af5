/**
 * What the API answers, as zod schemas: they type the handlers and write the
 * OpenAPI document. What it accepts is core's own schemas (the job, the preview,
 * the redrive), so validation and the document cannot drift apart.
 */
import { z } from '@hono/zod-openapi';

export const problemSchema = z.object({ path: z.string(), message: z.string() }).openapi('FieldProblem');

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.array(problemSchema).openapi({ description: 'One entry per field at fault; empty when no field is.' }),
    }),
  })
  .openapi('Error');

const ERROR_DESCRIPTIONS = {
  400: 'The body, query or a header is not valid; `details` names each field.',
  401: 'No API key, or one that is not valid.',
  404: 'No such resource or route.',
  409: 'A conflict: a taken name, a concurrent change.',
  412: 'The `If-Match` version is not the current one.',
  413: 'The body is over the limit.',
  415: 'The body is not JSON (`Content-Type: application/json`).',
  422: 'Understood but not possible (the queue refused the message; an Idempotency-Key sent with another body).',
  429: 'The store is throttling the scheduler; try again in a moment (`Retry-After`).',
  503: 'The store or the queue did not answer; try again (`Retry-After`).',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** What a route that takes a body can answer besides: over the limit (413), not JSON (415). */
export const BODY_ERRORS = [413, 415] as const;

/** The error responses of a route: the ones every /v1 route can give, and its own (BODY_ERRORS for a body). */
export function errors(...own: ErrorStatus[]) {
  const statuses = [...new Set<ErrorStatus>([400, 401, 429, 503, ...own])].sort();
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: errorSchema } } },
    ]),
  ) as Record<ErrorStatus, { description: string; content: { 'application/json': { schema: typeof errorSchema } } }>;
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const idParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'As the API returned it.' }),
});

export const pageQuery = z.object({
  // Digits only: `0x10`, ` 2` and `1e2` are not a limit a client means.
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100'))
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' }, type: 'integer', minimum: 1, maximum: 100, default: 20 }),
  next: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .openapi({ param: { name: 'next', in: 'query' }, description: 'The `next` of the previous page.' }),
});

export const instant = z.string().openapi({ format: 'date-time', example: '2027-01-01T09:00:00.000Z' });

export const scheduleSchema = z
  .union([
    z.object({ cron: z.string(), timezone: z.string() }),
    z.object({ every: z.string().openapi({ example: '90s' }) }),
    z.object({ at: instant }),
  ])
  .openapi('Schedule');

export const policySchema = z
  .object({
    retry: z.object({
      maxAttempts: z.number().int(),
      initialDelayMs: z.number(),
      maxDelayMs: z.number(),
      multiplier: z.number(),
      jitter: z.enum(['full', 'none']),
    }),
    timeoutMs: z.number().int(),
    misfire: z.object({ policy: z.enum(['skip', 'once', 'all']), graceMs: z.number(), maxCatchUp: z.number().int() }),
    overlap: z.enum(['allow', 'skip', 'queue-one']),
  })
  .openapi('Policy');

export const jobSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    schedule: scheduleSchema,
    handler: z.string(),
    payload: z.unknown(),
    status: z.enum(['active', 'paused', 'completed']),
    policy: policySchema,
    startAt: instant.optional(),
    endAt: instant.optional(),
    maxRuns: z.number().int().optional(),
    runs: z.number().int().openapi({ description: 'Occurrences sent; kept current for jobs with `maxRuns` only.' }),
    runsUntil: instant.optional(),
    version: z.number().int().openapi({ description: 'Bumped by every change; send it back as `If-Match` to change only this version.' }),
    pausedAt: instant.optional(),
    note: z.string().optional().openapi({ description: 'What the last pause or resume said of itself (who, why).' }),
    createdAt: instant,
    updatedAt: instant,
    nextRunAt: instant.nullable().openapi({ description: 'The next occurrence from now; null once the schedule is spent.' }),
  })
  .openapi('Job');

const errorShape = z.object({ name: z.string(), message: z.string() });

export const attemptSchema = z
  .object({
    attempt: z.number().int(),
    startedAt: instant,
    finishedAt: instant.optional(),
    durationMs: z.number().optional(),
    status: z
      .enum(['running', 'succeeded', 'failed', 'dead', 'skipped', 'queued', 'lost'])
      .openapi({ description: '`lost`: its worker died before it ended.' }),
    error: errorShape.optional().openapi({ description: 'Cut to 512 characters; the execution’s own `error` is the last in full.' }),
  })
  .openapi('Attempt');

export const executionSchema = z
  .object({
    id: z.string().openapi({ description: 'For GET /v1/executions/{id}; the same as a dead letter’s id.' }),
    jobId: z.string(),
    jobName: z.string(),
    handler: z.string(),
    scheduledFor: instant,
    status: z
      .enum(['pending', 'running', 'succeeded', 'failed', 'dead', 'skipped', 'queued'])
      .openapi({ description: '`pending`: an enqueued task that has not started yet (GET /v1/executions/{id} only).' }),
    attempt: z.number().int(),
    startedAt: instant.optional().openapi({ description: 'When its last attempt started; absent while pending.' }),
    finishedAt: instant.optional(),
    durationMs: z.number().optional(),
    error: z.object({ name: z.string(), message: z.string() }).optional(),
    retryAt: instant.optional(),
    diedAt: instant.optional(),
    deadReason: z.enum(['attempts-exhausted', 'non-retryable', 'max-receives', 'unsendable']).optional(),
    skipReason: z.enum(['misfire', 'paused', 'overlap', 'deleted']).optional(),
    trigger: z
      .object({ by: z.string().optional(), reason: z.string().optional() })
      .optional()
      .openapi({ description: 'A manual run (POST /v1/jobs/{id}/trigger): who asked and why. Absent on a scheduled run.' }),
    expiresAt: instant.optional().openapi({ description: 'When this record goes (final history, after the retention period).' }),
  })
  .openapi('Execution');

export const executionWithAttemptsSchema = executionSchema
  .extend({ attempts: z.array(attemptSchema).openapi({ description: 'Oldest first; the newest 25.' }) })
  .openapi('ExecutionWithAttempts');

export const deadLetterSchema = z
  .object({
    id: z.string(),
    jobId: z.string(),
    jobName: z.string(),
    handler: z.string(),
    scheduledFor: instant,
    attempts: z.number().int(),
    diedAt: instant,
    reason: z.string(),
    error: z.object({ name: z.string(), message: z.string() }).optional(),
    payload: z.unknown(),
  })
  .openapi('DeadLetter');

export const previewOccurrenceSchema = z
  .object({ at: instant, local: z.string().openapi({ example: '2026-03-08T03:00:00-04:00' }) })
  .openapi('PreviewOccurrence');

/** A page of `items` under `key`, with `next` when there is more. */
export function pageOf<K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({ [key]: z.array(item), next: z.string().optional() } as { [P in K]: z.ZodArray<T> } & {
    next: z.ZodOptional<z.ZodString>;
  });
}

const policyInputFormSchema = z
  .object({
    retry: z.object({
      maxAttempts: z.number().int(),
      initialDelay: z.string().openapi({ example: '10s' }),
      maxDelay: z.string().openapi({ example: '15m' }),
      multiplier: z.number(),
      jitter: z.enum(['full', 'none']),
    }),
    timeout: z.string().openapi({ example: '30s' }),
    misfire: z.object({ policy: z.enum(['skip', 'once', 'all']), grace: z.string(), maxCatchUp: z.number().int() }),
    overlap: z.enum(['allow', 'skip', 'queue-one']),
  })
  .openapi('PolicyInput');

export const settingsSchema = z
  .object({
    maxConcurrency: z.number().int().nullable().openapi({ description: 'Handlers running at once across all workers; null: no limit.' }),
    jobDefaults: policyInputFormSchema,
    retentionDays: z.number().int(),
    version: z.number().int().openapi({ description: 'Bumped by every PUT; 0 while none was stored.' }),
    updatedAt: instant.nullable(),
  })
  .openapi('Settings');

export const statusSchema = z
  .object({
    version: z.string(),
    now: instant,
    lastTick: z
      .object({
        startedAt: instant,
        finishedAt: instant,
        durationMs: z.number(),
        sent: z.number().int(),
        slots: z.number().int(),
        recovered: z.number().int(),
        paused: z.boolean().optional().openapi({ description: 'It found the scheduler paused and did nothing.' }),
      })
      .nullable()
      .openapi({ description: 'The last tick that finished; null before the first.' }),
    schedule: z
      .enum(['enabled', 'disabled', 'unknown'])
      .openapi({ description: 'Whether the schedule that runs the tick is on (EventBridge Scheduler on AWS, the local ticker locally).' }),
    pause: z
      .object({
        paused: z.boolean().openapi({ description: 'Whether the scheduler is paused (POST /v1/scheduler/pause).' }),
        since: instant.nullable(),
        by: z.string().nullable(),
        note: z.string().nullable(),
        mismatch: z
          .string()
          .nullable()
          .openapi({ description: 'Set when the pause and the tick schedule disagree: a pause or resume did not finish.' }),
      })
      .openapi({ description: "The scheduler's pause." }),
    backlog: z.object({
      progress: instant.nullable().openapi({ description: 'The next slot the tick works on.' }),
      behindMs: z.number().openapi({ description: 'How far that slot is behind now; 0 when the tick is ahead.' }),
      inbox: z.number().int().openapi({ description: 'New chains waiting for the tick, counted up to 100.' }),
      inboxCapped: z.boolean(),
    }),
  })
  .openapi('Status');

export const healthSchema = z
  .object({ ok: z.boolean(), store: z.enum(['ok', 'failing']), queue: z.enum(['ok', 'failing']) })
  .openapi('Health');

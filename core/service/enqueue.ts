/**
 * One-off work: POST /v1/enqueue runs a handler once, now, after a delay or at an
 * instant however far ahead. It is kept as a task, a one-time job the job list
 * leaves out (core/jobs/job.ts), so the due index carries far instants and the
 * tick, the worker, retries, recovery and the dead-letter queue treat it as any
 * occurrence. Its execution id names the ledger record it will have.
 *
 * `uniqueKey` refuses a second task while the first is not final: the key is
 * locked for the first's execution id, and taken over only once that execution
 * has succeeded, gone dead or been skipped (or never came to be: an enqueue that
 * died after locking, found by the lock's age and the missing task).
 */
import { z } from 'zod';
import { UniqueKeyTakenError, ValidationError, type FieldProblem } from '../kernel/errors.js';
import { parseDuration } from '../kernel/duration.js';
import { zodProblems } from '../kernel/field-problems.js';
import { inInstantRange, instantInput, INSTANT_RANGE_MESSAGE } from '../kernel/instants.js';
import { jsonValue } from '../kernel/json-value.js';
import { deadLetterId, parseDeadLetterId } from '../execution/ledger-record.js';
import type { HandlerRegistry } from '../execution/handlers.js';
import type { ExecutionStore } from '../execution/ports.js';
import { payloadSizeProblem, type Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import { policyInput, resolvePolicy, type JobPolicy } from '../jobs/policies.js';

/** A task and its uniqueKey lock stay this long after its instant: past every retry (20 attempts, 12 h apart at most). */
const TASK_KEEP_MS = 30 * 86_400_000;
/** Longer than any enqueue takes between locking its key and writing its task. */
const ORPHAN_KEY_AGE_MS = 60_000;

export const enqueueRequest = z
  .object({
    handler: z.string().min(1),
    payload: jsonValue.default({}),
    delay: z
      .string()
      .refine((s) => parseDuration(s) !== undefined, 'must be a duration like "0s", "90s", "15m", "2h" or "30d"')
      .optional(),
    at: instantInput.optional(),
    retry: policyInput.shape.retry,
    timeout: policyInput.shape.timeout,
    uniqueKey: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.delay !== undefined && r.at !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give "delay" or "at", not both', path: ['at'] });
  });

export interface EnqueuedTask {
  executionId: string;
  taskId: string;
  scheduledFor: string;
  uniqueKey?: string;
}

export interface EnqueueDeps {
  jobs: JobStore;
  executions: Pick<ExecutionStore, 'get'>;
  handlers: HandlerRegistry;
  newId: () => string;
  jobDefaults: JobPolicy;
}

/** Validates an enqueue and builds its task; throws ValidationError naming each field. */
export function buildTask(
  raw: unknown,
  now: Date,
  deps: Pick<EnqueueDeps, 'handlers' | 'newId' | 'jobDefaults'>,
): { task: Job; uniqueKey?: string } {
  const parsed = enqueueRequest.safeParse(raw);
  if (!parsed.success) throw new ValidationError('the task is not valid', zodProblems(parsed.error));
  const input = parsed.data;
  const problems: FieldProblem[] = [];
  if (!deps.handlers.names().has(input.handler)) {
    problems.push({
      path: 'handler',
      message: `no handler named "${input.handler}"; registered: ${[...deps.handlers.names()].join(', ')}`,
    });
  } else {
    problems.push(...deps.handlers.payloadProblems(input.handler, input.payload));
  }
  const tooLarge = payloadSizeProblem(input.payload);
  if (tooLarge) problems.push(tooLarge);
  const atMs = input.at !== undefined ? Date.parse(input.at) : now.getTime() + (input.delay ? parseDuration(input.delay)! : 0);
  if (input.at !== undefined && atMs < now.getTime())
    problems.push({ path: 'at', message: `is in the past (now is ${now.toISOString()})` });
  if (!inInstantRange(atMs + TASK_KEEP_MS))
    problems.push({ path: input.at !== undefined ? 'at' : 'delay', message: INSTANT_RANGE_MESSAGE });
  if (problems.length > 0) throw new ValidationError('the task is not valid', problems);

  const at = new Date(atMs).toISOString();
  const created = now.toISOString();
  const task: Job = {
    id: deps.newId(),
    kind: 'task',
    name: input.handler,
    schedule: { at },
    handler: input.handler,
    payload: input.payload,
    status: 'active',
    policy: resolvePolicy({ retry: input.retry, timeout: input.timeout }, deps.jobDefaults),
    runs: 0,
    rev: 1,
    createdAt: created,
    updatedAt: created,
    nextRunAt: at,
    expiresAt: new Date(atMs + TASK_KEEP_MS).toISOString(),
  };
  return { task, ...(input.uniqueKey !== undefined ? { uniqueKey: input.uniqueKey } : {}) };
}

export function taskExecutionId(task: Job): string {
  return deadLetterId({ jobId: task.id, scheduledFor: task.nextRunAt! });
}

const FINAL = new Set(['succeeded', 'dead', 'skipped']);

/** Locks the key for the task's execution, taking it over from a holder that is final or never came to be. */
export async function lockUniqueKey(key: string, task: Job, now: Date, deps: Pick<EnqueueDeps, 'jobs' | 'executions'>): Promise<void> {
  const lock = { holder: taskExecutionId(task), lockedAt: now.toISOString(), expiresAt: task.expiresAt! };
  const first = await deps.jobs.lockUniqueKey(key, lock);
  if (first.locked) return;
  const held = parseDeadLetterId(first.holder);
  const record = held && (await deps.executions.get(held.jobId, held.scheduledFor));
  const final = record ? FINAL.has(record.status) : false;
  const orphan =
    !record && (!held || !(await deps.jobs.get(held.jobId))) && now.getTime() - Date.parse(first.lockedAt) >= ORPHAN_KEY_AGE_MS;
  if (!final && !orphan) throw new UniqueKeyTakenError(key, first.holder);
  const second = await deps.jobs.lockUniqueKey(key, lock, first.holder);
  if (!second.locked) throw new UniqueKeyTakenError(key, second.holder);
}

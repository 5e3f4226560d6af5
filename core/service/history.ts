/**
 * The execution history the API shows: listings across jobs and per job (a deleted job's
 * too), one execution with every attempt, and cleanup of old final history. Filters are
 * checked here; the stores only read what they are told.
 */
import { z } from 'zod';
import { JobNotFoundError, ValidationError } from '../kernel/errors.js';
import { zodProblems } from '../kernel/field-problems.js';
import { instantInput, MAX_INSTANT_MS } from '../kernel/instants.js';
import type { Clock, Page } from '../kernel/ports.js';
import { parseExecutionId, type Execution, type ExecutionStatus } from '../execution/ledger-record.js';
import { HISTORY_REACH_DAYS, type ExecutionStore, type HistoryQuery } from '../execution/ports.js';
import type { JobStore } from '../jobs/job-store.js';
import type { SettingsSource } from '../settings/runtime-settings.js';

const DAY_MS = 86_400_000;
/** A listing across jobs has its default upper bound a little past now: records are made at their instant, give or take a clock. */
const AHEAD_MS = 3_600_000;
const EPOCH = '1970-01-01T00:00:00.000Z';

export const EXECUTION_STATUSES = ['running', 'succeeded', 'failed', 'dead', 'skipped', 'queued'] as const satisfies ExecutionStatus[];

export const historyFilters = z.object({
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(EXECUTION_STATUSES, { message: `must be one or more of ${EXECUTION_STATUSES.join(', ')}, comma-separated` })))
    .optional(),
  jobId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be a job id')
    .optional(),
  handler: z.string().min(1).max(128).optional(),
  from: instantInput.optional(),
  to: instantInput.optional(),
});

export type HistoryFilters = z.infer<typeof historyFilters>;

export const cleanupRequest = z.object({ before: instantInput.optional() }).strict();

export interface HistoryDeps {
  executions: ExecutionStore;
  jobs: JobStore;
  clock: Clock;
  runtimeSettings: SettingsSource;
}

/** A task that waits for its instant (or for a worker): no record yet. */
export interface PendingExecution {
  jobId: string;
  jobName: string;
  handler: string;
  scheduledFor: string;
  status: 'pending';
  attempt: 0;
}

export class HistoryService {
  constructor(private readonly deps: HistoryDeps) {}

  /** The bounds and filters of a listing, as the store takes them; a range it cannot answer is a 400 naming `from`. */
  private async query(filters: HistoryFilters, page: { limit: number; next?: string }, jobId?: string): Promise<HistoryQuery> {
    const now = this.deps.clock.now();
    const ofJob = jobId ?? filters.jobId;
    // One job's partition costs nothing to open at the top; across jobs each day bucket is a read.
    const to = filters.to ? new Date(filters.to) : new Date(ofJob ? MAX_INSTANT_MS : now.getTime() + AHEAD_MS);
    const retention = (await this.deps.runtimeSettings.current()).retentionDays;
    // Across jobs the index is walked day by day: by default over what retention keeps.
    const from = filters.from ? new Date(filters.from) : ofJob ? new Date(EPOCH) : new Date(to.getTime() - retention * DAY_MS);
    if (from > to) throw new ValidationError('the range is not valid', [{ path: 'from', message: 'must not be after to' }]);
    if (!ofJob && to.getTime() - from.getTime() > HISTORY_REACH_DAYS * DAY_MS) {
      throw new ValidationError('the range is too long', [
        { path: 'from', message: `must be at most ${HISTORY_REACH_DAYS} days before to (or give a jobId)` },
      ]);
    }
    return {
      ...page,
      from: from.toISOString(),
      to: to.toISOString(),
      now: now.toISOString(),
      ...(ofJob ? { jobId: ofJob } : {}),
      ...(filters.status ? { statuses: [...new Set(filters.status)] } : {}),
      ...(filters.handler !== undefined ? { handler: filters.handler } : {}),
    };
  }

  async list(filters: HistoryFilters, page: { limit: number; next?: string }): Promise<Page<Execution>> {
    return this.deps.executions.listHistory(await this.query(filters, page));
  }

  /**
   * A job's history, kept after the job is deleted: a job that is gone still lists its
   * records; only an id that has neither a job nor a record is unknown.
   */
  async listForJob(jobId: string, filters: HistoryFilters, page: { limit: number; next?: string }): Promise<Page<Execution>> {
    if (!(await this.deps.jobs.get(jobId)) && (await this.deps.executions.listForJob(jobId, { limit: 1 })).items.length === 0) {
      throw new JobNotFoundError(jobId);
    }
    return this.deps.executions.listHistory(await this.query({ ...filters, jobId: undefined }, page, jobId));
  }

  /**
   * One execution, with every attempt; a task's that has not started yet is `pending`
   * (its id was answered by the enqueue, so it is not "not found"); undefined for an
   * id that names none.
   */
  async get(id: string): Promise<Execution | PendingExecution | undefined> {
    const key = parseExecutionId(id);
    if (!key) return undefined;
    const record = await this.deps.executions.get(key.jobId, key.scheduledFor);
    if (record) return record;
    const task = await this.deps.jobs.get(key.jobId);
    if (task?.kind !== 'task' || !('at' in task.schedule) || task.schedule.at !== key.scheduledFor) return undefined;
    return { jobId: task.id, jobName: task.name, handler: task.handler, scheduledFor: key.scheduledFor, status: 'pending', attempt: 0 };
  }

  /** Deletes final history scheduled before `before` (default: what retention would have let go by now). */
  async cleanup(raw: unknown): Promise<{ deleted: number; more: boolean }> {
    const parsed = cleanupRequest.safeParse(raw ?? {});
    if (!parsed.success) throw new ValidationError('the cleanup request is not valid', zodProblems(parsed.error));
    const retention = (await this.deps.runtimeSettings.current()).retentionDays;
    const before = parsed.data.before ? new Date(parsed.data.before) : new Date(this.deps.clock.now().getTime() - retention * DAY_MS);
    return this.deps.executions.deleteFinishedBefore(before.toISOString());
  }
}

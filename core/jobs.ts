/** Use cases behind the job API; the HTTP layer only translates. */
import { JobNotFoundError } from './errors.js';
import type { Execution } from './execution.js';
import type { HandlerRegistry } from './handlers.js';
import { buildJob, type Job } from './job.js';
import type { JobPolicy } from './retry.js';
import { previewFromRequest, previewSchedule, type PreviewOccurrence } from './preview.js';
import type { Clock, ExecutionStore, JobStore, Logger, Page, Queue } from './ports.js';
import { DEFAULT_TICK_SETTINGS, dispatch, type TickSettings } from './tick.js';

export interface JobServiceDeps {
  jobs: JobStore;
  executions: ExecutionStore;
  handlers: HandlerRegistry;
  queue: Queue;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  jobDefaults: JobPolicy;
  tickSettings?: TickSettings;
}

export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  async create(raw: unknown): Promise<Job> {
    const now = this.deps.clock.now();
    const job = buildJob(raw, { id: this.deps.newId(), now, handlerNames: this.deps.handlers.names(), defaults: this.deps.jobDefaults });
    await this.deps.jobs.create(job);
    // The job is stored: that is the create. Sending its first occurrences now is a
    // shortcut; if it fails (or the API dies here) the next tick finds the job
    // through the due index, and the ledger's claim drops anything sent twice.
    try {
      await dispatch([job], now, this.deps, this.deps.tickSettings ?? DEFAULT_TICK_SETTINGS);
      return (await this.deps.jobs.get(job.id)) ?? job;
    } catch (error) {
      this.deps.logger.warn('job created; its first occurrences wait for the next tick', {
        jobId: job.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return job;
    }
  }

  async get(id: string): Promise<Job> {
    const job = await this.deps.jobs.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  list(options: { limit: number; next?: string }): Promise<Page<Job>> {
    return this.deps.jobs.list(options);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.jobs.delete(id))) throw new JobNotFoundError(id);
  }

  preview(raw: unknown): PreviewOccurrence[] {
    return previewFromRequest(raw, this.deps.clock.now());
  }

  async previewJob(id: string, options: { from?: string; count: number }): Promise<PreviewOccurrence[]> {
    const job = await this.get(id);
    const from = options.from ? new Date(options.from) : this.deps.clock.now();
    return previewSchedule(job.schedule, { from, count: options.count, anchor: new Date(job.createdAt) });
  }

  async executions(id: string, options: { limit: number; next?: string }): Promise<Page<Execution>> {
    await this.get(id);
    return this.deps.executions.listForJob(id, options);
  }
}

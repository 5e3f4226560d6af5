/** Use cases behind the job API; the HTTP layer only translates. */
import { ConcurrentUpdateError, JobNotFoundError, ValidationError } from './errors.js';
import { jobOccurrences, nextJobOccurrence } from './job-occurrences.js';
import { applyMisfire, occurrenceOf } from './planner.js';
import { z } from 'zod';
import { zodProblems } from './job.js';
import type { Execution } from './execution.js';
import type { HandlerRegistry } from './handlers.js';
import { buildJob, type Job } from './job.js';
import type { JobPolicy } from './retry.js';
import { previewFromRequest, previewSchedule, type PreviewOccurrence } from './preview.js';
import type { Clock, DispatchLog, ExecutionStore, JobStore, Logger, Page, Queue } from './ports.js';
import { DEFAULT_TICK_SETTINGS, dispatch, type TickSettings } from './tick.js';

export interface JobServiceDeps {
  jobs: JobStore;
  executions: ExecutionStore;
  handlers: HandlerRegistry;
  queue: Queue;
  dispatchLog: DispatchLog;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  jobDefaults: JobPolicy;
  settings?: TickSettings;
}

/** Skip records written per pause or resume; a longer pause records its first ones. */
const MAX_SKIPS_RECORDED = 1_000;

const jobUpdate = z.object({ status: z.enum(['active', 'paused']) }).strict();

export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  async create(raw: unknown): Promise<Job> {
    const now = this.deps.clock.now();
    const job = buildJob(raw, { id: this.deps.newId(), now, handlerNames: this.deps.handlers.names(), defaults: this.deps.jobDefaults });
    await this.deps.jobs.create(job);
    await this.dispatchSoon(job, now);
    return (await this.deps.jobs.get(job.id)) ?? job;
  }

  /**
   * Sends a job's occurrences of the next minute now rather than at the next tick.
   * Only a shortcut: if it fails (or the API dies here) the next tick finds the job
   * through the due index, and the ledger's claim drops anything sent twice.
   */
  private async dispatchSoon(job: Job, now: Date): Promise<void> {
    try {
      await dispatch([job], now, this.deps, this.deps.settings ?? DEFAULT_TICK_SETTINGS);
    } catch (error) {
      this.deps.logger.warn('its next occurrences wait for the next tick', {
        jobId: job.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
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

  /**
   * Pauses or resumes. Occurrences from the pause until the resume are recorded as
   * skipped (reason `paused`), including those already sent when the pause came:
   * their skip record makes the worker drop them.
   */
  async update(id: string, raw: unknown): Promise<Job> {
    const parsed = jobUpdate.safeParse(raw);
    if (!parsed.success) throw new ValidationError('the update is not valid', zodProblems(parsed.error));
    // A tick may move the cursor between our read and our write: read again and retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const job = await this.get(id);
      if (job.status === parsed.data.status) return job;
      if (job.status === 'completed' || job.nextRunAt === null) {
        throw new ValidationError('the job cannot be changed', [{ path: 'status', message: 'the job is completed: its schedule has no more occurrences' }]);
      }
      const changed = parsed.data.status === 'paused' ? await this.pause(job) : await this.resume(job);
      if (changed) return (await this.deps.jobs.get(id)) ?? job;
    }
    throw new ConcurrentUpdateError(`job ${id} kept changing while it was being ${parsed.data.status === 'paused' ? 'paused' : 'resumed'}`);
  }

  private async pause(job: Job): Promise<boolean> {
    const now = this.deps.clock.now();
    const cursor = job.nextRunAt!;
    const ok = await this.deps.jobs.changeStatus({ jobId: job.id, from: 'active', to: 'paused', expectedNextRunAt: cursor, nextRunAt: cursor, updatedAt: now.toISOString() });
    if (ok) {
      // Sent ahead by the tick but not yet run: [now, cursor).
      const sent = [...jobOccurrences(job, new Date(now.getTime() - 1), new Date(cursor), MAX_SKIPS_RECORDED)];
      await this.recordPaused(job, sent, now);
    }
    return ok;
  }

  /**
   * Occurrences missed while paused go through the job's misfire policy, as after
   * downtime (`once` runs the latest now); the ones not run are recorded as skipped.
   */
  private async resume(job: Job): Promise<boolean> {
    const now = this.deps.clock.now();
    const cursor = new Date(job.nextRunAt!);
    const missed = [cursor, ...jobOccurrences(job, cursor, new Date(now.getTime() + 1), MAX_SKIPS_RECORDED - 1)].filter((t) => t <= now);
    const { run, skip } = applyMisfire(missed, job.policy.misfire);
    const left = job.maxRuns === undefined ? Infinity : Math.max(0, job.maxRuns - job.runs);
    const catchUp = run.slice(0, left);
    const spent = job.maxRuns !== undefined && job.runs + catchUp.length >= job.maxRuns;
    const next = spent ? undefined : nextJobOccurrence(job, now);
    const ok = await this.deps.jobs.changeStatus({
      jobId: job.id,
      from: 'paused',
      to: next ? 'active' : 'completed',
      expectedNextRunAt: job.nextRunAt!,
      nextRunAt: next ? next.toISOString() : null,
      addRuns: catchUp.length,
      updatedAt: now.toISOString(),
    });
    if (!ok) return false;
    await this.recordPaused(job, [...skip, ...run.slice(left)], now);
    if (catchUp.length > 0) {
      const at = now.toISOString();
      await this.deps.dispatchLog.record(catchUp.map((t) => ({ jobId: job.id, scheduledFor: t.toISOString(), sentAt: at })), at);
      await this.deps.queue.send(catchUp.map((t) => ({ ...occurrenceOf(job, t), delaySeconds: 0 })));
    }
    if (next) await this.dispatchSoon({ ...job, status: 'active', nextRunAt: next.toISOString(), runs: job.runs + catchUp.length }, now);
    return true;
  }

  private async recordPaused(job: Job, instants: Date[], now: Date): Promise<void> {
    const skips = instants.map((t) => ({ jobId: job.id, scheduledFor: t.toISOString(), jobName: job.name, handler: job.handler, reason: 'paused' as const }));
    await this.deps.executions.recordSkipped(skips, now.toISOString());
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
    const page = await this.deps.executions.listForJob(id, options);
    // The stored message is the ledger's own (for redrive); the dead-letter API shows its payload.
    return { ...page, items: page.items.map(({ occurrence: _message, ...execution }) => execution) };
  }
}

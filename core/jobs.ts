/** Use cases behind the job API; the HTTP layer only translates. */
import { ConcurrentUpdateError, JobNotFoundError, ValidationError } from './errors.js';
import { jobOccurrences, nextJobOccurrence } from './job-occurrences.js';
import { applyMisfire, delayFor, occurrenceOf, planJob } from './planner.js';
import { claimGroupOf, PAUSED_HOLDER, sendFirstAttempts } from './bundle.js';
import { DIRECT_DISPATCH_SLOTS, slotAfter, slotOf } from './due-index.js';
import { z } from 'zod';
import { zodProblems } from './job.js';
import type { Execution } from './execution.js';
import type { HandlerRegistry } from './handlers.js';
import { buildJob, type Job } from './job.js';
import type { JobPolicy } from './retry.js';
import { previewFromRequest, previewSchedule, type PreviewOccurrence } from './preview.js';
import type { BundleClaims, Clock, DispatchLog, DueIndex, ExecutionStore, JobStore, Logger, Page, Queue } from './ports.js';

export interface JobServiceDeps {
  jobs: JobStore;
  executions: ExecutionStore;
  handlers: HandlerRegistry;
  queue: Queue;
  dispatchLog: DispatchLog;
  due: DueIndex;
  claims: BundleClaims;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  jobDefaults: JobPolicy;
}

/** Skip records written per pause or resume; a longer pause records its first ones. */
const MAX_SKIPS_RECORDED = 1_000;

const jobUpdate = z.object({ status: z.enum(['active', 'paused']) }).strict();

export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  /**
   * The job's chain is submitted to the due index before the job is written: a
   * create that dies in between leaves an entry the tick drops, never a job that
   * would not run.
   */
  async create(raw: unknown): Promise<Job> {
    const now = this.deps.clock.now();
    const job = buildJob(raw, { id: this.deps.newId(), now, handlerNames: this.deps.handlers.names(), defaults: this.deps.jobDefaults });
    if (job.status === 'active') await this.submitChain(job, job.rev, job.nextRunAt!, 0, now);
    await this.deps.jobs.create(job);
    if (job.status === 'active') await this.dispatchSoon(job, new Date(job.nextRunAt!), 0, now);
    return this.present(job, now);
  }

  private submitChain(job: Job, rev: number, from: string, runs: number, now: Date): Promise<void> {
    return this.deps.due.submit({ jobId: job.id, rev, from, runs, submittedAt: now.toISOString() });
  }

  /**
   * Sends a job's occurrences of the next minute or two now rather than at the
   * next tick. Only a shortcut: if it fails (or the API dies here) the next tick
   * sends them from the submitted entry, and the ledger's claim drops anything
   * sent twice.
   */
  private async dispatchSoon(job: Job, from: Date, runs: number, now: Date): Promise<void> {
    try {
      const plan = planJob(job, from, runs, new Date(slotAfter(slotOf(now), DIRECT_DISPATCH_SLOTS)), now);
      await sendFirstAttempts(
        plan.send.map((t) => ({ ...occurrenceOf(job, t), delaySeconds: delayFor(t, now) })),
        now.toISOString(),
        this.deps,
      );
    } catch (error) {
      this.deps.logger.warn('its next occurrences wait for the next tick', {
        jobId: job.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }

  /**
   * The job as the API shows it: for an active job, `nextRunAt` is its next
   * occurrence from now on (the stored one is where it stood at its last change).
   */
  private present(job: Job, now: Date): Job {
    if (job.status !== 'active') return job;
    const next = nextJobOccurrence(job, new Date(now.getTime() - 1));
    return { ...job, nextRunAt: next ? next.toISOString() : null };
  }

  async get(id: string): Promise<Job> {
    return this.present(await this.read(id), this.deps.clock.now());
  }

  private async read(id: string): Promise<Job> {
    const job = await this.deps.jobs.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  async list(options: { limit: number; next?: string }): Promise<Page<Job>> {
    const page = await this.deps.jobs.list(options);
    const now = this.deps.clock.now();
    return { ...page, items: page.items.map((job) => this.present(job, now)) };
  }

  /**
   * Pauses or resumes. Occurrences from the pause until the resume are recorded as
   * skipped (reason `paused`), including those already sent when the pause came:
   * their skip record makes the worker drop them.
   */
  async update(id: string, raw: unknown): Promise<Job> {
    const parsed = jobUpdate.safeParse(raw);
    if (!parsed.success) throw new ValidationError('the update is not valid', zodProblems(parsed.error));
    // A tick may complete the job between our read and our write: read again and retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const job = await this.read(id);
      if (job.status === parsed.data.status) return job;
      if (job.status === 'completed' || job.nextRunAt === null) {
        throw new ValidationError('the job cannot be changed', [{ path: 'status', message: 'the job is completed: its schedule has no more occurrences' }]);
      }
      const changed = parsed.data.status === 'paused' ? await this.pause(job) : await this.resume(job);
      if (changed) return this.get(id);
    }
    throw new ConcurrentUpdateError(`job ${id} kept changing while it was being ${parsed.data.status === 'paused' ? 'paused' : 'resumed'}`);
  }

  /**
   * What the tick or the API may already have sent is recorded as skipped (paused),
   * which makes the worker drop it; resuming picks up after it.
   */
  private async pause(job: Job): Promise<boolean> {
    const now = this.deps.clock.now();
    const progress = await this.deps.due.progress();
    const sentUntil = new Date(Math.max(Date.parse(slotAfter(slotOf(now), DIRECT_DISPATCH_SLOTS)), progress ? Date.parse(progress) : 0));
    const resumeFrom = nextJobOccurrence(job, new Date(sentUntil.getTime() - 1));
    const ok = await this.deps.jobs.changeStatus({
      jobId: job.id,
      from: 'active',
      to: 'paused',
      expectedRev: job.rev,
      nextRunAt: resumeFrom ? resumeFrom.toISOString() : null,
      runs: job.runs,
      updatedAt: now.toISOString(),
    });
    if (ok) {
      const sentAhead = [...jobOccurrences(job, new Date(now.getTime() - 1), sentUntil, MAX_SKIPS_RECORDED)];
      // Held in their claim groups for good, so that no delivery runs them; the skip records say why.
      await Promise.all(
        sentAhead.map((at) => this.deps.claims.claim(claimGroupOf({ jobId: job.id, scheduledFor: at.toISOString() }), [job.id], PAUSED_HOLDER, now.toISOString())),
      );
      await this.recordPaused(job, sentAhead, now);
    }
    return ok;
  }

  /**
   * Occurrences missed while paused go through the job's misfire policy, as after
   * downtime (`once` runs the latest now); the ones not run are recorded as skipped.
   * The new chain is submitted before the job turns active (see create).
   */
  private async resume(job: Job): Promise<boolean> {
    const now = this.deps.clock.now();
    const cursor = new Date(job.nextRunAt!);
    const missed = [cursor, ...jobOccurrences(job, cursor, new Date(now.getTime() + 1), MAX_SKIPS_RECORDED - 1)].filter((t) => t <= now);
    const { run, skip } = applyMisfire(missed, job.policy.misfire);
    const left = job.maxRuns === undefined ? Infinity : Math.max(0, job.maxRuns - job.runs);
    const catchUp = run.slice(0, left);
    const runs = job.runs + catchUp.length;
    const spent = job.maxRuns !== undefined && runs >= job.maxRuns;
    const next = spent ? undefined : nextJobOccurrence(job, now);
    if (next) await this.submitChain(job, job.rev + 1, next.toISOString(), runs, now);
    const ok = await this.deps.jobs.changeStatus({
      jobId: job.id,
      from: 'paused',
      to: next ? 'active' : 'completed',
      expectedRev: job.rev,
      nextRunAt: next ? next.toISOString() : null,
      runs,
      updatedAt: now.toISOString(),
    });
    if (!ok) return false;
    await this.recordPaused(job, [...skip, ...run.slice(left)], now);
    if (catchUp.length > 0) {
      await sendFirstAttempts(
        catchUp.map((t) => ({ ...occurrenceOf(job, t), delaySeconds: 0 })),
        now.toISOString(),
        this.deps,
      );
    }
    if (next) await this.dispatchSoon({ ...job, status: 'active', rev: job.rev + 1 }, next, runs, now);
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
    const job = await this.read(id);
    const from = options.from ? new Date(options.from) : this.deps.clock.now();
    return previewSchedule(job.schedule, { from, count: options.count, anchor: new Date(job.createdAt) });
  }

  async executions(id: string, options: { limit: number; next?: string }): Promise<Page<Execution>> {
    await this.read(id);
    const page = await this.deps.executions.listForJob(id, options);
    // The stored message is the ledger's own (for redrive); the dead-letter API shows its payload.
    return { ...page, items: page.items.map(({ occurrence: _message, ...execution }) => execution) };
  }
}

/** Use cases behind the job API; the HTTP layer only translates. */
import { ConcurrentUpdateError, JobNameTakenError, JobNotFoundError, ValidationError, VersionMismatchError } from '../kernel/errors.js';
import { nextJobOccurrence } from '../schedule/fire-times.js';
import { occurrenceOf, planJob } from '../dispatch/planner.js';
import { delayFor } from '../kernel/queue-limits.js';
import { sendFirstAttempts } from '../dispatch/send-first-attempts.js';
import { dueInBacklog, pauseJob, resumeJob, schedulerPaused } from './pause-resume.js';
import { directDispatchUntil, type SubmittedEntry } from '../dispatch/due-index.js';
import { z } from 'zod';
import { changesDefinition, editedDefinition, parseJobPatch, statusNote } from '../jobs/job-edit.js';
import { editJob, type EditResult } from './edit-job.js';
import { triggerJob, type TriggeredRun } from './trigger.js';
import { buildTask, lockUniqueKey, taskExecutionId, type EnqueuedTask } from './enqueue.js';
import type { JobFilter, JobSort } from '../jobs/job-list.js';
import { sortedPage } from './sorted-jobs.js';
import { createOnce, type IdempotentCreate } from './idempotency.js';
import { manualTrigger } from '../execution/occurrence.js';
import { zodProblems } from '../kernel/field-problems.js';
import type { Execution } from '../execution/ledger-record.js';
import type { HandlerCatalogueEntry, HandlerRegistry } from '../execution/handlers.js';
import { buildJob, type Job } from '../jobs/job.js';
import type { JobPolicy } from '../jobs/policies.js';
import type { SettingsSource } from '../settings/runtime-settings.js';
import { previewFromRequest, previewSavedJob, type PreviewOccurrence } from './preview.js';
import type { BundleClaims, ExecutionStore, Queue } from '../execution/ports.js';
import type { Clock, Logger, Page } from '../kernel/ports.js';
import type { DispatchLog, DueIndex } from '../dispatch/ports.js';
import type { JobStore } from '../jobs/job-store.js';
import type { SchedulerPauseStore } from '../settings/scheduler-pause.js';

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
  /** The configured defaults; a process with runtime settings takes them from there instead. */
  jobDefaults: JobPolicy;
  /** The runtime settings (PUT /v1/config): their job defaults apply to jobs created after a change. */
  runtimeSettings?: SettingsSource;
  /** The scheduler's pause: while it is recorded, nothing is sent ahead of the tick (see pause-resume.ts). */
  schedulerPause?: Pick<SchedulerPauseStore, 'get'>;
}

export const statusChangeRequest = z.object({ note: statusNote.optional() }).strict();

export interface ChangeOptions {
  /** The version the caller last saw (If-Match); the change is refused when the job is at another. */
  expectedVersion?: number;
  note?: string;
}

function checkVersion(job: Job, expected: number | undefined): void {
  if (expected !== undefined && job.rev !== expected) throw new VersionMismatchError(job.id, expected, job.rev);
}

export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  /**
   * The job's chain is submitted to the due index before the job is written: a
   * create that dies in between leaves an entry the tick drops, never a job that
   * would not run.
   */
  async create(raw: unknown, options: { id?: string } = {}): Promise<Job> {
    const defaults = await this.jobDefaults();
    const now = this.deps.clock.now();
    const { handlers } = this.deps;
    const job = buildJob(raw, {
      id: options.id ?? this.deps.newId(),
      now,
      handlerNames: handlers.names(),
      payloadProblems: (name, payload) => handlers.payloadProblems(name, payload),
      defaults,
    });
    // The scheduler paused: its first occurrences wait for the tick after the resume.
    const held = job.status === 'active' && (await schedulerPaused(this.deps)) !== undefined;
    const entry = job.status === 'active' ? await this.submitChain(job, job.rev, job.nextRunAt!, 0, now, held) : undefined;
    try {
      await this.deps.jobs.create(job);
    } catch (error) {
      // Refused (the name is taken): a refused request leaves nothing behind, so the entry goes too.
      if (entry && error instanceof JobNameTakenError) await this.deps.due.take([entry]);
      throw error;
    }
    if (job.status === 'active' && !held) await this.dispatchSoon(job, new Date(job.nextRunAt!), 0, now);
    return this.present(job, now);
  }

  /** The defaults for what a job or task leaves out: the runtime settings' (PUT /v1/config), else the configured ones. */
  private async jobDefaults(): Promise<JobPolicy> {
    return this.deps.runtimeSettings ? (await this.deps.runtimeSettings.current()).jobDefaults : this.deps.jobDefaults;
  }

  /** A create sent with an Idempotency-Key: the first answer again for the same key and body (see idempotency.ts). */
  createOnce(raw: unknown, request: IdempotentCreate): Promise<{ job: Job; replayed: boolean }> {
    const now = this.deps.clock.now();
    return createOnce(
      request,
      {
        store: this.deps.jobs,
        now,
        newId: this.deps.newId,
        find: async (id) => {
          const job = await this.deps.jobs.get(id);
          return job && this.present(job, now);
        },
      },
      (id) => this.create(raw, { id }),
    );
  }

  private async submitChain(job: Job, rev: number, from: string, runs: number, now: Date, unsent = false): Promise<SubmittedEntry> {
    const entry: SubmittedEntry = { jobId: job.id, rev, from, runs, submittedAt: now.toISOString(), ...(unsent ? { unsent: true } : {}) };
    await this.deps.due.submit(entry);
    return entry;
  }

  /**
   * Sends a job's occurrences of the next minute or two now rather than at the
   * next tick. Only a shortcut: if it fails (or the API dies here) the next tick
   * sends them from the submitted entry, and the ledger's claim drops anything
   * sent twice.
   */
  private async dispatchSoon(job: Job, from: Date, runs: number, now: Date): Promise<void> {
    try {
      const plan = planJob(job, from, runs, directDispatchUntil(now), now);
      await sendFirstAttempts(
        plan.send.map((t) => ({ ...occurrenceOf(job, t), delaySeconds: delayFor(t, now) })),
        now.toISOString(),
        this.deps,
      );
      // maxRuns: what went out counts, so that a pause before the next tick knows it (see pause.ts).
      if (job.maxRuns !== undefined && plan.runs !== runs) {
        // Spent: it counts up to just after the last one sent.
        const until = plan.next ?? new Date(plan.send.at(-1)!.getTime() + 1);
        await this.deps.jobs.recordRuns(job.id, job.rev, plan.runs, until.toISOString());
      }
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
    // Active: its next occurrence from now. Paused: where a resume now would pick up (the
    // next one after now; see pause.ts). Completed: none.
    if (job.status === 'completed') return job;
    // With maxRuns, the next of the runs it has left (none once all are sent), as the preview shows.
    const next =
      job.maxRuns === undefined
        ? nextJobOccurrence(job, new Date(now.getTime() - 1))
        : previewSavedJob(job, { from: new Date(now.getTime() - 1), count: 1 }).map((o) => new Date(o.at))[0];
    return { ...job, nextRunAt: next ? next.toISOString() : null };
  }

  async get(id: string): Promise<Job> {
    return this.present(await this.read(id), this.deps.clock.now());
  }

  /** A job; a task (enqueued one-off work) is an execution to the API, not a job. */
  private async read(id: string): Promise<Job> {
    const job = await this.deps.jobs.get(id);
    if (!job || job.kind === 'task') throw new JobNotFoundError(id);
    return job;
  }

  /**
   * Runs a handler once (see enqueue.ts). The key is locked first and the chain
   * submitted before the task is written, as a create does: an enqueue that dies
   * half-way leaves an entry the tick drops and a key lock that ages into an orphan.
   */
  async enqueue(raw: unknown): Promise<EnqueuedTask> {
    const now = this.deps.clock.now();
    const { task, uniqueKey } = buildTask(raw, now, { ...this.deps, jobDefaults: await this.jobDefaults() });
    const executionId = taskExecutionId(task);
    if (uniqueKey !== undefined) await lockUniqueKey(uniqueKey, task, now, this.deps);
    let entry: SubmittedEntry | undefined;
    const held = (await schedulerPaused(this.deps)) !== undefined;
    try {
      entry = await this.submitChain(task, task.rev, task.nextRunAt!, 0, now, held);
      await this.deps.jobs.create(task);
    } catch (error) {
      // Refused or failed: what it locked and submitted goes (if this fails too, both age away).
      if (uniqueKey !== undefined) await this.deps.jobs.unlockUniqueKey(uniqueKey, executionId).catch(() => undefined);
      if (entry) await this.deps.due.take([entry]).catch(() => undefined);
      throw error;
    }
    if (!held) await this.dispatchSoon(task, new Date(task.nextRunAt!), 0, now);
    return { executionId, taskId: task.id, scheduledFor: task.nextRunAt!, ...(uniqueKey !== undefined ? { uniqueKey } : {}) };
  }

  /** Filtered in the store; sorted here, over every job that passes the filter (see sorted-jobs.ts). */
  async list(options: { limit: number; next?: string; filter?: JobFilter; sort?: JobSort }): Promise<Page<Job>> {
    const now = this.deps.clock.now();
    if (options.sort) return sortedPage(this.deps.jobs, { ...options, sort: options.sort }, (job) => this.present(job, now));
    const page = await this.deps.jobs.list(options);
    return { ...page, items: page.items.map((job) => this.present(job, now)) };
  }

  /**
   * Changes any field (see edit-job.ts for when a new definition takes effect), then
   * the status if the patch asks for one (see pause-resume.ts). A patch of the status
   * alone is a pause or resume; asking for the status a job has changes nothing.
   */
  async update(id: string, raw: unknown, options: ChangeOptions = {}): Promise<{ job: Job; edit?: Omit<EditResult, 'applied'> }> {
    const patch = parseJobPatch(raw);
    const note = patch.note ?? options.note;
    if (patch.status && !changesDefinition(patch)) return { job: await this.changeStatus(id, patch.status, { ...options, note }) };
    const { handlers } = this.deps;
    for (let attempt = 0; attempt < 3; attempt++) {
      const job = await this.read(id);
      checkVersion(job, options.expectedVersion);
      const edited = editedDefinition(job, patch, {
        now: this.deps.clock.now(),
        handlerNames: handlers.names(),
        payloadProblems: (name, payload) => handlers.payloadProblems(name, payload),
      });
      const { applied, ...edit } = await editJob(job, note === undefined ? edited : { ...edited, note }, this.deps, (j, from, runs, now) =>
        this.dispatchSoon(j, from, runs, now),
      );
      if (!applied) continue;
      const after = await this.read(id);
      const wanted = patch.status;
      if (wanted && after.status !== wanted && after.status !== 'completed')
        return { job: await this.changeStatus(id, wanted, { note }), edit };
      return { job: this.present(after, this.deps.clock.now()), edit };
    }
    throw new ConcurrentUpdateError(`job ${id} kept changing while it was being edited`);
  }

  pause(id: string, options: ChangeOptions = {}): Promise<Job> {
    return this.changeStatus(id, 'paused', options);
  }

  resume(id: string, options: ChangeOptions = {}): Promise<Job> {
    return this.changeStatus(id, 'active', options);
  }

  private async changeStatus(id: string, status: 'active' | 'paused', options: ChangeOptions): Promise<Job> {
    // A tick may complete the job between our read and our write: read again and retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const job = await this.read(id);
      checkVersion(job, options.expectedVersion);
      if (job.status === status) return this.present(job, this.deps.clock.now());
      if (job.status === 'completed') {
        throw new ValidationError('the job cannot be changed', [
          { path: 'status', message: 'the job is completed: its schedule has no more occurrences' },
        ]);
      }
      const changed =
        status === 'paused'
          ? await pauseJob(job, this.deps, options.note)
          : await resumeJob(job, this.deps, (j, from, runs, now) => this.dispatchSoon(j, from, runs, now), options.note);
      if (changed) return this.get(id);
    }
    throw new ConcurrentUpdateError(`job ${id} kept changing while it was being ${status === 'paused' ? 'paused' : 'resumed'}`);
  }

  /**
   * What is already sent still runs. What fell due while the job was active but the
   * tick has not reached (it is behind) will never be sent: recorded as skipped
   * (`deleted`), so that every occurrence of the job's life has its record.
   */
  async delete(id: string, options: Pick<ChangeOptions, 'expectedVersion'> = {}): Promise<void> {
    const job = await this.deps.jobs.get(id);
    if (job?.kind === 'task') throw new JobNotFoundError(id);
    if (job) checkVersion(job, options.expectedVersion);
    if (!job || !(await this.deps.jobs.delete(id))) throw new JobNotFoundError(id);
    if (job.status !== 'active') return;
    // None of them runs, so none counts toward maxRuns: each gets its record, up to now.
    const backlog = dueInBacklog(job, await this.deps.due.progress(), this.deps.clock.now());
    const skips = backlog.map((t) => ({
      jobId: job.id,
      scheduledFor: t.toISOString(),
      jobName: job.name,
      handler: job.handler,
      reason: 'deleted' as const,
    }));
    await this.deps.executions.recordSkipped(skips, this.deps.clock.now().toISOString());
  }

  /** Runs the job once now, recorded as a manual run (see trigger.ts). */
  async trigger(id: string, raw: unknown): Promise<TriggeredRun> {
    const parsed = manualTrigger.safeParse(raw ?? {});
    if (!parsed.success) throw new ValidationError('the trigger is not valid', zodProblems(parsed.error));
    return triggerJob(await this.read(id), parsed.data, this.deps);
  }

  /** Every handler jobs may name, with the payload each takes. */
  handlers(): HandlerCatalogueEntry[] {
    return this.deps.handlers.catalogue();
  }

  preview(raw: unknown): PreviewOccurrence[] {
    return previewFromRequest(raw, this.deps.clock.now());
  }

  async previewJob(id: string, options: { from?: string; count: number }): Promise<PreviewOccurrence[]> {
    const job = await this.read(id);
    const from = options.from ? new Date(options.from) : this.deps.clock.now();
    return previewSavedJob(job, { from, count: options.count });
  }

  /** The newest record of the job's runs (what happened last, or is happening), if any. */
  async lastRun(id: string): Promise<Execution | undefined> {
    const page = await this.deps.executions.listForJob(id, { limit: 1 });
    return page.items[0];
  }

  async executions(id: string, options: { limit: number; next?: string }): Promise<Page<Execution>> {
    await this.read(id);
    const page = await this.deps.executions.listForJob(id, options);
    // The stored message is the ledger's own (for redrive); the dead-letter API shows its payload.
    return { ...page, items: page.items.map(({ occurrence: _message, ...execution }) => execution) };
  }
}

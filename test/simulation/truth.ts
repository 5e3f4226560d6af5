/**
 * What really happened, recorded below the fault decorators: each job as stored,
 * every status it took and when, its deletion, and the runtime's outages. The
 * properties are judged against this, not against what the code under test
 * believes.
 */
import { MemoryJobStore } from '../../adapters/memory/memory-job-store.js';
import type { Job, JobStatus, JobStatusChange } from '../../core/jobs/job.js';
import type { Clock } from '../../core/kernel/ports.js';

export interface JobHistory {
  job: Job;
  /** Status from each instant on, oldest first (the first is the creation). */
  statuses: { at: number; status: JobStatus }[];
  deletedAt?: number;
}

export interface Outage {
  from: number;
  to: number;
}

export class Truth {
  readonly jobs = new Map<string, JobHistory>();
  readonly outages: Outage[] = [];

  /** Status at `t`; undefined before creation or from deletion on. */
  statusAt(jobId: string, t: number): JobStatus | undefined {
    const h = this.jobs.get(jobId);
    if (!h || t < h.statuses[0]!.at || (h.deletedAt !== undefined && t >= h.deletedAt)) return undefined;
    let status: JobStatus | undefined;
    for (const s of h.statuses) if (s.at <= t) status = s.status;
    return status;
  }

  /** True when nothing changed the job (status, deletion) within [from, to]. */
  untouched(jobId: string, from: number, to: number): boolean {
    const h = this.jobs.get(jobId)!;
    const changes = [...h.statuses.slice(1).map((s) => s.at), ...(h.deletedAt !== undefined ? [h.deletedAt] : [])];
    return h.statuses[0]!.at < from && changes.every((t) => t < from || t > to);
  }
}

export class RecordingJobStore extends MemoryJobStore {
  constructor(
    private readonly truth: Truth,
    private readonly clock: Clock,
  ) {
    super();
  }

  override async create(job: Job): Promise<void> {
    await super.create(job);
    this.truth.jobs.set(job.id, { job: structuredClone(job), statuses: [{ at: this.clock.now().getTime(), status: job.status }] });
  }

  override async changeStatus(change: JobStatusChange): Promise<boolean> {
    const ok = await super.changeStatus(change);
    if (ok) this.truth.jobs.get(change.jobId)?.statuses.push({ at: this.clock.now().getTime(), status: change.to });
    return ok;
  }

  override async delete(id: string): Promise<boolean> {
    const ok = await super.delete(id);
    const h = this.truth.jobs.get(id);
    if (ok && h) h.deletedAt = this.clock.now().getTime();
    return ok;
  }
}

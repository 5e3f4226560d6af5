/** In-memory JobStore: the reference the contract suite holds DynamoDB to. */
import { JobNameTakenError } from '../../errors.js';
import type { Job, JobCursorUpdate, JobStatusChange } from '../../job.js';
import type { JobStore, Page } from '../../ports.js';
import { decodeToken, encodeToken } from '../paging.js';

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, Job>();
  /** Counts findDue calls, so tests can see the tick reads only through the index. */
  dueQueries = 0;

  async create(job: Job): Promise<void> {
    for (const existing of this.jobs.values()) if (existing.name === job.name) throw new JobNameTakenError(job.name);
    this.jobs.set(job.id, structuredClone(job));
  }

  async get(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id);
    return job && structuredClone(job);
  }

  async list(options: { limit: number; next?: string }): Promise<Page<Job>> {
    const all = [...this.jobs.values()].sort((a, b) => a.id.localeCompare(b.id));
    const start = decodeToken<number>(options.next) ?? 0;
    const items = all.slice(start, start + options.limit).map((j) => structuredClone(j));
    const end = start + items.length;
    return end < all.length ? { items, next: encodeToken(end) } : { items };
  }

  async delete(id: string): Promise<boolean> {
    return this.jobs.delete(id);
  }

  async findDue(before: Date, limit: number): Promise<Job[]> {
    this.dueQueries++;
    return [...this.jobs.values()]
      .filter((j) => j.status === 'active' && j.nextRunAt !== null && new Date(j.nextRunAt) < before)
      .sort((a, b) => a.nextRunAt!.localeCompare(b.nextRunAt!))
      .slice(0, limit)
      .map((j) => structuredClone(j));
  }

  async advanceCursor(update: JobCursorUpdate): Promise<boolean> {
    const job = this.jobs.get(update.jobId);
    if (!job || job.status !== 'active' || job.nextRunAt !== update.expectedNextRunAt) return false;
    job.nextRunAt = update.nextRunAt;
    job.updatedAt = update.updatedAt;
    job.runs += update.addRuns;
    if (update.nextRunAt === null) job.status = 'completed';
    return true;
  }

  async changeStatus(change: JobStatusChange): Promise<boolean> {
    const job = this.jobs.get(change.jobId);
    if (!job || job.status !== change.from || job.nextRunAt !== change.expectedNextRunAt) return false;
    Object.assign(job, { status: change.to, nextRunAt: change.nextRunAt, updatedAt: change.updatedAt, runs: job.runs + (change.addRuns ?? 0) });
    return true;
  }

  private readonly locks = new Map<string, { holder: string; leaseUntil: string; queued?: string }>();

  async acquireRun(jobId: string, scheduledFor: string, leaseUntil: string, now: string) {
    const lock = this.locks.get(jobId);
    if (lock && lock.holder !== scheduledFor && lock.leaseUntil >= now) return { acquired: false as const, holder: lock.holder };
    this.locks.set(jobId, { ...lock, holder: scheduledFor, leaseUntil });
    return { acquired: true as const };
  }

  async queueRun(jobId: string, occurrence: string): Promise<boolean> {
    const lock = this.locks.get(jobId);
    if (!lock || lock.queued !== undefined) return false;
    lock.queued = occurrence;
    return true;
  }

  async releaseRun(jobId: string, scheduledFor: string): Promise<string | undefined> {
    const lock = this.locks.get(jobId);
    if (!lock || lock.holder !== scheduledFor) return undefined;
    this.locks.delete(jobId);
    return lock.queued;
  }
}

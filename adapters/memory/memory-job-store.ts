/** In-memory JobStore: the reference the contract suite holds DynamoDB to. */
import { JobNameTakenError } from '../../core/kernel/errors.js';
import type { Job, JobStatus, JobStatusChange } from '../../core/jobs/job.js';
import type { IdempotencyRecord, JobStore } from '../../core/jobs/job-store.js';
import { matchesFilter, type JobFilter } from '../../core/jobs/job-list.js';
import type { Page } from '../../core/kernel/ports.js';
import { decodeToken, encodeToken, isOffset } from '../paging.js';

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, Job>();

  private readonly uniqueKeys = new Map<string, { holder: string; lockedAt: string; expiresAt: string }>();

  async create(job: Job): Promise<void> {
    // Tasks take no name lock (their name is their handler's).
    if (job.kind !== 'task')
      for (const existing of this.jobs.values())
        if (existing.kind !== 'task' && existing.name === job.name) throw new JobNameTakenError(job.name);
    this.jobs.set(job.id, structuredClone(job));
  }

  async get(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id);
    return job && structuredClone(job);
  }

  async list(options: { limit: number; next?: string; filter?: JobFilter }): Promise<Page<Job>> {
    const all = [...this.jobs.values()]
      .filter((j) => j.kind !== 'task' && matchesFilter(j, options.filter))
      .sort((a, b) => a.id.localeCompare(b.id));
    const start = decodeToken(options.next, isOffset) ?? 0;
    const items = all.slice(start, start + options.limit).map((j) => structuredClone(j));
    const end = start + items.length;
    return end < all.length ? { items, next: encodeToken(end) } : { items };
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { active: 0, paused: 0, completed: 0 };
    for (const job of this.jobs.values()) if (job.kind !== 'task') counts[job.status]++;
    return counts;
  }

  async delete(id: string): Promise<boolean> {
    // The overlap lock lives on the job (as in DynamoDB, where it is an attribute of the job's item).
    this.locks.delete(id);
    return this.jobs.delete(id);
  }

  async getMany(ids: string[]): Promise<Map<string, Job>> {
    const found = new Map<string, Job>();
    for (const id of ids) {
      const job = this.jobs.get(id);
      if (job) found.set(id, structuredClone(job));
    }
    return found;
  }

  async changeStatus(change: JobStatusChange): Promise<boolean> {
    const job = this.jobs.get(change.jobId);
    if (!job || job.status !== change.from || job.rev !== change.expectedRev) return false;
    Object.assign(job, {
      status: change.to,
      nextRunAt: change.nextRunAt,
      updatedAt: change.updatedAt,
      runs: change.runs,
      rev: job.rev + 1,
    });
    for (const field of ['pausedAt', 'sentUntil', 'heldUntil', 'runsUntil', 'note'] as const) {
      const value = change[field];
      if (value === null) delete job[field];
      else if (value !== undefined) job[field] = value;
    }
    return true;
  }

  async replace(job: Job, expected: { rev: number; name: string }): Promise<boolean> {
    const current = this.jobs.get(job.id);
    if (!current || current.rev !== expected.rev) return false;
    if (job.kind !== 'task')
      for (const other of this.jobs.values())
        if (other.id !== job.id && other.kind !== 'task' && other.name === job.name) throw new JobNameTakenError(job.name);
    this.jobs.set(job.id, structuredClone(job));
    return true;
  }

  private readonly idempotency = new Map<string, IdempotencyRecord>();

  async beginIdempotent(record: IdempotencyRecord, takeOver?: string) {
    const existing = this.idempotency.get(record.key);
    if (existing && !(takeOver !== undefined && existing.startedAt === takeOver && !existing.answer))
      return { begun: false as const, existing: structuredClone(existing) };
    this.idempotency.set(record.key, structuredClone(record));
    return { begun: true as const };
  }

  async finishIdempotent(key: string, jobId: string, answer: Job): Promise<void> {
    const existing = this.idempotency.get(key);
    if (existing?.jobId === jobId) existing.answer = structuredClone(answer);
  }

  async abandonIdempotent(key: string, jobId: string): Promise<void> {
    if (this.idempotency.get(key)?.jobId === jobId && !this.idempotency.get(key)?.answer) this.idempotency.delete(key);
  }

  async lockUniqueKey(key: string, lock: { holder: string; lockedAt: string; expiresAt: string }, takeOverFrom?: string) {
    const current = this.uniqueKeys.get(key);
    if (current && current.holder !== takeOverFrom && current.holder !== lock.holder)
      return { locked: false as const, holder: current.holder, lockedAt: current.lockedAt };
    this.uniqueKeys.set(key, { ...lock });
    return { locked: true as const };
  }

  private readonly reservedInstants = new Set<string>();

  async reserveRunInstant(jobId: string, instant: string): Promise<boolean> {
    const key = `${jobId}@${instant}`;
    if (this.reservedInstants.has(key)) return false;
    this.reservedInstants.add(key);
    return true;
  }

  async unlockUniqueKey(key: string, holder: string): Promise<void> {
    if (this.uniqueKeys.get(key)?.holder === holder) this.uniqueKeys.delete(key);
  }

  async recordRuns(jobId: string, rev: number, runs: number, runsUntil: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job || job.rev !== rev) return false;
    Object.assign(job, { runs, runsUntil });
    return true;
  }

  private readonly locks = new Map<string, { holder: string; leaseUntil: string; queued?: string }>();

  async acquireRun(jobId: string, scheduledFor: string, leaseUntil: string, now: string) {
    // A deleted job has no lock to take: what it had queued runs, as the README promises.
    if (!this.jobs.has(jobId)) return { acquired: true as const };
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

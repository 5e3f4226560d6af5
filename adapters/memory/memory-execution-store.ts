/** In-memory ExecutionStore with the same rules as the DynamoDB one (the contract suite checks both). */
import type {
  ClaimResult,
  DeadArrival,
  Execution,
  ExecutionClaim,
  ExecutionOutcome,
  SkipRecord,
} from '../../core/execution/ledger-record.js';
import { occurrenceKey } from '../../core/execution/occurrence.js';
import type { ExecutionStore, HistoryQuery } from '../../core/execution/ports.js';
import { attemptsOf, finishedAttempts, recordedAttempts, startedAttempt, type StoredAttempt } from '../../core/execution/attempts.js';
import type { Page } from '../../core/kernel/ports.js';
import { decodeToken, encodeToken, isOffset } from '../paging.js';
import { countByStatus, finishedBefore, listHistory } from './memory-history.js';

type StoredExecution = Omit<Execution, 'attempts'> & {
  attempts?: StoredAttempt[];
  redriveId?: string;
  listedDead?: boolean;
  discardedAt?: string;
};

function page<T>(all: T[], options: { limit: number; next?: string }): Page<T> {
  const start = decodeToken(options.next, isOffset) ?? 0;
  const items = all.slice(start, start + options.limit).map((r) => structuredClone(r));
  const end = start + items.length;
  return end < all.length ? { items, next: encodeToken(end) } : { items };
}

function visible(record: StoredExecution): Execution {
  const { redriveId: _r, listedDead: _l, discardedAt: _d, attempts: _a, ...rest } = structuredClone(record);
  return { ...rest, attempts: attemptsOf(record) };
}

export class MemoryExecutionStore implements ExecutionStore {
  private readonly records = new Map<string, StoredExecution>();

  async claim(claim: ExecutionClaim): Promise<ClaimResult> {
    const key = occurrenceKey(claim);
    const existing = this.records.get(key);
    const { redriveId, priorAttempts = 0, ...fields } = claim;
    const revives = existing?.status === 'dead' && redriveId !== undefined && existing.redriveId === redriveId;
    const claimable =
      revives ||
      !existing ||
      (existing.status === 'failed' && !(existing.retryAt && existing.retryAt > claim.startedAt)) ||
      existing.status === 'queued' ||
      (existing.status === 'running' && existing.leaseUntil < claim.startedAt);
    if (!claimable) return { claimed: false, holder: visible(existing) };
    const attempt = (existing?.attempt ?? priorAttempts) + 1;
    const attemptBase = revives ? existing.attempt : existing?.attemptBase;
    const attempts = [...(existing?.attempts ?? []), startedAttempt(claim.startedAt)];
    const record: StoredExecution = {
      ...fields,
      status: 'running',
      attempt,
      attempts,
      ...(attemptBase !== undefined ? { attemptBase } : {}),
    };
    this.records.set(key, record);
    return { claimed: true, execution: visible(record) };
  }

  async recordOutcomes(records: Execution[]): Promise<void> {
    for (const record of records)
      this.records.set(occurrenceKey(record), {
        ...structuredClone(record),
        attempts: recordedAttempts(record),
        ...(record.status === 'dead' ? { listedDead: true } : {}),
      });
  }

  async recordSkipped(skips: SkipRecord[], at: string, options: { overUnfinished?: boolean; expiresAt?: string } = {}): Promise<number> {
    let recorded = 0;
    for (const { reason, ...skip } of skips) {
      const key = occurrenceKey(skip);
      const existing = this.records.get(key);
      const unfinished =
        existing &&
        (existing.status === 'failed' || existing.status === 'queued' || (existing.status === 'running' && existing.leaseUntil < at));
      if (existing && !(options.overUnfinished && unfinished)) continue;
      const expiry = options.expiresAt ? { expiresAt: options.expiresAt } : {};
      this.records.set(key, { ...skip, status: 'skipped', skipReason: reason, attempt: 0, startedAt: at, leaseUntil: at, ...expiry });
      recorded++;
    }
    return recorded;
  }

  async complete(outcome: ExecutionOutcome): Promise<boolean> {
    const record = this.records.get(occurrenceKey(outcome));
    if (!record || record.status !== 'running' || record.attempt !== outcome.attempt) return false;
    const attempts = finishedAttempts(record, outcome);
    const { jobId: _j, scheduledFor: _s, attempt: _a, recordAttempt, ...fields } = outcome;
    delete record.error;
    record.attempts = attempts;
    Object.assign(record, fields, recordAttempt !== undefined ? { attempt: recordAttempt } : {});
    if (outcome.status === 'dead') Object.assign(record, { diedAt: outcome.finishedAt, listedDead: true });
    for (const key of Object.keys(record) as (keyof StoredExecution)[]) if (record[key] === undefined) delete record[key];
    return true;
  }

  async get(jobId: string, scheduledFor: string): Promise<Execution | undefined> {
    const record = this.records.get(occurrenceKey({ jobId, scheduledFor }));
    return record && visible(record);
  }

  async getMany(keys: { jobId: string; scheduledFor: string }[]): Promise<Map<string, Execution>> {
    const found = new Map<string, Execution>();
    for (const key of keys) {
      const record = this.records.get(occurrenceKey(key));
      if (record) found.set(occurrenceKey(key), visible(record));
    }
    return found;
  }

  async listForJob(jobId: string, options: { limit: number; next?: string }): Promise<Page<Execution>> {
    const all = [...this.records.values()].filter((r) => r.jobId === jobId).sort((a, b) => b.scheduledFor.localeCompare(a.scheduledFor));
    return page(all.map(visible), options);
  }

  async listHistory(query: HistoryQuery): Promise<Page<Execution>> {
    const page = listHistory(this.records.values(), query);
    return { ...page, items: page.items.map(visible) };
  }

  async countByStatus(from: string, to: string) {
    return countByStatus(this.records.values(), from, to);
  }

  async deleteFinishedBefore(before: string): Promise<{ deleted: number; more: boolean }> {
    const { doomed, more } = finishedBefore(this.records.values(), before);
    for (const r of doomed) this.records.delete(occurrenceKey(r));
    return { deleted: doomed.length, more };
  }

  async recordArrivalInDeadLetters(arrival: DeadArrival): Promise<boolean> {
    const key = occurrenceKey(arrival);
    const existing = this.records.get(key);
    if (existing && existing.status !== 'running' && existing.status !== 'failed') return false;
    this.records.set(key, {
      ...(existing ?? { attempt: 0, startedAt: arrival.at, leaseUntil: arrival.at }),
      jobId: arrival.jobId,
      scheduledFor: arrival.scheduledFor,
      jobName: arrival.jobName,
      handler: arrival.handler,
      status: 'dead',
      diedAt: arrival.at,
      deadReason: 'max-receives',
      occurrence: arrival.occurrence,
      listedDead: true,
    });
    return true;
  }

  async listDead(options: { limit: number; next?: string }): Promise<Page<Execution>> {
    const all = [...this.records.values()].filter((r) => r.listedDead).sort((a, b) => (b.diedAt ?? '').localeCompare(a.diedAt ?? ''));
    return page(all.map(visible), options);
  }

  async armRedrive(key: { jobId: string; scheduledFor: string }, redriveId: string): Promise<Execution | undefined> {
    const record = this.records.get(occurrenceKey(key));
    if (!record?.listedDead || record.status !== 'dead') return undefined;
    record.redriveId = redriveId;
    return visible(record);
  }

  async discard(key: { jobId: string; scheduledFor: string }, at: string, options: { expiresAt?: string } = {}): Promise<boolean> {
    const record = this.records.get(occurrenceKey(key));
    if (!record?.listedDead || record.status !== 'dead') return false;
    record.listedDead = false;
    record.discardedAt = at;
    if (options.expiresAt) record.expiresAt = options.expiresAt;
    return true;
  }
}

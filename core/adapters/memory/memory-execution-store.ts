/** In-memory ExecutionStore with the same claim rules as the DynamoDB one. */
import type { ClaimResult, Execution, ExecutionClaim, ExecutionOutcome } from '../../execution.js';
import { occurrenceKey } from '../../occurrence.js';
import type { ExecutionStore, Page } from '../../ports.js';
import { decodeToken, encodeToken } from '../paging.js';

export class MemoryExecutionStore implements ExecutionStore {
  private readonly records = new Map<string, Execution>();

  async claim(claim: ExecutionClaim): Promise<ClaimResult> {
    const key = occurrenceKey(claim);
    const existing = this.records.get(key);
    const claimable =
      !existing || existing.status === 'failed' || (existing.status === 'running' && existing.leaseUntil < claim.startedAt);
    if (!claimable) return { claimed: false, holder: structuredClone(existing) };
    const record: Execution = { ...claim, status: 'running', attempt: (existing?.attempt ?? 0) + 1 };
    this.records.set(key, record);
    return { claimed: true, execution: structuredClone(record) };
  }

  async complete(outcome: ExecutionOutcome): Promise<boolean> {
    const record = this.records.get(occurrenceKey(outcome));
    if (!record || record.status !== 'running' || record.attempt !== outcome.attempt) return false;
    const { jobId: _j, scheduledFor: _s, attempt: _a, ...fields } = outcome;
    Object.assign(record, fields);
    return true;
  }

  async get(jobId: string, scheduledFor: string): Promise<Execution | undefined> {
    const record = this.records.get(occurrenceKey({ jobId, scheduledFor }));
    return record && structuredClone(record);
  }

  async listForJob(jobId: string, options: { limit: number; next?: string }): Promise<Page<Execution>> {
    const all = [...this.records.values()]
      .filter((r) => r.jobId === jobId)
      .sort((a, b) => b.scheduledFor.localeCompare(a.scheduledFor));
    const start = decodeToken<number>(options.next) ?? 0;
    const items = all.slice(start, start + options.limit).map((r) => structuredClone(r));
    const end = start + items.length;
    return end < all.length ? { items, next: encodeToken(end) } : { items };
  }
}

/**
 * Retention: final history (succeeded, skipped, a dead letter once discarded) expires
 * `retentionDays` after it finished, through the ledger's TTL. A dead letter not yet
 * redriven or discarded never expires: it is the user's to handle. The rule is here, in
 * one decorator over any ExecutionStore, so neither the executors nor the adapters know it.
 */
import type { SettingsSource } from '../settings/runtime-settings.js';
import type { Execution, ExecutionOutcome, ExecutionStatus, SkipRecord } from './ledger-record.js';
import type { ExecutionStore } from './ports.js';

const DAY_MS = 86_400_000;

/** Statuses that never change again by themselves (dead changes by redrive; it expires once discarded). */
export const FINAL_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'skipped'];

export function expiryOf(finishedAt: string, retentionDays: number): string {
  return new Date(Date.parse(finishedAt) + retentionDays * DAY_MS).toISOString();
}

export function withRetention(store: ExecutionStore, settings: SettingsSource): ExecutionStore {
  const expiry = async (at: string) => expiryOf(at, (await settings.current()).retentionDays);
  const isFinal = (status: ExecutionStatus) => FINAL_STATUSES.includes(status);
  return {
    claim: store.claim.bind(store),
    get: store.get.bind(store),
    getMany: store.getMany.bind(store),
    listForJob: store.listForJob.bind(store),
    listDead: store.listDead.bind(store),
    listHistory: store.listHistory.bind(store),
    countByStatus: store.countByStatus.bind(store),
    deleteFinishedBefore: store.deleteFinishedBefore.bind(store),
    recordArrivalInDeadLetters: store.recordArrivalInDeadLetters.bind(store),
    armRedrive: store.armRedrive.bind(store),
    async complete(outcome: ExecutionOutcome) {
      return store.complete(isFinal(outcome.status) ? { ...outcome, expiresAt: await expiry(outcome.finishedAt) } : outcome);
    },
    async recordOutcomes(records: Execution[]) {
      const days = (await settings.current()).retentionDays;
      return store.recordOutcomes(
        records.map((r) => (isFinal(r.status) && r.finishedAt ? { ...r, expiresAt: expiryOf(r.finishedAt, days) } : r)),
      );
    },
    async recordSkipped(skips: SkipRecord[], at: string, options: { overUnfinished?: boolean } = {}) {
      return store.recordSkipped(skips, at, { ...options, expiresAt: await expiry(at) });
    },
    async discard(key: { jobId: string; scheduledFor: string }, at: string) {
      // Handled now: it goes a retention period after the discard, not after it died.
      return store.discard(key, at, { expiresAt: await expiry(at) });
    },
  };
}

/**
 * Idempotent creates: a client that sends `Idempotency-Key` with a create may send
 * it again (its connection dropped, it timed out) and get the first answer back,
 * not a second job or a 409. The key is recorded before the job is made, with the
 * id the job will have and a fingerprint of the body: the same key with another
 * body is refused (422); while the first is under way a second waits its turn
 * (409); a record left pending by a create that died is settled by looking for its
 * job. Keys are kept for a day.
 */
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from '../kernel/errors.js';
import type { Job } from '../jobs/job.js';
import type { IdempotencyRecord, JobStore } from '../jobs/job-store.js';
import { StoreUnavailableError } from '../kernel/errors.js';

export const IDEMPOTENCY_KEEP_MS = 86_400_000;
/** Longer than any create takes: a pending record older than this belongs to a create that died. */
export const IDEMPOTENCY_STALE_MS = 60_000;

export interface IdempotentCreate {
  key: string;
  fingerprint: string;
}

/**
 * Runs `create` (with the id it must give the job) at most once per key. `find`
 * reads a job by id, to settle a record a dead create left pending.
 */
export async function createOnce(
  request: IdempotentCreate,
  deps: {
    store: Pick<JobStore, 'beginIdempotent' | 'finishIdempotent' | 'abandonIdempotent'>;
    now: Date;
    newId: () => string;
    find: (id: string) => Promise<Job | undefined>;
  },
  create: (id: string) => Promise<Job>,
): Promise<{ job: Job; replayed: boolean }> {
  const record: IdempotencyRecord = {
    key: request.key,
    fingerprint: request.fingerprint,
    jobId: deps.newId(),
    startedAt: deps.now.toISOString(),
    expiresAt: new Date(deps.now.getTime() + IDEMPOTENCY_KEEP_MS).toISOString(),
  };
  let begun = await deps.store.beginIdempotent(record);
  if (!begun.begun) {
    const { existing } = begun;
    if (existing.fingerprint !== request.fingerprint) throw new IdempotencyKeyReusedError(request.key);
    if (existing.answer) return { job: existing.answer, replayed: true };
    // Pending: its create may have made the job and died before keeping the answer.
    const made = await deps.find(existing.jobId);
    if (made) {
      await deps.store.finishIdempotent(request.key, existing.jobId, made);
      return { job: made, replayed: true };
    }
    if (deps.now.getTime() - Date.parse(existing.startedAt) < IDEMPOTENCY_STALE_MS) throw new IdempotencyInProgressError(request.key);
    // Stale, and nothing was made: this request takes it over, with the same job id.
    record.jobId = existing.jobId;
    begun = await deps.store.beginIdempotent(record, existing.startedAt);
    if (!begun.begun) throw new IdempotencyInProgressError(request.key);
  }
  let job: Job;
  try {
    job = await create(record.jobId);
  } catch (error) {
    // Refused: nothing was made, so the key may be sent again (with a body put right). An outage
    // may have made the job all the same: the record stays pending, for the next try to settle.
    if (!(error instanceof StoreUnavailableError)) await deps.store.abandonIdempotent(request.key, record.jobId).catch(() => undefined);
    throw error;
  }
  await deps.store.finishIdempotent(request.key, record.jobId, job);
  return { job, replayed: false };
}

/**
 * Every attempt of an occurrence, kept on its ledger record: a claim appends one
 * (running), the outcome fills it in. Bounded so that a record stays far inside
 * DynamoDB's 400 KB item limit (see MAX_ATTEMPT_ERROR_CHARS for the sum).
 */
import type { Attempt, Execution, ExecutionError, ExecutionOutcome } from './ledger-record.js';

/** The attempts a record keeps: the newest 25 (maxAttempts is at most 20; redrives add more). */
export const MAX_ATTEMPTS_KEPT = 25;

/**
 * An attempt's error is cut to 512 characters (the record's own `error`, the last one, keeps its
 * 8,192): 25 × (512 + 200 characters, at most 3 UTF-8 bytes each, + ~150 bytes) ≈ 57 KB. With
 * the record's error (≤ 25 KB) and a dead record's message (≤ 256 KiB, SQS's limit) an item stays
 * under about 345 KB.
 */
export const MAX_ATTEMPT_ERROR_CHARS = 512;

/** As stored: a claim does not know its attempt's number (the store counts it), so the newest may have none yet. */
export type StoredAttempt = Omit<Attempt, 'attempt'> & { attempt?: number };

/** A record as a store holds it. */
export type WithStoredAttempts = Omit<Execution, 'attempts'> & { attempts?: StoredAttempt[] };

function cutError(error: ExecutionError): ExecutionError {
  const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}… (cut)`);
  return { name: cut(error.name, 200), message: cut(error.message, MAX_ATTEMPT_ERROR_CHARS) };
}

/** What a claim appends. */
export function startedAttempt(startedAt: string): StoredAttempt {
  return { startedAt, status: 'running' };
}

/**
 * Numbers the attempts: only the newest ones can lack a number (claims since the last outcome),
 * and claims count one by one, so they count back from the record's attempt. A running attempt
 * that is not the record's current one was lost (its worker died before it ended).
 */
export function numberedAttempts(stored: StoredAttempt[], record: Pick<Execution, 'attempt' | 'status'>): Attempt[] {
  const numbered = stored.map((a) => ({ ...a }));
  let next = record.attempt;
  for (let i = numbered.length - 1; i >= 0 && numbered[i]!.attempt === undefined; i--) numbered[i]!.attempt = next--;
  return numbered.map((a, i) => {
    const current = i === numbered.length - 1 && record.status === 'running' && a.attempt === record.attempt;
    const attempt: Attempt = { ...a, attempt: a.attempt ?? record.attempt, status: a.status === 'running' && !current ? 'lost' : a.status };
    return attempt;
  });
}

/** A record written before attempts were kept shows its last attempt only. */
export function attemptsOf(record: WithStoredAttempts): Attempt[] {
  if (record.attempts) return numberedAttempts(record.attempts, record).slice(-MAX_ATTEMPTS_KEPT);
  if (record.attempt === 0 || record.status === 'skipped') return [];
  const { attempt, startedAt, finishedAt, durationMs, error } = record;
  const status = record.status === 'queued' ? 'queued' : record.status;
  return [
    {
      attempt,
      startedAt,
      status,
      ...(finishedAt ? { finishedAt } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(error ? { error: cutError(error) } : {}),
    },
  ];
}

/**
 * The attempts once the claimed attempt's outcome is in: its entry filled (a record claimed
 * before attempts were kept gets one; its start is the outcome's finish less its duration),
 * none past the attempt the record keeps (a claim past the budget ran nothing), the newest 25.
 */
export function finishedAttempts(
  record: WithStoredAttempts,
  outcome: Pick<ExecutionOutcome, 'attempt' | 'status' | 'finishedAt' | 'durationMs' | 'error' | 'recordAttempt'>,
): Attempt[] {
  const attempts = record.attempts ? numberedAttempts(record.attempts, { attempt: outcome.attempt, status: 'failed' }) : [];
  let entry = attempts.find((a) => a.attempt === outcome.attempt);
  if (!entry) {
    entry = {
      attempt: outcome.attempt,
      startedAt: new Date(Date.parse(outcome.finishedAt) - outcome.durationMs).toISOString(),
      status: 'running',
    };
    attempts.push(entry);
  }
  Object.assign(entry, { finishedAt: outcome.finishedAt, durationMs: outcome.durationMs, status: outcome.status });
  if (outcome.error) entry.error = cutError(outcome.error);
  else delete entry.error;
  const keep = outcome.recordAttempt ?? outcome.attempt;
  return attempts.filter((a) => a.attempt <= keep).slice(-MAX_ATTEMPTS_KEPT);
}

/** The one attempt of a record written whole (a bundle member's outcome); none for one that never ran. */
export function recordedAttempts(record: Execution): Attempt[] {
  if (record.attempts) return record.attempts.slice(-MAX_ATTEMPTS_KEPT);
  return attemptsOf({ ...record, attempts: undefined });
}

/**
 * Recovery of lost messages. An occurrence is lost when the dispatch log says it
 * was sent, yet long after it should have run (`staleAfterMs` past its instant, its
 * retry time or its lease) the ledger shows nothing finished and nothing running.
 * That happens when a queue loses its messages (the local SQS emulator keeps them
 * in memory). Lost first attempts follow the job's misfire policy; lost retries are
 * sent again. Entries whose occurrences have all finished are removed.
 */
import type { DispatchEntry, DispatchRef } from './dispatch-log.js';
import type { Execution, SkipRecord } from './execution.js';
import { occurrenceKey, type Occurrence } from './occurrence.js';
import { applyMisfire, occurrenceOf } from './planner.js';
import { LEASE_MARGIN_SECONDS, MAX_HANDLER_TIMEOUT_SECONDS } from './limits.js';
import type { Clock, DispatchLog, ExecutionStore, JobStore, Logger, Queue } from './ports.js';

/** A queued occurrence may wait this long for the run ahead of it. */
const LONGEST_RUN_MS = (MAX_HANDLER_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS) * 1000;

export interface RecoverySettings {
  /** How long past due an unfinished occurrence must be before it counts as lost. */
  staleAfterMs: number;
  /** Entries examined per run. */
  maxEntries: number;
}

export const DEFAULT_RECOVERY: RecoverySettings = { staleAfterMs: 5 * 60_000, maxEntries: 20 };

export interface RecoveryDeps {
  jobs: JobStore;
  executions: ExecutionStore;
  queue: Queue;
  dispatchLog: DispatchLog;
  clock: Clock;
  logger: Logger;
}

export interface RecoveryResult {
  entries: number;
  lost: number;
  resent: number;
  skipped: number;
}

type Verdict = 'done' | 'open' | 'lost-first' | 'lost-retry';

function verdict(ref: DispatchRef, record: Execution | undefined, nowMs: number, staleAfterMs: number): Verdict {
  const since = (...instants: (string | undefined)[]) => Math.max(...instants.filter(Boolean).map((t) => Date.parse(t!)));
  if (!record) return nowMs - since(ref.scheduledFor, ref.sentAt) > staleAfterMs ? 'lost-first' : 'open';
  switch (record.status) {
    case 'succeeded':
    case 'dead':
    case 'skipped':
      return 'done';
    case 'failed':
      return nowMs - since(record.retryAt ?? record.finishedAt, ref.sentAt) > staleAfterMs ? 'lost-retry' : 'open';
    case 'queued':
      // Waiting for the job's running occurrence; its release sends it. Stale means that send was lost.
      return nowMs - since(record.finishedAt, ref.sentAt) > staleAfterMs + LONGEST_RUN_MS ? 'lost-retry' : 'open';
    case 'running':
      return nowMs - since(record.leaseUntil, ref.sentAt) > staleAfterMs ? 'lost-retry' : 'open';
  }
}

async function recoverEntry(entry: DispatchEntry, deps: RecoveryDeps, settings: RecoverySettings, now: Date): Promise<RecoveryResult> {
  const nowMs = now.getTime();
  const records = await deps.executions.getMany(entry.refs);
  const open: DispatchRef[] = [];
  const lost = new Map<string, { first: Date[]; retry: Date[] }>();
  for (const ref of entry.refs) {
    const v = verdict(ref, records.get(occurrenceKey(ref)), nowMs, settings.staleAfterMs);
    if (v === 'open') open.push(ref);
    if (v === 'lost-first' || v === 'lost-retry') {
      const group = lost.get(ref.jobId) ?? { first: [], retry: [] };
      (v === 'lost-first' ? group.first : group.retry).push(new Date(ref.scheduledFor));
      lost.set(ref.jobId, group);
    }
  }

  const toSend: Occurrence[] = [];
  const toSkip: SkipRecord[] = [];
  for (const [jobId, group] of lost) {
    const job = await deps.jobs.get(jobId);
    if (!job) {
      deps.logger.warn('lost occurrences of a deleted job are dropped', { jobId, count: group.first.length + group.retry.length });
      continue;
    }
    // First attempts never ran: the misfire policy decides, as after downtime.
    const graceStart = nowMs - job.policy.misfire.graceMs;
    const first = group.first.sort((a, b) => a.getTime() - b.getTime());
    const missed = first.filter((t) => t.getTime() < graceStart);
    const { run, skip } = applyMisfire(missed, job.policy.misfire);
    for (const at of [...run, ...first.slice(missed.length), ...group.retry]) toSend.push(occurrenceOf(job, at));
    for (const at of skip) toSkip.push({ jobId, scheduledFor: at.toISOString(), jobName: job.name, handler: job.handler, reason: 'misfire' });
  }

  await deps.queue.send(toSend);
  await deps.executions.recordSkipped(toSkip, now.toISOString());
  const resent = toSend.map((o) => ({ jobId: o.jobId, scheduledFor: o.scheduledFor, sentAt: now.toISOString() }));
  await deps.dispatchLog.settle(entry, [...open, ...resent]);
  const lostCount = [...lost.values()].reduce((n, g) => n + g.first.length + g.retry.length, 0);
  if (lostCount > 0) deps.logger.warn('recovered lost occurrences', { lost: lostCount, resent: toSend.length, skipped: toSkip.length });
  return { entries: 1, lost: lostCount, resent: toSend.length, skipped: toSkip.length };
}

export async function recoverLost(deps: RecoveryDeps, settings: RecoverySettings = DEFAULT_RECOVERY): Promise<RecoveryResult> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - settings.staleAfterMs).toISOString();
  const total: RecoveryResult = { entries: 0, lost: 0, resent: 0, skipped: 0 };
  for (const entry of await deps.dispatchLog.pending(before, settings.maxEntries)) {
    const r = await recoverEntry(entry, deps, settings, now);
    total.entries += r.entries;
    total.lost += r.lost;
    total.resent += r.resent;
    total.skipped += r.skipped;
  }
  return total;
}

/**
 * Recovery of lost messages. An occurrence is lost when the dispatch log says it
 * was sent, yet long after it should have run (`staleAfterMs` past its instant, its
 * retry time or its lease) the ledger shows nothing finished and nothing running.
 * That happens when a queue loses its messages (the local SQS emulator keeps them
 * in memory). Lost first attempts follow the job's misfire policy; lost retries are
 * sent again. Entries whose occurrences have all finished are removed.
 */
import { bundle } from './bundle.js';
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

interface Lost {
  ref: DispatchRef;
  first: boolean;
}

/**
 * Decides, per job, what of its lost occurrences to send again and what to record
 * as skipped. Grouped over every entry examined: one tick's occurrences can span
 * several entries, and the misfire policy must see them together.
 */
async function resolveLost(lost: Lost[], deps: RecoveryDeps, now: Date): Promise<{ send: Occurrence[]; skip: SkipRecord[] }> {
  const byJob = new Map<string, Lost[]>();
  for (const l of lost) byJob.set(l.ref.jobId, [...(byJob.get(l.ref.jobId) ?? []), l]);
  const send: Occurrence[] = [];
  const skip: SkipRecord[] = [];
  for (const [jobId, group] of byJob) {
    const job = await deps.jobs.get(jobId);
    if (!job) {
      deps.logger.warn('lost occurrences of a deleted job are dropped', { jobId, count: group.length });
      continue;
    }
    // First attempts never ran: the misfire policy decides, as after downtime.
    const graceStart = now.getTime() - job.policy.misfire.graceMs;
    const first = group.filter((l) => l.first).map((l) => new Date(l.ref.scheduledFor)).sort((a, b) => a.getTime() - b.getTime());
    const missed = first.filter((t) => t.getTime() < graceStart);
    const { run, skip: skipped } = applyMisfire(missed, job.policy.misfire);
    const retries = group.filter((l) => !l.first).map((l) => new Date(l.ref.scheduledFor));
    for (const at of [...run, ...first.slice(missed.length), ...retries]) send.push(occurrenceOf(job, at));
    for (const at of skipped) skip.push({ jobId, scheduledFor: at.toISOString(), jobName: job.name, handler: job.handler, reason: 'misfire' });
  }
  return { send, skip };
}

export async function recoverLost(deps: RecoveryDeps, settings: RecoverySettings = DEFAULT_RECOVERY): Promise<RecoveryResult> {
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const before = new Date(nowMs - settings.staleAfterMs).toISOString();
  const entries = await deps.dispatchLog.pending(before, settings.maxEntries);
  if (entries.length === 0) return { entries: 0, lost: 0, resent: 0, skipped: 0 };

  const records = await deps.executions.getMany(entries.flatMap((e) => e.refs));
  const open = new Map<DispatchEntry, DispatchRef[]>();
  const lost: Lost[] = [];
  const lostIn = new Map<string, DispatchEntry>();
  for (const entry of entries) {
    open.set(entry, []);
    for (const ref of entry.refs) {
      const v = verdict(ref, records.get(occurrenceKey(ref)), nowMs, settings.staleAfterMs);
      if (v === 'open') open.get(entry)!.push(ref);
      if (v === 'lost-first' || v === 'lost-retry') {
        lost.push({ ref, first: v === 'lost-first' });
        lostIn.set(occurrenceKey(ref), entry);
      }
    }
  }

  const { send, skip } = await resolveLost(lost, deps, now);
  // First attempts go out in their claim groups again, so that a copy still on its way is caught.
  const firsts = new Set(lost.filter((l) => l.first).map((l) => occurrenceKey(l.ref)));
  await deps.queue.sendBundles(bundle(send.filter((o) => firsts.has(occurrenceKey(o)))));
  await deps.queue.send(send.filter((o) => !firsts.has(occurrenceKey(o))));
  await deps.executions.recordSkipped(skip, now.toISOString());
  // What was sent again stays watched, in the entry it came from.
  for (const o of send) open.get(lostIn.get(occurrenceKey(o))!)!.push({ jobId: o.jobId, scheduledFor: o.scheduledFor, sentAt: now.toISOString() });
  for (const [entry, refs] of open) await deps.dispatchLog.settle(entry, refs);
  if (lost.length > 0) deps.logger.warn('recovered lost occurrences', { lost: lost.length, resent: send.length, skipped: skip.length });
  return { entries: entries.length, lost: lost.length, resent: send.length, skipped: skip.length };
}

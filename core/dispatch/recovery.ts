/**
 * Recovery of lost messages. An occurrence is lost when the dispatch log says it
 * was sent, yet long after it should have run (`staleAfterMs` past its instant, its
 * retry time or its lease) the ledger shows nothing finished and nothing running.
 * That happens when a queue loses its messages (the local SQS emulator keeps them
 * in memory). Lost first attempts follow the job's misfire policy; lost retries are
 * sent again. Entries whose occurrences have all finished are removed.
 */
import { claimGroupOf, HELD_FOR_GOOD, type ClaimHolder } from '../execution/bundle.js';
import { sendFirstAttempts } from './send-first-attempts.js';
import { SendFailedError } from '../kernel/errors.js';
import { inTurns, WRITES_AT_ONCE } from '../kernel/in-turns.js';
import type { DispatchEntry, DispatchRef } from './dispatch-log.js';
import type { Execution, SkipRecord } from '../execution/ledger-record.js';
import { occurrenceKey, type Occurrence } from '../execution/occurrence.js';
import type { Job } from '../jobs/job.js';
import { jobOccurrences, nextJobOccurrence } from '../schedule/fire-times.js';
import { applyMisfire, keptByMisfire, occurrenceOf } from './planner.js';
import { LEASE_MARGIN_SECONDS, MAX_HANDLER_TIMEOUT_SECONDS } from '../kernel/limits.js';
import type { BundleClaims, ExecutionStore, Queue } from '../execution/ports.js';
import type { Clock, Logger } from '../kernel/ports.js';
import type { DispatchLog, DueIndex } from './ports.js';
import type { JobStore } from '../jobs/job-store.js';

/** A queued occurrence may wait this long for the run ahead of it. */
const LONGEST_RUN_MS = (MAX_HANDLER_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS) * 1000;

export interface RecoverySettings {
  /** How long past due an unfinished occurrence must be before it counts as lost. */
  staleAfterMs: number;
  /** Entries examined per page. */
  maxEntries: number;
  /** Pages per run at most: a run ends in bounded time; the next goes on where it stopped. */
  maxPages?: number;
  /**
   * The queue is known to have lost every message sent before this instant: the
   * local runtime's embedded SQS emulator starts empty. What was sent before it and
   * is unfinished is lost at once, whenever it falls due (see recoverFreshQueue).
   */
  queueEmptiedBefore?: string;
  /** Set by recoverFreshQueue only: no tick has run since the start (see there). */
  beforeFirstTick?: boolean;
}

export const DEFAULT_RECOVERY: RecoverySettings = { staleAfterMs: 5 * 60_000, maxEntries: 20, maxPages: 25 };

export interface RecoveryDeps {
  /** The tick's progress tells recovery what the tick has already dealt with. */
  due: Pick<DueIndex, 'progress'>;
  /** A first attempt recovery skips is held in its claim group first, so that a late copy of it cannot run. */
  claims: BundleClaims;
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

/** `open`: not finished, not lost yet; `since` is when its staleness started counting (ms). */
type Verdict = { kind: 'done' } | { kind: 'lost-first' } | { kind: 'lost-retry' } | { kind: 'open'; since: number };

function verdict(ref: DispatchRef, record: Execution | undefined, nowMs: number, settings: RecoverySettings): Verdict {
  const emptied = settings.queueEmptiedBefore !== undefined && ref.sentAt < settings.queueEmptiedBefore;
  const staleAfterMs = emptied ? 0 : settings.staleAfterMs;
  const judge = (lost: Verdict, wait: number, ...instants: (string | undefined)[]): Verdict => {
    const since = Math.max(...instants.filter(Boolean).map((t) => Date.parse(t!))) + wait;
    return nowMs - since > staleAfterMs ? lost : { kind: 'open', since };
  };
  // Its message is gone for sure: lost now, even if it falls due later (it is sent again for its instant).
  if (!record && emptied) return { kind: 'lost-first' };
  if (!record) return judge({ kind: 'lost-first' }, 0, ref.scheduledFor, ref.sentAt);
  switch (record.status) {
    case 'succeeded':
    case 'dead':
    case 'skipped':
      return { kind: 'done' };
    case 'failed':
      return judge({ kind: 'lost-retry' }, 0, record.retryAt ?? record.finishedAt, ref.sentAt);
    case 'queued':
      // Waiting for the job's running occurrence; its release sends it. Stale means that send was lost.
      return judge({ kind: 'lost-retry' }, LONGEST_RUN_MS, record.finishedAt, ref.sentAt);
    case 'running':
      return judge({ kind: 'lost-retry' }, 0, record.leaseUntil, ref.sentAt);
  }
}

interface Lost {
  ref: DispatchRef;
  first: boolean;
  record?: Execution;
}

/**
 * Decides, per job, what of its lost occurrences to send again and what to record
 * as skipped. Grouped over every entry examined: one tick's occurrences can span
 * several entries, and the misfire policy must see them together.
 *
 * One decision per job per outage, and never an older occurrence after a newer: a
 * lost first attempt older than the job's newest ledger record (a later occurrence
 * ran, or the tick or a resume decided it) is superseded and recorded as skipped
 * (`misfire`); the misfire policy weighs only the lost ones after it. A job with `maxRuns` gets every lost first
 * attempt sent again instead: each was counted as one of its runs. Lost retries are
 * always sent again. A paused job's lost first attempts after its pause are left to
 * its resume, which decides what of the paused time runs; those before it are missed
 * (or, with maxRuns, sent again).
 */
async function resolveLost(
  lost: Lost[],
  deps: RecoveryDeps,
  now: Date,
  freshQueue: boolean,
): Promise<{ send: Occurrence[]; skip: SkipRecord[]; gone: SkipRecord[] }> {
  const byJob = new Map<string, Lost[]>();
  for (const l of lost) byJob.set(l.ref.jobId, [...(byJob.get(l.ref.jobId) ?? []), l]);
  const send: Occurrence[] = [];
  const skip: SkipRecord[] = [];
  const gone: SkipRecord[] = [];
  for (const [jobId, group] of byJob) {
    const job = await deps.jobs.get(jobId);
    if (!job) {
      // Nothing is left to send them with (the message lived in the job): each gets its final record.
      deps.logger.warn('lost occurrences of a deleted job are recorded as skipped (deleted)', { jobId, count: group.length });
      gone.push(
        ...group.map((l) => ({
          jobId,
          scheduledFor: l.ref.scheduledFor,
          jobName: l.record?.jobName ?? '(deleted)',
          handler: l.record?.handler ?? '(deleted)',
          reason: 'deleted' as const,
        })),
      );
      continue;
    }
    const skipAs = (at: Date, reason: SkipRecord['reason']) =>
      skip.push({ jobId, scheduledFor: at.toISOString(), jobName: job.name, handler: job.handler, reason });
    const retries = group.filter((l) => !l.first).map((l) => new Date(l.ref.scheduledFor));
    let first = group
      .filter((l) => l.first)
      .map((l) => new Date(l.ref.scheduledFor))
      .sort((a, b) => a.getTime() - b.getTime());
    if (job.status === 'paused' && job.pausedAt) {
      const pausedAt = Date.parse(job.pausedAt);
      // Due before the pause: it fell due while active. With maxRuns it was counted as a run, so it
      // goes again (a pause holds only what comes after it); otherwise it is missed.
      const before = first.filter((t) => t.getTime() <= pausedAt);
      if (job.maxRuns !== undefined) for (const at of before) send.push(occurrenceOf(job, at));
      else for (const at of before) skipAs(at, 'misfire');
      first = [];
    }
    const graceStart = now.getTime() - job.policy.misfire.graceMs;
    // With `all`, a lost catch-up (sent when it was already missed: the tick, a resume or
    // recovery chose to run it) goes again: the policy chose it, and `all` runs older
    // ones after newer by design. Weighing it again against newer records would drop
    // one of the latest `maxCatchUp` and keep older ones.
    const chosen = new Set(
      job.policy.misfire.policy === 'all'
        ? group
            .filter((l) => l.first && Date.parse(l.ref.sentAt) - Date.parse(l.ref.scheduledFor) > job.policy.misfire.graceMs)
            .map((l) => Date.parse(l.ref.scheduledFor))
        : [],
    );
    const caughtUp = first.filter((t) => chosen.has(t.getTime()));
    first = first.filter((t) => !chosen.has(t.getTime()));
    // Counted as runs when they were sent: every one goes again, whatever its age.
    const missed = job.maxRuns === undefined ? first.filter((t) => t.getTime() < graceStart) : [];
    const onTime = first.slice(missed.length);
    const decided =
      missed.length > 0 ? await supersededOf(job, missed, [...first, ...caughtUp], deps, freshQueue ? now : undefined) : new Set<number>();
    const misfire = { ...job.policy.misfire, maxCatchUp: Math.max(0, job.policy.misfire.maxCatchUp - caughtUp.length) };
    const { run, skip: skipped } = applyMisfire(
      missed.filter((t) => !decided.has(t.getTime())),
      misfire,
    );
    for (const at of [...caughtUp, ...run, ...onTime, ...retries]) send.push(occurrenceOf(job, at));
    for (const at of [...missed.filter((t) => decided.has(t.getTime())), ...skipped]) skipAs(at, 'misfire');
  }
  return { send, skip, gone };
}

/** Holds a first attempt that will not run for good, as a pause does (a worker that meets it drops it). */
const SKIPPED_HOLDER: ClaimHolder = { id: 'skipped', leaseUntil: HELD_FOR_GOOD };

/** Occurrence keys now held for good (free before, or already held for good); not those a live delivery holds. */
async function holdForGood(skips: SkipRecord[], at: string, deps: RecoveryDeps): Promise<Set<string>> {
  const held = new Set<string>();
  await inTurns(skips, WRITES_AT_ONCE, async (s) => {
    const claim = await deps.claims.claim(claimGroupOf(s), [s.jobId], SKIPPED_HOLDER, at);
    if (claim.heldElsewhere.length === 0) held.add(occurrenceKey(s));
  });
  return held;
}

/**
 * Missed lost first attempts that a later occurrence of the job supersedes: the
 * job's newest record is later (it ran, or was decided), or the next occurrence is
 * not lost and lies before the tick's progress (the tick sent it or decided it,
 * perhaps a moment ago in this same tick). One lost before a superseded lost one is
 * superseded too.
 */
async function supersededOf(job: Job, missed: Date[], allLost: Date[], deps: RecoveryDeps, freshQueueAt?: Date): Promise<Set<number>> {
  const newest = (await deps.executions.listForJob(job.id, { limit: 1 })).items[0]?.scheduledFor;
  const superseded = new Set<number>();
  if (freshQueueAt) {
    // Before the first tick of a fresh start: every occurrence after a lost one up to now
    // was missed too (lost, or not sent yet, so the tick will judge it). One decision over
    // all of them: a lost one runs only if it is among the latest the policy keeps.
    const keep = keptByMisfire(job.policy.misfire);
    const graceStart = new Date(freshQueueAt.getTime() - job.policy.misfire.graceMs);
    for (const t of missed) {
      const later = [...jobOccurrences(job, t, graceStart, keep)].length;
      if (later >= keep || (newest !== undefined && t.toISOString() < newest)) superseded.add(t.getTime());
    }
    return superseded;
  }
  const progress = await deps.due.progress();
  const lostAt = new Set(allLost.map((t) => t.getTime()));
  for (const t of [...missed].reverse()) {
    const next = nextJobOccurrence(job, t);
    const handled = next !== undefined && !lostAt.has(next.getTime()) && progress !== undefined && next.toISOString() < progress;
    if ((newest !== undefined && t.toISOString() < newest) || handled || (next !== undefined && superseded.has(next.getTime())))
      superseded.add(t.getTime());
  }
  return superseded;
}

/**
 * At the start of a runtime whose queue starts empty (the local runtime's embedded
 * SQS emulator keeps messages in memory), before its first tick: everything sent
 * before the start and unfinished is lost, now. What falls due from now on goes
 * again for its instant; what was missed gets one misfire decision, together with
 * the occurrences the first tick will find missed after it.
 */
export function recoverFreshQueue(
  deps: RecoveryDeps,
  settings: RecoverySettings,
  startedAt: Date,
  decidedAt = deps.clock.now(),
): Promise<RecoveryResult> {
  // Judged as of one instant, however long the pages take (thousands of holds under load): what
  // is on time when the start decides stays on time, and runs, if a little late. The first
  // tick plans the slots before it as of that instant too (TickSettings.judgedAsOf).
  const asOfStart = { ...deps, clock: { now: () => decidedAt } };
  return recoverLost(asOfStart, {
    ...settings,
    staleAfterMs: 0,
    maxPages: 500,
    queueEmptiedBefore: startedAt.toISOString(),
    beforeFirstTick: true,
  });
}

/**
 * Works through the dispatch log's entries older than the staleness window, a page
 * at a time. Every entry examined is settled: removed when nothing in it is open,
 * otherwise filed again as of now, behind the newer entries. So an entry held open
 * (a long retry, a lease) never blocks the ones behind it, and each run makes
 * progress through the whole log, whatever sits at its head.
 */
export async function recoverLost(deps: RecoveryDeps, settings: RecoverySettings = DEFAULT_RECOVERY): Promise<RecoveryResult> {
  const total: RecoveryResult = { entries: 0, lost: 0, resent: 0, skipped: 0 };
  for (let page = 0; page < (settings.maxPages ?? DEFAULT_RECOVERY.maxPages!); page++) {
    const part = await recoverPage(deps, settings);
    total.entries += part.entries;
    total.lost += part.lost;
    total.resent += part.resent;
    total.skipped += part.skipped;
    if (part.entries < settings.maxEntries) break;
  }
  return total;
}

async function recoverPage(deps: RecoveryDeps, settings: RecoverySettings): Promise<RecoveryResult> {
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const before = new Date(nowMs - settings.staleAfterMs).toISOString();
  const entries = await deps.dispatchLog.pending(before, settings.maxEntries);
  if (entries.length === 0) return { entries: 0, lost: 0, resent: 0, skipped: 0 };

  const records = await deps.executions.getMany(entries.flatMap((e) => e.refs));
  const open = new Map<DispatchEntry, { refs: DispatchRef[]; since: number }>();
  const lost: Lost[] = [];
  const lostIn = new Map<string, DispatchEntry>();
  for (const entry of entries) {
    const kept = { refs: [] as DispatchRef[], since: Infinity };
    open.set(entry, kept);
    for (const ref of entry.refs) {
      const v = verdict(ref, records.get(occurrenceKey(ref)), nowMs, settings);
      if (v.kind === 'open') {
        kept.refs.push(ref);
        kept.since = Math.min(kept.since, v.since);
      }
      if (v.kind === 'lost-first' || v.kind === 'lost-retry') {
        // The same occurrence can be logged twice (the API's early send, then the tick): one decision.
        if (lostIn.has(occurrenceKey(ref))) continue;
        const record = records.get(occurrenceKey(ref));
        lost.push({ ref, first: v.kind === 'lost-first', ...(record ? { record } : {}) });
        lostIn.set(occurrenceKey(ref), entry);
      }
    }
  }

  const { send, skip, gone } = await resolveLost(lost, deps, now, settings.beforeFirstTick === true);
  const at = now.toISOString();
  // First attempts go out in their claim groups again, so that a copy still on its way is
  // caught, logged afresh like any first attempt; one the queue refuses is recorded dead.
  const firsts = new Set(lost.filter((l) => l.first).map((l) => occurrenceKey(l.ref)));
  await sendFirstAttempts(
    send.filter((o) => firsts.has(occurrenceKey(o))),
    at,
    deps,
  );
  const retries = send.filter((o) => !firsts.has(occurrenceKey(o)));
  try {
    await deps.queue.send(retries);
  } catch (error) {
    // The queue took them once; refused now, they stay open and are tried again next run.
    if (!(error instanceof SendFailedError)) throw error;
    deps.logger.error('the queue refused lost retries; they are tried again later', { refused: error.refused.length });
  }
  // A message thought lost may only be late (a worker died before claiming it, and SQS
  // shows it again later): hold each first attempt first; one a delivery holds runs there.
  const held = await holdForGood(
    [...skip, ...gone].filter((s) => firsts.has(occurrenceKey(s))),
    at,
    deps,
  );
  const skippable = (s: SkipRecord) => !firsts.has(occurrenceKey(s)) || held.has(occurrenceKey(s));
  await deps.executions.recordSkipped(skip.filter(skippable), at);
  await deps.executions.recordSkipped(gone.filter(skippable), at, { overUnfinished: true });
  for (const s of [...skip, ...gone].filter((x) => !skippable(x))) {
    const kept = open.get(lostIn.get(occurrenceKey(s))!)!;
    kept.refs.push({ jobId: s.jobId, scheduledFor: s.scheduledFor, sentAt: at });
    kept.since = Math.min(kept.since, nowMs);
  }
  // A retry sent again stays watched, in the entry it came from.
  for (const o of retries) {
    const kept = open.get(lostIn.get(occurrenceKey(o))!)!;
    kept.refs.push({ jobId: o.jobId, scheduledFor: o.scheduledFor, sentAt: at });
    kept.since = Math.min(kept.since, nowMs);
  }
  // An entry still open is filed again as of when its first open ref can turn stale: it
  // comes up then, and until then the entries behind it get their turn.
  for (const [entry, kept] of open)
    await deps.dispatchLog.settle(entry, kept.refs, new Date(Number.isFinite(kept.since) ? kept.since : nowMs).toISOString());
  if (lost.length > 0) deps.logger.warn('recovered lost occurrences', { lost: lost.length, resent: send.length, skipped: skip.length });
  return { entries: entries.length, lost: lost.length, resent: send.length, skipped: skip.length + gone.length };
}

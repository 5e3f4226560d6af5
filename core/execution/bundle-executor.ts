/**
 * The worker's rules for a bundle of first attempts: wait for their instant,
 * claim them with one write on their claim group, run the handlers, then write
 * every outcome in one batch. A member another delivery holds is left to it; a
 * member taken over from a delivery whose worker died is run again only if the
 * ledger has no outcome for it. Retries leave the bundle: each goes out as a
 * message of its own, claimed occurrence by occurrence like any retry.
 */
import { claimGroupOf, type Bundle } from './bundle.js';
import type { Execution } from './ledger-record.js';
import {
  afterFailure,
  executeOccurrence,
  runHandler,
  waitForInstant,
  type ExecutionResult,
  type ExecutorDeps,
} from './occurrence-executor.js';
import { LEASE_MARGIN_SECONDS } from '../kernel/limits.js';
import { encodeOccurrence, occurrenceKey, type Occurrence } from './occurrence.js';
import type { BundleClaims } from './ports.js';
import { takeSlots, type HeldSlots } from './concurrency.js';

export interface BundleDeps extends ExecutorDeps {
  claims: BundleClaims;
  queue: ExecutorDeps['queue'] & { sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void> };
}

/** One delivery of a bundle's message: its id tells two deliveries of the same message apart. */
export interface BundleDelivery {
  id: string;
  /**
   * SQS's count of receives of this message, for the log only: SQS counts every
   * receive (each delivery that found a member held and came back), so attempts
   * are never taken from it; they come from the ledger.
   */
  receiveCount?: number;
}

export interface BundleResult {
  ran: number;
  succeeded: number;
  /** Left to another delivery that holds them, to a pause, or already done. */
  dropped: number;
  /** Some member is held by another live delivery: deliver the message again later, to see it finished. */
  comeBack: boolean;
  /** Members left unclaimed for want of a concurrency slot: deliver the message again shortly. */
  waitingForSlots: number;
}

interface Ran {
  occurrence: Occurrence;
  record: Execution;
}

async function runMember(occurrence: Occurrence, attempt: number, leaseUntil: string, deps: BundleDeps): Promise<Ran> {
  const started = deps.clock.now();
  const { error, caught } = await runHandler(occurrence, attempt, deps);
  const finished = deps.clock.now();
  const base: Execution = {
    jobId: occurrence.jobId,
    scheduledFor: occurrence.scheduledFor,
    jobName: occurrence.jobName,
    handler: occurrence.handler,
    status: 'succeeded',
    attempt,
    startedAt: started.toISOString(),
    leaseUntil,
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    ...(occurrence.trigger ? { trigger: occurrence.trigger } : {}),
  };
  if (!error) return { occurrence, record: base };
  const next = afterFailure(occurrence, attempt, caught, deps.random);
  if ('dead' in next) {
    const record: Execution = {
      ...base,
      status: 'dead',
      error,
      diedAt: base.finishedAt,
      deadReason: next.dead,
      occurrence: encodeOccurrence(occurrence),
    };
    return { occurrence, record };
  }
  return { occurrence, record: { ...base, status: 'failed', error, retryAt: new Date(finished.getTime() + next.delayMs).toISOString() } };
}

/**
 * Members that take the single path, claimed occurrence by occurrence in the
 * ledger: those whose job has an overlap policy (they need the job's lock), and
 * those taken over from a delivery whose worker died (`priorAttempts` 1: that
 * delivery's attempt left no record, as a bundle writes its outcomes at the end).
 */
async function runSingly(
  singles: { occurrence: Occurrence; priorAttempts: number }[],
  deps: BundleDeps,
): Promise<{ results: ExecutionResult[]; comeBack: boolean }> {
  // Their slots were taken with the bundle's.
  const results = await Promise.all(
    singles.map((s) => executeOccurrence(s.occurrence, deps, { priorAttempts: s.priorAttempts, slotHeld: true })),
  );
  const retries = singles.filter((_, i) => results[i]!.kind === 'retry').map((s) => s.occurrence);
  // The ledger holds each retry until its time; the message only has to exist.
  if (retries.length > 0) await deps.queue.send(retries.map((o) => ({ ...o, delaySeconds: 0 })));
  for (const [i, r] of results.entries()) if (r.kind === 'dead') await deps.queue.sendToDeadLetters(singles[i]!.occurrence, r.reason);
  return { results, comeBack: results.some((r) => r.kind === 'in-progress') };
}

export async function executeBundle(bundle: Bundle, delivery: BundleDelivery, deps: BundleDeps): Promise<BundleResult> {
  // A member outside the group, or one that comes twice, is not this bundle's to run (a bundle() never sends one).
  const members = [...new Map(bundle.occurrences.filter((o) => claimGroupOf(o) === bundle.group).map((o) => [o.jobId, o])).values()];
  if (members.length !== bundle.occurrences.length)
    deps.logger.error('bundle members outside their claim group or repeated were dropped', { group: bundle.group });
  const instant = members[0]?.scheduledFor;
  if (!instant) return { ran: 0, succeeded: 0, dropped: 0, comeBack: false, waitingForSlots: 0 };
  await waitForInstant(Date.parse(instant), deps);

  const longest = Math.max(0, ...members.map((o) => o.timeoutMs));
  // Slots before the claim: a member claimed without one would be held, and counted, for nothing.
  const slots = await takeSlots(members.length, delivery.id, longest, deps);
  if (slots.count === 0) return { ran: 0, succeeded: 0, dropped: 0, comeBack: true, waitingForSlots: members.length };
  try {
    const { candidates, waiting } =
      slots.count < members.length ? await shareSlots(members, slots, deps) : { candidates: members, waiting: 0 };
    const result = await claimAndRun(bundle, candidates, delivery, slots, deps);
    return { ...result, comeBack: result.comeBack || waiting > 0, waitingForSlots: waiting };
  } finally {
    await slots.release();
  }
}

/**
 * Fewer slots than members: the first ones still open take them, the rest wait for
 * the message's next delivery, unclaimed. Members an earlier delivery of this message
 * already finished (their outcome is in the ledger) need no slot.
 */
async function shareSlots(
  members: Occurrence[],
  slots: HeldSlots,
  deps: BundleDeps,
): Promise<{ candidates: Occurrence[]; waiting: number }> {
  const records = await deps.executions.getMany(members);
  const open = members.filter((o) => (records.get(occurrenceKey(o))?.status ?? 'running') === 'running');
  return { candidates: open.slice(0, slots.count), waiting: Math.max(0, open.length - slots.count) };
}

async function claimAndRun(
  bundle: Bundle,
  candidates: Occurrence[],
  delivery: BundleDelivery,
  slots: HeldSlots,
  deps: BundleDeps,
): Promise<Omit<BundleResult, 'waitingForSlots'>> {
  if (candidates.length === 0) return { ran: 0, succeeded: 0, dropped: 0, comeBack: false };

  // Every member is claimed in its group, including those that go on singly: the
  // group is where a pause holds what was sent ahead.
  const now = deps.clock.now();
  const longest = Math.max(0, ...candidates.map((o) => o.timeoutMs));
  const leaseUntil = new Date(now.getTime() + longest + LEASE_MARGIN_SECONDS * 1000).toISOString();
  const claim = await deps.claims.claim(
    bundle.group,
    candidates.map((o) => o.jobId),
    { id: delivery.id, leaseUntil },
    now.toISOString(),
  );
  const taken = new Set(claim.taken);
  const takenOver = new Set(claim.takenOver);

  // An earlier delivery held these and its worker is gone: what it left without an outcome goes on singly.
  const regained = new Set(claim.regained);
  const lookUp = candidates.filter((o) => takenOver.has(o.jobId) || regained.has(o.jobId));
  const overRecords = lookUp.length > 0 ? await deps.executions.getMany(lookUp) : new Map<string, Execution>();
  const unfinished = (o: Occurrence) => {
    const record = overRecords.get(occurrenceKey(o));
    return !record || record.status === 'running';
  };
  const singles = [
    ...candidates.filter((o) => takenOver.has(o.jobId) && unfinished(o)).map((occurrence) => ({ occurrence, priorAttempts: 1 })),
    ...candidates
      .filter((o) => taken.has(o.jobId) && !takenOver.has(o.jobId) && (o.overlap ?? 'allow') !== 'allow')
      .map((occurrence) => ({ occurrence, priorAttempts: 0 })),
  ];
  // One that failed there may have died before its retry went out (outcomes are written first):
  // send it again; the ledger holds a retry until its time, so a copy too many changes nothing.
  const failedThere = candidates.filter((o) => takenOver.has(o.jobId) && overRecords.get(occurrenceKey(o))?.status === 'failed');
  if (failedThere.length > 0) await deps.queue.send(failedThere.map((o) => ({ ...o, delaySeconds: 0 })));
  // A regained member with a record was finished by whoever held it before: left alone.
  const plain = candidates.filter(
    (o) =>
      taken.has(o.jobId) &&
      !takenOver.has(o.jobId) &&
      !(regained.has(o.jobId) && overRecords.has(occurrenceKey(o))) &&
      (o.overlap ?? 'allow') === 'allow',
  );
  // Members that run nothing here (held elsewhere, done) give their slots back at once.
  await slots.keep(singles.length + plain.length);
  const singleRun = runSingly(singles, deps);
  // Awaited below; if the plain members' bookkeeping throws first, its failure must not go unheard as an unhandled rejection.
  singleRun.catch(() => undefined);
  const ran = await Promise.all(plain.map((o) => runMember(o, 1, leaseUntil, deps)));

  // Outcomes first, then the retries and dead letters: a retry's message that came
  // before its record would find nothing in the ledger and run at once, whatever the
  // backoff. A worker that dies in between leaves a failed record whose retry
  // recovery sends (core/dispatch/recovery.ts).
  await deps.executions.recordOutcomes(ran.map((r) => r.record));
  const failed = ran.filter((r) => r.record.status === 'failed');
  const dead = ran.filter((r) => r.record.status === 'dead');
  if (failed.length > 0) await deps.queue.send(failed.map((r) => ({ ...r.occurrence, delaySeconds: 0 })));
  for (const r of dead) await deps.queue.sendToDeadLetters(r.occurrence, r.record.deadReason!);
  for (const r of [...failed, ...dead]) {
    deps.logger.warn(r.record.status === 'dead' ? 'execution dead' : 'execution failed; will retry', {
      jobId: r.record.jobId,
      jobName: r.record.jobName,
      scheduledFor: r.record.scheduledFor,
      attempt: r.record.attempt,
      error: r.record.error,
      ...(r.record.retryAt ? { retryAt: r.record.retryAt } : { reason: r.record.deadReason }),
    });
  }

  // A member held elsewhere is still running there unless the ledger already has its outcome.
  // One a pause holds is left to the resume, which decides what of the paused time runs.
  const held = candidates.filter((o) => claim.heldElsewhere.includes(o.jobId));
  const heldOutcomes = held.length > 0 ? await deps.executions.getMany(held) : new Map<string, Execution>();
  const stillRunning = held.some((o) => !heldOutcomes.has(occurrenceKey(o)));

  const singleDone = await singleRun;
  const succeeded =
    ran.filter((r) => r.record.status === 'succeeded').length + singleDone.results.filter((r) => r.kind === 'succeeded').length;
  const result = {
    ran: ran.length + singles.length,
    succeeded,
    dropped: candidates.length - ran.length - singles.length,
    comeBack: stillRunning || singleDone.comeBack,
  };
  deps.logger.info('bundle finished', {
    group: bundle.group,
    members: candidates.length,
    receiveCount: delivery.receiveCount,
    pausedHeld: claim.heldByPause.length,
    ...result,
  });
  return result;
}

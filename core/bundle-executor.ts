/**
 * The worker's rules for a bundle of first attempts: wait for their instant,
 * claim them with one write on their claim group, run the handlers, then write
 * every outcome in one batch. A member another delivery holds is left to it; a
 * member taken over from a delivery whose worker died is run again only if the
 * ledger has no outcome for it. Retries leave the bundle: each goes out as a
 * message of its own, claimed occurrence by occurrence like any retry.
 */
import { claimGroupOf, type Bundle } from './bundle.js';
import type { Execution } from './execution.js';
import { afterFailure, executeOccurrence, runHandler, waitForInstant, type ExecutionResult, type ExecutorDeps } from './executor.js';
import { LEASE_MARGIN_SECONDS } from './limits.js';
import { encodeOccurrence, occurrenceKey, type Occurrence } from './occurrence.js';
import type { BundleClaims } from './ports.js';

export interface BundleDeps extends ExecutorDeps {
  claims: BundleClaims;
  queue: ExecutorDeps['queue'] & { sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void> };
}

/** One delivery of a bundle's message: its id tells two deliveries of the same message apart. */
export interface BundleDelivery {
  id: string;
  /** The queue's count of deliveries of this message (1 the first time). */
  receiveCount: number;
}

export interface BundleResult {
  ran: number;
  succeeded: number;
  /** Left to another delivery that holds them, or already done. */
  dropped: number;
  /** Some member is held by another live delivery: deliver the message again later, to see it finished. */
  comeBack: boolean;
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
  };
  if (!error) return { occurrence, record: base };
  const next = afterFailure(occurrence, attempt, caught, deps.random);
  if ('dead' in next) {
    const record: Execution = { ...base, status: 'dead', error, diedAt: base.finishedAt, deadReason: next.dead, occurrence: encodeOccurrence(occurrence) };
    return { occurrence, record };
  }
  return { occurrence, record: { ...base, status: 'failed', error, retryAt: new Date(finished.getTime() + next.delayMs).toISOString() } };
}

/** Members whose job has an overlap policy take the single path: they need the job's lock. */
async function runGuarded(guarded: Occurrence[], deps: BundleDeps): Promise<{ results: ExecutionResult[]; comeBack: boolean }> {
  const results = await Promise.all(guarded.map((o) => executeOccurrence(o, deps)));
  const retries = guarded.filter((_, i) => results[i]!.kind === 'retry');
  // The ledger holds each retry until its time; the message only has to exist.
  if (retries.length > 0) await deps.queue.send(retries.map((o) => ({ ...o, delaySeconds: 0 })));
  for (const [i, r] of results.entries()) if (r.kind === 'dead') await deps.queue.sendToDeadLetters(guarded[i]!, r.reason);
  return { results, comeBack: results.some((r) => r.kind === 'in-progress') };
}

export async function executeBundle(bundle: Bundle, delivery: BundleDelivery, deps: BundleDeps): Promise<BundleResult> {
  // A member outside the group, or one that comes twice, is not this bundle's to run (a bundle() never sends one).
  const members = [...new Map(bundle.occurrences.filter((o) => claimGroupOf(o) === bundle.group).map((o) => [o.jobId, o])).values()];
  if (members.length !== bundle.occurrences.length) deps.logger.error('bundle members outside their claim group or repeated were dropped', { group: bundle.group });
  const instant = members[0]?.scheduledFor;
  if (!instant) return { ran: 0, succeeded: 0, dropped: 0, comeBack: false };
  await waitForInstant(Date.parse(instant), deps);

  const guarded = members.filter((o) => (o.overlap ?? 'allow') !== 'allow');
  const plain = members.filter((o) => (o.overlap ?? 'allow') === 'allow');
  const guardedRun = runGuarded(guarded, deps);

  const now = deps.clock.now();
  const longest = Math.max(0, ...plain.map((o) => o.timeoutMs));
  const leaseUntil = new Date(now.getTime() + longest + LEASE_MARGIN_SECONDS * 1000).toISOString();
  const claim = plain.length > 0 ? await deps.claims.claim(bundle.group, plain.map((o) => o.jobId), { id: delivery.id, leaseUntil }, now.toISOString()) : undefined;
  const taken = new Set(claim?.taken ?? []);
  let runnable = plain.filter((o) => taken.has(o.jobId));
  const takenOver = new Set(claim?.takenOver ?? []);
  if (takenOver.size > 0) {
    // An earlier delivery held these and its worker is gone: run only what it left without an outcome.
    const records = await deps.executions.getMany(runnable.filter((o) => takenOver.has(o.jobId)));
    runnable = runnable.filter((o) => !records.has(occurrenceKey(o)));
  }
  const attemptOf = (o: Occurrence) => (takenOver.has(o.jobId) ? Math.max(2, delivery.receiveCount) : 1);
  const ran = await Promise.all(runnable.map((o) => runMember(o, attemptOf(o), leaseUntil, deps)));

  // Retries and dead letters go out before the outcomes are written: a worker that dies in
  // between runs the member again on redelivery, but never leaves a failure without its retry.
  const failed = ran.filter((r) => r.record.status === 'failed');
  if (failed.length > 0) await deps.queue.send(failed.map((r) => ({ ...r.occurrence, delaySeconds: 0 })));
  for (const r of ran.filter((r) => r.record.status === 'dead')) await deps.queue.sendToDeadLetters(r.occurrence, r.record.deadReason!);
  await deps.executions.recordOutcomes(ran.map((r) => r.record));
  for (const r of [...failed, ...ran.filter((r) => r.record.status === 'dead')]) {
    deps.logger.warn(r.record.status === 'dead' ? 'execution dead' : 'execution failed; will retry', {
      jobId: r.record.jobId,
      jobName: r.record.jobName,
      scheduledFor: r.record.scheduledFor,
      attempt: r.record.attempt,
      error: r.record.error,
      ...(r.record.retryAt ? { retryAt: r.record.retryAt } : { reason: r.record.deadReason }),
    });
  }

  // A member held elsewhere is still running there unless the ledger already has its outcome (or a pause's skip).
  const held = plain.filter((o) => claim?.heldElsewhere.includes(o.jobId));
  const heldOutcomes = held.length > 0 ? await deps.executions.getMany(held) : new Map();
  const stillRunning = held.some((o) => !heldOutcomes.has(occurrenceKey(o)));

  const guardedDone = await guardedRun;
  const succeeded = ran.filter((r) => r.record.status === 'succeeded').length + guardedDone.results.filter((r) => r.kind === 'succeeded').length;
  const result: BundleResult = {
    ran: ran.length + guarded.length,
    succeeded,
    dropped: plain.length - ran.length,
    comeBack: stillRunning || guardedDone.comeBack,
  };
  deps.logger.info('bundle finished', { group: bundle.group, members: members.length, ...result });
  return result;
}

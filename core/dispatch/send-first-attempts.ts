/**
 * Sending first attempts: logged in the dispatch log first, then sent in bundles
 * (execution/bundle.ts), with what the queue refuses recorded dead in the ledger.
 * Every sender of first attempts (the tick, recovery, the API, a resume) sends
 * them through here.
 */
import { SendFailedError, type RefusedMessage } from '../kernel/errors.js';
import { bundle, claimGroupOf, type Bundle } from '../execution/bundle.js';
import type { Execution } from '../execution/ledger-record.js';
import { encodeOccurrence, occurrenceKey, type Occurrence } from '../execution/occurrence.js';
import type { ExecutionStore, Queue } from '../execution/ports.js';
import type { DispatchLog } from './ports.js';
import type { Job } from '../jobs/job.js';
import { delayFor } from '../kernel/queue-limits.js';
import { occurrenceOf } from './planner.js';

/** A first attempt the queue refused, even alone in its message, and why. */
export interface Unsendable {
  occurrence: Occurrence;
  code: string;
  message: string;
}

/** Sends bundles; returns what the queue refused for its content. Anything else it throws (an outage fails the caller, who repeats). */
async function refusedBundles(queue: Queue, bundles: Bundle[]): Promise<RefusedMessage[]> {
  try {
    await queue.sendBundles(bundles);
    return [];
  } catch (error) {
    if (error instanceof SendFailedError) return error.refused;
    throw error;
  }
}

/** The ledger's record of a first attempt that never went out: dead, listed, with the queue's answer. */
function unsendableRecord(u: Unsendable, at: string): Execution {
  const { jobId, scheduledFor, jobName, handler } = u.occurrence;
  return {
    jobId,
    scheduledFor,
    jobName,
    handler,
    status: 'dead',
    // It never ran; a redrive counts its attempts from 1.
    attempt: 0,
    startedAt: at,
    leaseUntil: at,
    finishedAt: at,
    durationMs: 0,
    error: { name: u.code, message: `the queue refused its message: ${u.message}` },
    diedAt: at,
    deadReason: 'unsendable',
    occurrence: encodeOccurrence(u.occurrence),
  };
}

/**
 * Sends first attempts in bundles, logged in the dispatch log first, so that a
 * message the queue loses can be found again (core/dispatch/recovery.ts). What one job's
 * occurrence does must not hold back the others: a bundle the queue refuses goes
 * again member by member, and a member refused alone is recorded dead
 * (`unsendable`) in the ledger, where the API shows it, and returned. An outage
 * still throws, so that the caller repeats the whole send.
 */
export async function sendFirstAttempts(
  occurrences: Occurrence[],
  at: string,
  deps: { dispatchLog: DispatchLog; queue: Queue; executions: Pick<ExecutionStore, 'getMany' | 'recordOutcomes'> },
): Promise<Unsendable[]> {
  await deps.dispatchLog.record(
    occurrences.map((o) => ({ jobId: o.jobId, scheduledFor: o.scheduledFor, sentAt: at })),
    at,
  );
  const byKey = new Map(occurrences.map((o) => [occurrenceKey(o), o]));
  const refused = await refusedBundles(deps.queue, bundle(occurrences));
  const shared = refused.filter((r) => r.keys.length > 1).flatMap((r) => r.keys.map((k) => byKey.get(k)!));
  const refusedAlone = [
    ...refused.filter((r) => r.keys.length === 1),
    ...(shared.length > 0
      ? await refusedBundles(
          deps.queue,
          shared.map((o) => ({ group: claimGroupOf(o), occurrences: [o] })),
        )
      : []),
  ];
  const unsendable = refusedAlone.map((r) => ({ occurrence: byKey.get(r.keys[0]!)!, code: r.code, message: r.message }));
  if (unsendable.length === 0) return [];
  // An occurrence with a record already (a repeated send of one that ran) keeps it.
  const recorded = await deps.executions.getMany(unsendable.map((u) => u.occurrence));
  await deps.executions.recordOutcomes(
    unsendable.filter((u) => !recorded.has(occurrenceKey(u.occurrence))).map((u) => unsendableRecord(u, at)),
  );
  return unsendable;
}

/**
 * Carries out a job's plan as the tick would: sends what runs (each hidden until its
 * instant) and records what was missed past its grace as skipped (`misfire`). Safe
 * to repeat: the claim drops a second copy, a skip never overwrites a record.
 */
export async function carryOutPlan(
  job: Job,
  plan: { send: Date[]; skip: Date[] },
  now: Date,
  deps: { dispatchLog: DispatchLog; queue: Queue; executions: Pick<ExecutionStore, 'getMany' | 'recordOutcomes' | 'recordSkipped'> },
): Promise<void> {
  const at = now.toISOString();
  await sendFirstAttempts(
    plan.send.map((t) => ({ ...occurrenceOf(job, t), delaySeconds: delayFor(t, now) })),
    at,
    deps,
  );
  await deps.executions.recordSkipped(
    plan.skip.map((t) => ({
      jobId: job.id,
      scheduledFor: t.toISOString(),
      jobName: job.name,
      handler: job.handler,
      reason: 'misfire' as const,
    })),
    at,
  );
}

/**
 * Bundles: first attempts travel many to a message, and are claimed many to one
 * conditional write. An occurrence's claim group depends only on its instant and
 * its job (`claimGroupOf`), so whoever sends it (the tick, a repeated tick, the
 * API, recovery) sends it under the same group, and the group's claim item says
 * which delivery holds each member: a second copy finds it held and drops it.
 */
import { z } from 'zod';
import { SendFailedError, type RefusedMessage } from '../kernel/errors.js';
import type { Execution } from './ledger-record.js';
import { encodeOccurrence, occurrenceKey, occurrenceSchema, type Occurrence } from './occurrence.js';
import type { DispatchLog, ExecutionStore, Queue } from '../kernel/ports.js';
import { escapeForSqs, messageBytes } from '../kernel/queue-limits.js';

/**
 * Claim groups per instant. Few groups fill bundles under a steady load (a claim
 * write per message, not per occurrence); many keep each group's claim item small
 * when thousands share one instant, which is where cron jobs cluster: the top of a
 * minute. An instant's count depends on the instant alone, so every sender agrees.
 */
export const CLAIM_GROUPS = 8;
export const CLAIM_GROUPS_AT_MINUTE = 64;

export function claimGroupsAt(scheduledFor: string): number {
  return Date.parse(scheduledFor) % 60_000 === 0 ? CLAIM_GROUPS_AT_MINUTE : CLAIM_GROUPS;
}
/**
 * Occurrences per message: a bundle is claimed with one conditional write, whose
 * condition DynamoDB allows at most 300 operators, two per member. Large bundles
 * mean few messages and few claim writes when thousands share an instant.
 */
export const MAX_BUNDLE_SIZE = 150;
/** UTF-8 bytes of a bundle's message, under SQS's 256 KiB (MAX_MESSAGE_BYTES); one occurrence larger than this goes alone. */
export const MAX_BUNDLE_BYTES = 200 * 1024;

/** Who holds a member of a claim group, until when (a holder never taken over: `FOREVER`). */
export interface ClaimHolder {
  id: string;
  leaseUntil: string;
}

/**
 * Pausing holds what was sent ahead, so that no delivery runs it while the job is
 * paused; resuming releases what has not fallen due yet (and what the misfire
 * policy runs), and leaves the rest held for good.
 */
export const HELD_FOR_GOOD = '9999-12-31T23:59:59.999Z';
export const PAUSED_HOLDER: ClaimHolder = { id: 'paused', leaseUntil: HELD_FOR_GOOD };

export interface GroupClaim {
  /** Members now held by the claimant: free before, or taken over from a lease that ran out. */
  taken: string[];
  /** Of `taken`, those taken over: an earlier delivery held them and may have finished them. */
  takenOver: string[];
  /**
   * Of `taken`, those an earlier try of this same claim took (its answer was lost): not
   * known whether that try took them over, so whether they still have to run is the ledger's to say.
   */
  regained: string[];
  /** Members another delivery holds under a live lease. */
  heldElsewhere: string[];
  /**
   * Members held for good (lease HELD_FOR_GOOD): a pause holds them (its resume decides
   * what of them runs), or recovery decided they do not run. Nobody runs them.
   */
  heldByPause: string[];
}

export interface Bundle {
  /** The claim group: `<instant>#<group>`. */
  group: string;
  occurrences: Occurrence[];
}

export const bundleSchema = z.object({
  group: z.string().min(1),
  occurrences: z.array(occurrenceSchema).min(1).max(MAX_BUNDLE_SIZE),
});

function stableHash(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

export function claimGroupOf(o: { jobId: string; scheduledFor: string }): string {
  return `${o.scheduledFor}#${stableHash(o.jobId) % claimGroupsAt(o.scheduledFor)}`;
}

/** Groups first attempts (each once) by claim group, in messages of at most MAX_BUNDLE_SIZE occurrences and MAX_BUNDLE_BYTES. */
export function bundle(occurrences: Occurrence[]): Bundle[] {
  const groups = new Map<string, Occurrence[]>();
  const seen = new Set<string>();
  for (const o of occurrences) {
    // The same occurrence twice (logged by two senders) goes out once.
    if (seen.has(occurrenceKey(o))) continue;
    seen.add(occurrenceKey(o));
    const key = claimGroupOf(o);
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const bundles: Bundle[] = [];
  for (const [group, members] of groups) {
    members.sort((a, b) => a.jobId.localeCompare(b.jobId));
    // What SQS counts: UTF-8 bytes of the whole body, its envelope and commas included.
    const empty = messageBytes(encodeBundle({ group, occurrences: [] }));
    let current: Occurrence[] = [];
    let bytes = empty;
    for (const o of members) {
      const size = messageBytes(encodeOccurrence(o));
      // A member after the first adds a comma.
      if (current.length > 0 && (current.length >= MAX_BUNDLE_SIZE || bytes + 1 + size > MAX_BUNDLE_BYTES)) {
        bundles.push({ group, occurrences: current });
        current = [];
        bytes = empty;
      }
      bytes += (current.length > 0 ? 1 : 0) + size;
      current.push(o);
    }
    if (current.length > 0) bundles.push({ group, occurrences: current });
  }
  return bundles;
}

/** A bundle as a message body. It opens with `{"group"`, which tells the worker a bundle from a single occurrence before it parses. */
export function encodeBundle(b: Bundle): string {
  return `{"group":${escapeForSqs(JSON.stringify(b.group))},"occurrences":[${b.occurrences.map(encodeOccurrence).join(',')}]}`;
}

export const looksLikeBundle = (body: string): boolean => body.startsWith('{"group"');

/** When a bundle's message should become visible: its members' instant, or at once when every member asks for that. */
export function bundleTiming(b: Bundle): { instant: string; atOnce: boolean } {
  return { instant: b.occurrences[0]!.scheduledFor, atOnce: b.occurrences.every((o) => o.delaySeconds === 0) };
}

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
  await deps.dispatchLog.record(occurrences.map((o) => ({ jobId: o.jobId, scheduledFor: o.scheduledFor, sentAt: at })), at);
  const byKey = new Map(occurrences.map((o) => [occurrenceKey(o), o]));
  const refused = await refusedBundles(deps.queue, bundle(occurrences));
  const shared = refused.filter((r) => r.keys.length > 1).flatMap((r) => r.keys.map((k) => byKey.get(k)!));
  const refusedAlone = [
    ...refused.filter((r) => r.keys.length === 1),
    ...(shared.length > 0 ? await refusedBundles(deps.queue, shared.map((o) => ({ group: claimGroupOf(o), occurrences: [o] }))) : []),
  ];
  const unsendable = refusedAlone.map((r) => ({ occurrence: byKey.get(r.keys[0]!)!, code: r.code, message: r.message }));
  if (unsendable.length === 0) return [];
  // An occurrence with a record already (a repeated send of one that ran) keeps it.
  const recorded = await deps.executions.getMany(unsendable.map((u) => u.occurrence));
  await deps.executions.recordOutcomes(unsendable.filter((u) => !recorded.has(occurrenceKey(u.occurrence))).map((u) => unsendableRecord(u, at)));
  return unsendable;
}

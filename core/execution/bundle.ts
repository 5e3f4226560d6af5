/**
 * Bundles: first attempts travel many to a message, and are claimed many to one
 * conditional write. An occurrence's claim group depends only on its instant and
 * its job (`claimGroupOf`), so whoever sends it (the tick, a repeated tick, the
 * API, recovery) sends it under the same group, and the group's claim item says
 * which delivery holds each member: a second copy finds it held and drops it.
 */
import { z } from 'zod';
import { encodeOccurrence, occurrenceKey, occurrenceSchema, type Occurrence } from './occurrence.js';
import { escapeForSqs, messageBytes } from '../kernel/queue-limits.js';
import { fnv1a32 } from '../kernel/hash.js';

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

export function claimGroupOf(o: { jobId: string; scheduledFor: string }): string {
  return `${o.scheduledFor}#${fnv1a32(o.jobId) % claimGroupsAt(o.scheduledFor)}`;
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

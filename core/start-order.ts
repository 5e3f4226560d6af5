/**
 * Start order of one job's occurrences after an outage, a restart or a late tick.
 * SQS delivers messages in no set order, and a catch-up goes out with the
 * occurrences after it, some already due: any of them can reach a worker first,
 * and one held up (a backlog, a wait) can start after newer ones. The promise
 * (README, Guarantees) is that no first attempt starts after that of an occurrence
 * more than its grace newer.
 *
 * So a send that holds an occurrence due now or within DUE_MARGIN_MS goes out in
 * order: each occurrence names the job's fire time before it (`after`): the one
 * before it in the send, and for the first, the job's previous fire time, which
 * another send (the slot before, the recovery before the first tick) may hold.
 * Its worker waits until the ledger has a record of that one (it started, or was
 * decided), or until `until`, and then runs it however it stands, so that one lost
 * on the way holds the rest back for a minute at most. Waiting for the one just
 * before, not for one a grace older: each of those waits only for its own, so two
 * of them a grace apart could still start the wrong way round. Each but the last
 * `leads`: it claims in the ledger (the single path), where the next one looks.
 * A send with nothing due soon (the tick's usual, a minute and more ahead) is
 * left as it is: its messages show at their instants. So is a lone occurrence
 * with no fire time before it: it has nothing to wait for.
 */
import type { Job } from './job.js';
import { previousJobOccurrence } from './job-occurrences.js';
import type { Occurrence } from './occurrence.js';

/** How long past its send a follower may wait: ample for a backlog, short against a leader lost on the way. */
export const LEADER_WAIT_MS = 60_000;
/** Due this soon counts as due: it shows while those before it may still be starting, and a sender's sends take a moment. */
export const DUE_MARGIN_MS = 10_000;

/** One job's occurrences, which go out at `now`, sorted, and marked to start in order when one is due soon. */
export function inStartOrder<O extends Occurrence>(job: Pick<Job, 'schedule' | 'createdAt' | 'startAt' | 'endAt'>, occurrences: O[], now: Date): O[] {
  const sorted = [...occurrences].sort((a, b) => a.scheduledFor.localeCompare(b.scheduledFor));
  if (sorted.length === 0 || Date.parse(sorted[0]!.scheduledFor) > now.getTime() + DUE_MARGIN_MS) return sorted;
  const until = new Date(now.getTime() + LEADER_WAIT_MS).toISOString();
  const before = previousJobOccurrence(job, new Date(sorted[0]!.scheduledFor))?.toISOString();
  return sorted.map((o, i) => {
    const after = i > 0 ? sorted[i - 1]!.scheduledFor : before;
    // The last leads no one in this send; a later send's first that waits for it sees its record when it ends.
    return { ...o, ...(after ? { after: { scheduledFor: after, until } } : {}), ...(i < sorted.length - 1 ? { leads: true as const } : {}) };
  });
}

/**
 * The due index: where the tick finds what is due without reading every job.
 *
 * Time is cut into one-minute slots. A job's schedule is a chain of entries: the
 * entry for its next unsent occurrence sits in that occurrence's slot. The tick
 * processes slots in order; for each entry it sends the job's occurrences inside
 * the slot's minute and writes the entry for the job's next occurrence into a
 * later slot, grouped with the other jobs the same slot moves, so one write
 * carries hundreds of jobs. No per-run write touches the job itself.
 *
 * Entries are never edited: a job's `rev` changes when it is paused, resumed or
 * completed, and an entry of another revision is stale and dropped. Where an
 * entry goes depends only on its slot and the job's schedule, never on when the
 * tick ran, so a tick that repeats a slot (it died, or two ran at once) rewrites
 * the same items and sends the same occurrences, which the worker's claim drops.
 */
import { fnv1a32 } from '../kernel/hash.js';

export interface DueEntry {
  jobId: string;
  /** The job's revision when the entry was written. */
  rev: number;
  /** The job's first occurrence not yet sent (UTC ISO); the entry sits in its slot. */
  from: string;
  /** Occurrences sent before `from`, for jobs with maxRuns. */
  runs: number;
}

/** A chain the API started (a new or resumed job), waiting in the inbox for the next tick. */
export interface SubmittedEntry extends DueEntry {
  submittedAt: string;
  /**
   * The API sent none of its first occurrences itself: the scheduler was paused
   * (POST /v1/scheduler/pause). The tick plans it as any entry, from `from`, with the
   * misfire policy; it does not take up an early send that never happened.
   */
  unsent?: true;
}

export const SLOT_MS = 60_000;

/**
 * The tick processes up to the slot after the current one: at 12:00:05 it sends
 * what falls before 12:02, so the next minute's occurrences are queued (delayed
 * to their instant) well before they are due, even if the next tick is late.
 */
export const TICK_LEAD_SLOTS = 1;

/**
 * The API sends a new job's occurrences before this many slots ahead itself; the
 * next tick, which reads the inbox, covers the rest. A little overlap is fine: the
 * worker's claim drops an occurrence sent twice.
 */
export const DIRECT_DISPATCH_SLOTS = 2;

/** Where the API's own send of a chain started at `now` ends (see DIRECT_DISPATCH_SLOTS). */
export function directDispatchUntil(now: Date | string): Date {
  return new Date(slotAfter(slotOf(now), DIRECT_DISPATCH_SLOTS));
}

/** Slot start (UTC ISO) of an instant. */
export function slotOf(instant: Date | string): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return new Date(Math.floor(ms / SLOT_MS) * SLOT_MS).toISOString();
}

export function slotAfter(slot: string, slots = 1): string {
  return new Date(Date.parse(slot) + slots * SLOT_MS).toISOString();
}

/**
 * Entries of one job: of those matching the job's revision, the one furthest back
 * (a repeated write can leave two). Two at the same place can count different runs
 * (the same inbox entry planned twice, later the second time, so that more was
 * missed): the larger count wins, so that a job never runs more than maxRuns times.
 */
export function liveEntry(entries: DueEntry[], rev: number): DueEntry | undefined {
  let best: DueEntry | undefined;
  for (const e of entries) {
    if (e.rev !== rev) continue;
    if (!best || e.from < best.from || (e.from === best.from && e.runs > best.runs)) best = e;
  }
  return best;
}

/** A short stable name for a set of entries: what the inbox's next entries are written as. */
export function fingerprint(entries: DueEntry[]): string {
  const keys = entries.map((e) => `${e.jobId}:${e.rev}\n`).sort();
  return `${fnv1a32(keys.join('')).toString(36)}-${entries.length}`;
}

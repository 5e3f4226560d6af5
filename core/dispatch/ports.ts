/**
 * The dispatch ports: the due index and the dispatch log. Adapters in adapters/
 * implement them; the contract suites in test/integration run against every adapter.
 */
import type { DispatchEntry, DispatchRef } from './dispatch-log.js';
import type { DueEntry, SubmittedEntry } from './due-index.js';

/** The due index (see due-index.ts): slots of entries, the tick's progress, and the inbox of new chains. */
export interface DueIndex {
  /**
   * Writes entries into the slots of their `from`. What one `source` wrote to a
   * slot is replaced when it writes there again, so repeating a write never
   * doubles an entry.
   */
  write(entries: DueEntry[], source: string): Promise<void>;
  /** Every entry in one slot. */
  read(slot: string): Promise<DueEntry[]>;
  /** The first slot at or after `slot` (or at all) that holds entries, if any. */
  firstSlotFrom(slot?: string): Promise<string | undefined>;
  /** The next slot the tick has to process; undefined before the first tick. */
  progress(): Promise<string | undefined>;
  /**
   * When `slot` was first planned: `now` the first time it is asked for that slot,
   * the same answer when asked again (a tick repeating the slot after a crash), so a
   * repeated slot is planned as it was the first time.
   */
  planningTime(slot: string, now: string): Promise<string>;
  /** Moves the progress from `expected` to `to`; false when another tick moved it first. */
  advance(expected: string | undefined, to: string): Promise<boolean>;
  /** Starts a chain: the next tick picks the entry up, whatever slot it falls in. */
  submit(entry: SubmittedEntry): Promise<void>;
  /** Submitted entries not yet taken, oldest first. */
  inbox(limit: number): Promise<SubmittedEntry[]>;
  /** Removes taken entries from the inbox. */
  take(entries: SubmittedEntry[]): Promise<void>;
}

export interface DispatchLog {
  /** Records occurrences about to be sent (chunked into entries as needed). */
  record(refs: DispatchRef[], at: string): Promise<void>;
  /** Entries written before `before`, oldest first. */
  pending(before: string, limit: number): Promise<DispatchEntry[]>;
  /**
   * Removes the entry when nothing in it is open; otherwise files `open` again as an
   * entry written at `at`, in place of this one, so that entries behind it come next.
   */
  settle(entry: DispatchEntry, open: DispatchRef[], at: string): Promise<void>;
}

/** What one finished tick did, as GET /v1/status shows it. */
export interface TickRun {
  startedAt: string;
  durationMs: number;
  /** Occurrences it sent (first attempts; recovery's re-sends counted apart). */
  sent: number;
  slots: number;
  recovered: number;
  /** It found the scheduler paused and did nothing. */
  paused?: boolean;
}

/** The last tick's record: one small item, overwritten by every tick (one write a tick). */
export interface TickLog {
  record(run: TickRun): Promise<void>;
  last(): Promise<TickRun | undefined>;
}

export type TickScheduleState = 'enabled' | 'disabled' | 'unknown';

/**
 * The schedule that runs the tick: EventBridge Scheduler's schedule on AWS, the
 * local runtime's own ticker locally. The scheduler's pause (POST
 * /v1/scheduler/pause) turns it off and on; the pause record is what the tick
 * obeys, this only stops the tick from being invoked at all.
 */
export interface TickSchedule {
  /** Whether it is on; `unknown` when it cannot be asked (never throws). */
  state(): Promise<TickScheduleState>;
  /**
   * Turns it on or off, changing nothing else about it. Idempotent: setting the
   * state it has succeeds. Throws TickScheduleError when it cannot.
   */
  setState(state: 'enabled' | 'disabled'): Promise<void>;
}

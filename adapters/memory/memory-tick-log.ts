/** In-memory TickLog and TickSchedule: the references for tests. */
import type { TickLog, TickRun, TickSchedule, TickScheduleState } from '../../core/dispatch/ports.js';

export class MemoryTickLog implements TickLog {
  private run: TickRun | undefined;

  async record(run: TickRun): Promise<void> {
    this.run = { ...run };
  }

  async last(): Promise<TickRun | undefined> {
    return this.run && { ...this.run };
  }
}

/** A tick schedule whose state a test (or the local ticker) sets; `setState` can be made to fail. */
export class FixedTickSchedule implements TickSchedule {
  /** For tests: the next setState calls throw this (TickScheduleError, as the AWS adapter would). */
  failSetState: (() => Error) | undefined;
  readonly changes: ('enabled' | 'disabled')[] = [];

  constructor(public current: TickScheduleState = 'enabled') {}

  async state() {
    return this.current;
  }

  async setState(state: 'enabled' | 'disabled'): Promise<void> {
    if (this.failSetState) throw this.failSetState();
    this.changes.push(state);
    this.current = state;
  }
}

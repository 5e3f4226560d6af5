/** In-memory TickLog and TickSchedule: the references for tests. */
import type { TickLog, TickRun, TickSchedule } from '../../core/dispatch/ports.js';

export class MemoryTickLog implements TickLog {
  private run: TickRun | undefined;

  async record(run: TickRun): Promise<void> {
    this.run = { ...run };
  }

  async last(): Promise<TickRun | undefined> {
    return this.run && { ...this.run };
  }
}

/** A tick schedule whose state a test (or the local ticker) sets. */
export class FixedTickSchedule implements TickSchedule {
  constructor(public current: 'enabled' | 'disabled' | 'unknown' = 'enabled') {}

  async state() {
    return this.current;
  }
}

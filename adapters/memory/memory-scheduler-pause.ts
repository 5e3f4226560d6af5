/** In-memory SchedulerPauseStore: the reference the contract suite holds DynamoDB to. */
import type { SchedulerPause, SchedulerPauseStore } from '../../core/settings/scheduler-pause.js';

export class MemorySchedulerPauseStore implements SchedulerPauseStore {
  private current: SchedulerPause | undefined;
  /** For tests: make the next calls fail as an outage would. */
  fail: (() => Error) | undefined;

  async get(): Promise<SchedulerPause | undefined> {
    if (this.fail) throw this.fail();
    return this.current && { ...this.current };
  }

  async pause(pause: SchedulerPause): Promise<{ changed: boolean; pause: SchedulerPause }> {
    if (this.fail) throw this.fail();
    if (this.current) return { changed: false, pause: { ...this.current } };
    this.current = { ...pause };
    return { changed: true, pause: { ...pause } };
  }

  async resume(): Promise<SchedulerPause | undefined> {
    if (this.fail) throw this.fail();
    const cleared = this.current;
    this.current = undefined;
    return cleared;
  }
}

import type { Clock } from '../../core/kernel/ports.js';

/** A clock tests move by hand; `sleep` advances it instead of waiting. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: string | Date) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: string | Date): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }

  readonly sleep = async (ms: number): Promise<void> => {
    this.current += ms;
  };
}

import type { Occurrence } from '../../occurrence.js';
import type { Queue } from '../../ports.js';

/** Holds what was sent, in order; unit tests read `sent`. */
export class MemoryQueue implements Queue {
  readonly sent: Occurrence[] = [];

  async send(occurrences: Occurrence[]): Promise<void> {
    this.sent.push(...occurrences.map((o) => structuredClone(o)));
  }
}

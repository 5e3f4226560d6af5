import type { Occurrence } from '../../occurrence.js';
import { delayFor } from '../../planner.js';
import type { Clock, Queue } from '../../ports.js';
import { systemClock } from '../system-clock.js';

/** Holds what was sent; unit tests read `sent`, `postponed` and `deadLetters`, consumers take what is visible. */
export class MemoryQueue implements Queue {
  readonly sent: Occurrence[] = [];
  readonly postponed: { deliveryHandle: string; delaySeconds: number }[] = [];
  readonly deadLetters: { occurrence: Occurrence; reason: string }[] = [];
  private readonly waiting: { occurrence: Occurrence; visibleAt: number }[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  async send(occurrences: Occurrence[]): Promise<void> {
    const now = this.clock.now().getTime();
    for (const o of occurrences) {
      this.sent.push(structuredClone(o));
      const delaySeconds = o.delaySeconds === 0 ? 0 : delayFor(new Date(o.scheduledFor), new Date(now));
      this.waiting.push({ occurrence: structuredClone(o), visibleAt: now + delaySeconds * 1000 });
    }
  }

  async postpone(deliveryHandle: string, delaySeconds: number): Promise<void> {
    this.postponed.push({ deliveryHandle, delaySeconds });
  }

  async sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void> {
    const { delaySeconds: _d, ...body } = occurrence;
    this.deadLetters.push({ occurrence: structuredClone(body), reason });
  }

  /** Removes and returns the occurrences whose delay has passed, bodies only. */
  takeVisible(): Occurrence[] {
    const now = this.clock.now().getTime();
    const visible = this.waiting.filter((w) => w.visibleAt <= now);
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((w) => w.visibleAt > now));
    return visible.map(({ occurrence: { delaySeconds: _d, ...body } }) => body);
  }
}

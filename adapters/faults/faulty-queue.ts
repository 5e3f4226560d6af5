/**
 * Message faults on the Queue port, per message: lost (the send still reports
 * success), sent twice, or delivered late (it reaches the queue after `delayMs`;
 * the caller is not kept waiting). Request faults (fail, timeout, fail after)
 * come from withFaults around this.
 */
import type { Bundle } from '../../core/execution/bundle.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import type { Queue, QueueDepths } from '../../core/execution/ports.js';
import type { FaultInjector } from './fault-plan.js';
import { withFaults, type Sleep } from './with-faults.js';

class MessageFaultQueue implements Queue {
  constructor(
    private readonly inner: Queue,
    private readonly faults: FaultInjector,
    private readonly sleep: Sleep,
  ) {}

  /** What actually goes out now; delayed ones are sent later, and a later failure loses them, as a late message can be. */
  private shape<M>(messages: M[], sendLater: (late: M[]) => Promise<void>): M[] {
    const now: M[] = [];
    for (const m of messages) {
      if (this.faults.roll('loseSend')) continue;
      const copies = this.faults.roll('duplicate') ? [m, m] : [m];
      if (this.faults.roll('delay')) {
        void this.sleep(this.faults.plan.delayMs)
          .then(() => sendLater(copies))
          .catch(() => {});
      } else now.push(...copies);
    }
    return now;
  }

  async send(occurrences: Occurrence[]): Promise<void> {
    const now = this.shape(occurrences, (late) => this.inner.send(late));
    if (now.length > 0) await this.inner.send(now);
  }

  async sendBundles(bundles: Bundle[]): Promise<void> {
    const now = this.shape(bundles, (late) => this.inner.sendBundles(late));
    if (now.length > 0) await this.inner.sendBundles(now);
  }

  postpone(deliveryHandle: string, delaySeconds: number): Promise<void> {
    return this.inner.postpone(deliveryHandle, delaySeconds);
  }

  async sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void> {
    if (this.faults.roll('loseSend')) return;
    await this.inner.sendToDeadLetters(occurrence, reason);
  }

  depths(): Promise<QueueDepths> {
    return this.inner.depths();
  }
}

export function faultyQueue(queue: Queue, faults: FaultInjector, sleep: Sleep): Queue {
  return withFaults<Queue>(new MessageFaultQueue(queue, faults, sleep), 'queue', faults, sleep);
}

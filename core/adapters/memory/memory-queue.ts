import { bundleTiming, type Bundle } from '../../bundle.js';
import { type Occurrence } from '../../occurrence.js';
import { delayFor } from '../../planner.js';
import type { Clock, Queue } from '../../ports.js';
import { systemClock } from '../system-clock.js';

const bodyOf = ({ delaySeconds: _d, ...body }: Occurrence): Occurrence => structuredClone(body);

/**
 * Holds what was sent; unit tests read `sent` (every occurrence, bundled or not),
 * `bundles`, `postponed` and `deadLetters`; consumers take the message bodies that
 * are visible.
 */
export class MemoryQueue implements Queue {
  readonly sent: Occurrence[] = [];
  readonly bundles: Bundle[] = [];
  readonly postponed: { deliveryHandle: string; delaySeconds: number }[] = [];
  readonly deadLetters: { occurrence: Occurrence; reason: string }[] = [];
  private readonly waiting: { body: unknown; visibleAt: number }[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  private hold(body: unknown, instant: string, atOnce: boolean): void {
    const now = this.clock.now().getTime();
    const delaySeconds = atOnce ? 0 : delayFor(new Date(instant), new Date(now));
    this.waiting.push({ body, visibleAt: now + delaySeconds * 1000 });
  }

  async send(occurrences: Occurrence[]): Promise<void> {
    for (const o of occurrences) {
      this.sent.push(structuredClone(o));
      this.hold(bodyOf(o), o.scheduledFor, o.delaySeconds === 0);
    }
  }

  async sendBundles(bundles: Bundle[]): Promise<void> {
    for (const b of bundles) {
      this.bundles.push(structuredClone(b));
      this.sent.push(...structuredClone(b.occurrences));
      const { instant, atOnce } = bundleTiming(b);
      this.hold({ group: b.group, occurrences: b.occurrences.map(bodyOf) }, instant, atOnce);
    }
  }

  async postpone(deliveryHandle: string, delaySeconds: number): Promise<void> {
    this.postponed.push({ deliveryHandle, delaySeconds });
  }

  async sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void> {
    this.deadLetters.push({ occurrence: bodyOf(occurrence), reason });
  }

  /** Removes and returns the message bodies whose delay has passed. */
  takeVisible(): unknown[] {
    const now = this.clock.now().getTime();
    const visible = this.waiting.filter((w) => w.visibleAt <= now);
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((w) => w.visibleAt > now));
    return visible.map((w) => w.body);
  }
}

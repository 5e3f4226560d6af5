import { bundleTiming, encodeBundle, type Bundle } from '../../core/execution/bundle.js';
import { SendFailedError, type RefusedMessage } from '../../core/kernel/errors.js';
import { encodeOccurrence, occurrenceKey, type Occurrence } from '../../core/execution/occurrence.js';
import { delayFor } from '../../core/kernel/queue-limits.js';
import type { Clock } from '../../core/kernel/ports.js';
import type { Queue, QueueDepths } from '../../core/execution/ports.js';
import { MAX_MESSAGE_BYTES, messageBytes, sqsAccepts } from '../../core/kernel/queue-limits.js';
import { systemClock } from '../system-clock.js';

/**
 * Holds what was sent; unit tests read `sent` (every occurrence, bundled or not),
 * `bundles`, `refusals`, `postponed` and `deadLetters`; consumers take the message bodies that
 * are visible, parsed from the encoded message as SQS would deliver it.
 *
 * It refuses what SQS refuses (a message over MAX_MESSAGE_BYTES, a character SQS
 * does not take) and whatever `refuses` names (a test's stand-in for any other
 * refusal), accepts the rest, and then throws SendFailedError, as the SQS adapter
 * does. It has no batches, so SQS's per-batch cap has nothing to apply to here.
 */
export class MemoryQueue implements Queue {
  readonly sent: Occurrence[] = [];
  readonly bundles: Bundle[] = [];
  /** Every message refused, as the SendFailedError said. */
  readonly refusals: RefusedMessage[] = [];
  readonly postponed: { deliveryHandle: string; delaySeconds: number }[] = [];
  readonly deadLetters: { occurrence: Occurrence; reason: string }[] = [];
  private readonly waiting: { body: unknown; visibleAt: number }[] = [];
  /** For tests: the error code to refuse a message body with, or undefined to take it. */
  refuses: (body: string) => string | undefined = () => undefined;

  constructor(private readonly clock: Clock = systemClock) {}

  private refusal(body: string, keys: string[]): RefusedMessage | undefined {
    const bytes = messageBytes(body);
    if (bytes > MAX_MESSAGE_BYTES)
      return { keys, code: 'MessageTooLong', message: `the message is ${bytes} bytes; SQS takes at most ${MAX_MESSAGE_BYTES}` };
    if (!sqsAccepts(body)) return { keys, code: 'InvalidMessageContents', message: 'the message contains characters SQS does not allow' };
    const code = this.refuses(body);
    return code === undefined ? undefined : { keys, code, message: `refused by the test (${code})` };
  }

  private hold(body: string, instant: string, atOnce: boolean): void {
    const now = this.clock.now().getTime();
    const delaySeconds = atOnce ? 0 : delayFor(new Date(instant), new Date(now));
    this.waiting.push({ body: JSON.parse(body) as unknown, visibleAt: now + delaySeconds * 1000 });
  }

  async send(occurrences: Occurrence[]): Promise<void> {
    const refused: RefusedMessage[] = [];
    for (const o of occurrences) {
      const body = encodeOccurrence(o);
      const refusal = this.refusal(body, [occurrenceKey(o)]);
      if (refusal) {
        refused.push(refusal);
        continue;
      }
      this.sent.push(structuredClone(o));
      this.hold(body, o.scheduledFor, o.delaySeconds === 0);
    }
    this.refusals.push(...refused);
    if (refused.length > 0) throw new SendFailedError(refused);
  }

  async sendBundles(bundles: Bundle[]): Promise<void> {
    const refused: RefusedMessage[] = [];
    for (const b of bundles) {
      const body = encodeBundle(b);
      const refusal = this.refusal(body, b.occurrences.map(occurrenceKey));
      if (refusal) {
        refused.push(refusal);
        continue;
      }
      this.bundles.push(structuredClone(b));
      this.sent.push(...structuredClone(b.occurrences));
      const { instant, atOnce } = bundleTiming(b);
      this.hold(body, instant, atOnce);
    }
    this.refusals.push(...refused);
    if (refused.length > 0) throw new SendFailedError(refused);
  }

  async postpone(deliveryHandle: string, delaySeconds: number): Promise<void> {
    this.postponed.push({ deliveryHandle, delaySeconds });
  }

  async sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void> {
    this.deadLetters.push({ occurrence: JSON.parse(encodeOccurrence(occurrence)) as Occurrence, reason });
  }

  /** What waits: visible or still delayed; the memory queue hands messages out for good (takeVisible), so none is in flight. */
  async depths(): Promise<QueueDepths> {
    const now = this.clock.now().getTime();
    const queued = this.waiting.filter((w) => w.visibleAt <= now).length;
    return { queued, inFlight: 0, delayed: this.waiting.length - queued, deadLetters: this.deadLetters.length };
  }

  /** For tests: loses every message, shown or not, as the local SQS emulator does when the runtime restarts. */
  forgetAll(): void {
    this.waiting.splice(0, this.waiting.length);
  }

  takeVisible(): unknown[] {
    const now = this.clock.now().getTime();
    const visible = this.waiting.filter((w) => w.visibleAt <= now);
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((w) => w.visibleAt > now));
    return visible.map((w) => w.body);
  }
}

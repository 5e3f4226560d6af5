/**
 * An SQS-like queue in memory, on the simulation's clock, as AWS behaves:
 * DelaySeconds; receive hides a message for the visibility timeout and hands out
 * a new receipt handle; ApproximateReceiveCount rises on every receive (and only
 * there: local-aws-sqs also counts ChangeMessageVisibility, AWS does not); a
 * message received more than maxReceiveCount times moves to the dead-letter queue
 * instead; at-least-once: now and then a message is delivered twice at once (two
 * copies, each with its own receipt); visible messages come in no fixed order.
 * `ModelQueue` is the Queue port over it, as SqsQueue is over SQS.
 */
import { bundleTiming, encodeBundle, type Bundle } from '../../core/execution/bundle.js';
import { encodeOccurrence, type Occurrence } from '../../core/execution/occurrence.js';
import { delayFor } from '../../core/kernel/queue-limits.js';
import type { Clock } from '../../core/kernel/ports.js';
import type { Queue, QueueDepths } from '../../core/execution/ports.js';

interface Stored {
  messageId: string;
  body: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  /** The latest receipt; an older one no longer changes or deletes the message. */
  receipt?: string;
}

export interface Received {
  messageId: string;
  receiptHandle: string;
  body: string;
  receiveCount: number;
  sentAt: number;
}

export interface QueueModelOptions {
  /** Moves a message here when a receive would make its count pass maxReceiveCount. */
  deadLetters?: SqsModel;
  maxReceiveCount?: number;
  /** Chance that a receive hands out a message a second time at once. */
  duplicateDelivery?: () => boolean;
  /** Uniform in [0, 1): the order of visible messages. */
  random: () => number;
}

export class SqsModel {
  private readonly messages: Stored[] = [];
  private counter = 0;
  /** Told when something may have become receivable (the event source wakes on it). */
  onChange: () => void = () => {};

  constructor(
    private readonly clock: Clock,
    readonly name: string,
    private readonly options: QueueModelOptions,
  ) {}

  /** Visible, received (hidden after a receive) and delayed (never received yet) messages. */
  counts(): { visible: number; hidden: number; delayed: number } {
    const now = this.now();
    const visible = this.messages.filter((m) => m.visibleAt <= now).length;
    const delayed = this.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length;
    return { visible, hidden: this.messages.length - visible - delayed, delayed };
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  send(body: string, delaySeconds: number): void {
    const now = this.now();
    this.messages.push({
      messageId: `${this.name}-${++this.counter}`,
      body,
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    });
    this.onChange();
  }

  /** Up to `max` visible messages, in random order, each hidden for `visibilitySeconds`. */
  receive(max: number, visibilitySeconds: number): Received[] {
    const now = this.now();
    const visible = this.messages.filter((m) => m.visibleAt <= now);
    const out: Received[] = [];
    while (visible.length > 0 && out.length < max) {
      const m = visible.splice(Math.floor(this.options.random() * visible.length), 1)[0]!;
      const limit = this.options.maxReceiveCount;
      if (this.options.deadLetters && limit !== undefined && m.receiveCount >= limit) {
        this.remove(m);
        this.options.deadLetters.send(m.body, 0);
        continue;
      }
      if (this.options.duplicateDelivery?.() && out.length + 1 < max) {
        const copy: Stored = { ...m, receipt: undefined };
        this.messages.push(copy);
        out.push(this.deliver(copy, now, visibilitySeconds));
      }
      out.push(this.deliver(m, now, visibilitySeconds));
    }
    return out;
  }

  private deliver(m: Stored, now: number, visibilitySeconds: number): Received {
    m.receiveCount++;
    m.visibleAt = now + visibilitySeconds * 1000;
    m.receipt = `${m.messageId}:${m.receiveCount}:${++this.counter}`;
    return { messageId: m.messageId, receiptHandle: m.receipt, body: m.body, receiveCount: m.receiveCount, sentAt: m.sentAt };
  }

  private byReceipt(receipt: string): Stored | undefined {
    return this.messages.find((m) => m.receipt === receipt);
  }

  private remove(m: Stored): void {
    this.messages.splice(this.messages.indexOf(m), 1);
  }

  /** ChangeMessageVisibility: does not count as a receive (on AWS). */
  changeVisibility(receipt: string, seconds: number): void {
    const m = this.byReceipt(receipt);
    if (!m) throw new Error(`receipt handle ${receipt} is no longer valid`);
    m.visibleAt = this.now() + Math.max(0, seconds) * 1000;
    this.onChange();
  }

  delete(receipt: string): void {
    const m = this.byReceipt(receipt);
    if (m) this.remove(m);
  }

  /** Everything waiting or in flight is gone (the local emulator restarted). */
  purge(): number {
    const lost = this.messages.length;
    this.messages.length = 0;
    return lost;
  }

  /** When the next message becomes receivable, if any waits. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const m of this.messages) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }

  get size(): number {
    return this.messages.length;
  }
}

/** The Queue port over the model: what the tick, the API and the worker send through. */
export class ModelQueue implements Queue {
  constructor(
    private readonly work: SqsModel,
    private readonly deadLetters: SqsModel,
    private readonly clock: Clock,
  ) {}

  private delayOf(instant: string, atOnce: boolean): number {
    return atOnce ? 0 : delayFor(new Date(instant), this.clock.now());
  }

  async send(occurrences: Occurrence[]): Promise<void> {
    for (const o of occurrences) this.work.send(encodeOccurrence(o), this.delayOf(o.scheduledFor, o.delaySeconds === 0));
  }

  async sendBundles(bundles: Bundle[]): Promise<void> {
    for (const b of bundles) {
      const { instant, atOnce } = bundleTiming(b);
      this.work.send(encodeBundle(b), this.delayOf(instant, atOnce));
    }
  }

  async postpone(deliveryHandle: string, delaySeconds: number): Promise<void> {
    this.work.changeVisibility(deliveryHandle, Math.ceil(delaySeconds));
  }

  async sendToDeadLetters(occurrence: Occurrence, _reason: string): Promise<void> {
    this.deadLetters.send(encodeOccurrence(occurrence), 0);
  }

  async depths(): Promise<QueueDepths> {
    const work = this.work.counts();
    return { queued: work.visible, inFlight: work.hidden, delayed: work.delayed, deadLetters: this.deadLetters.counts().visible };
  }
}

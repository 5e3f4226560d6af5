/**
 * Queue on SQS: SendMessageBatch, up to 10 messages and MAX_BATCH_BYTES a call,
 * several calls in flight; backoff through ChangeMessageVisibility; dead letters
 * sent to the DLQ. A message SQS refuses for what it carries never holds back the
 * others: each batch goes out, and then SendFailedError names what was refused.
 */
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type QueueAttributeName,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { bundleTiming, encodeBundle, type Bundle } from '../../core/execution/bundle.js';
import { SendFailedError, StoreUnavailableError, type RefusedMessage } from '../../core/kernel/errors.js';
import { encodeOccurrence, occurrenceKey, type Occurrence } from '../../core/execution/occurrence.js';
import { delayFor } from '../../core/kernel/queue-limits.js';
import type { Clock } from '../../core/kernel/ports.js';
import type { Queue, QueueDepths } from '../../core/execution/ports.js';
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES, messageBytes } from '../../core/kernel/queue-limits.js';
import { systemClock } from '../system-clock.js';
import { callAws } from './aws-errors.js';

const BATCHES_IN_FLIGHT = 8;
/** SQS hides a message for at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

export { SendFailedError };

/**
 * Errors with which SQS refuses a whole SendMessageBatch for what a message in it
 * carries; anything else (throttling, an outage, access, a missing queue) is not
 * one message's fault and fails the send as it is.
 */
const CONTENT_ERRORS = new Set(['InvalidMessageContents', 'BatchRequestTooLong', 'InvalidParameterValue']);

interface Outgoing {
  body: string;
  bytes: number;
  /** The occurrence keys it carries, to say what was refused. */
  keys: string[];
  instant: string;
  atOnce: boolean;
}

/** Batches in order, each of at most MAX_BATCH_MESSAGES messages and MAX_BATCH_BYTES. */
export function batchesOf<T extends { bytes: number }>(messages: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (current.length > 0 && (current.length >= MAX_BATCH_MESSAGES || bytes + m.bytes > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += m.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

const outgoing = (body: string, keys: string[], timing: { instant: string; atOnce: boolean }): Outgoing => ({
  body,
  bytes: messageBytes(body),
  keys,
  ...timing,
});

export class SqsQueue implements Queue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterQueueUrl: string,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A cheap read that says the queue answers (GET /health): its approximate depth. */
  async probe(): Promise<void> {
    await callAws('SQS', 'GetQueueAttributes', () =>
      this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })),
    );
  }

  async postpone(deliveryHandle: string, delaySeconds: number): Promise<void> {
    await callAws('SQS', 'ChangeMessageVisibility', () =>
      this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: deliveryHandle,
          VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(delaySeconds))),
        }),
      ),
    );
  }

  async sendToDeadLetters(occurrence: Occurrence, reason: string): Promise<void> {
    await callAws('SQS', 'SendMessage', () =>
      this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.deadLetterQueueUrl,
          MessageBody: encodeOccurrence(occurrence),
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason } },
        }),
      ),
    );
  }

  /**
   * Each message is hidden until its instant, the delay worked out when its batch
   * goes out: a large tick sends for seconds, and a delay reckoned when it started
   * would make the last messages late by that long.
   */
  async send(occurrences: Occurrence[]): Promise<void> {
    await this.sendAll(
      occurrences.map((o) => outgoing(encodeOccurrence(o), [occurrenceKey(o)], { instant: o.scheduledFor, atOnce: o.delaySeconds === 0 })),
    );
  }

  async sendBundles(bundles: Bundle[]): Promise<void> {
    await this.sendAll(bundles.map((b) => outgoing(encodeBundle(b), b.occurrences.map(occurrenceKey), bundleTiming(b))));
  }

  private async sendAll(messages: Outgoing[]): Promise<void> {
    const refused: RefusedMessage[] = [];
    for (const m of messages) {
      if (m.bytes > MAX_MESSAGE_BYTES)
        refused.push({
          keys: m.keys,
          code: 'MessageTooLong',
          message: `the message is ${m.bytes} bytes; SQS takes at most ${MAX_MESSAGE_BYTES}`,
        });
    }
    const batches = batchesOf(messages.filter((m) => m.bytes <= MAX_MESSAGE_BYTES));
    for (let i = 0; i < batches.length; i += BATCHES_IN_FLIGHT) {
      const results = await Promise.all(batches.slice(i, i + BATCHES_IN_FLIGHT).map((batch) => this.sendBatch(batch)));
      refused.push(...results.flat());
    }
    if (refused.length > 0) throw new SendFailedError(refused);
  }

  /**
   * Sends one batch; returns the messages SQS refused for their content. A failed
   * entry is tried once more: still refused as the sender's fault, it is returned;
   * still failing on SQS's side, the send fails (an outage: the caller repeats).
   * A batch refused whole for one message's sake goes again message by message.
   */
  private async sendBatch(batch: Outgoing[]): Promise<RefusedMessage[]> {
    let pending = batch.map((m, i) => ({ m, id: String(i) }));
    let lastFailures: { id: string; code: string; message: string; senderFault: boolean }[] = [];
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const now = this.clock.now();
      const entries: SendMessageBatchRequestEntry[] = pending.map(({ m, id }) => ({
        Id: id,
        MessageBody: m.body,
        DelaySeconds: m.atOnce ? 0 : delayFor(new Date(m.instant), now),
      }));
      let out;
      try {
        out = await callAws('SQS', 'SendMessageBatch', () =>
          this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries })),
        );
      } catch (error) {
        const code = (error as { name?: string }).name ?? '';
        if (!CONTENT_ERRORS.has(code)) throw error;
        if (pending.length === 1) return [{ keys: pending[0]!.m.keys, code, message: (error as Error).message }];
        return (await Promise.all(pending.map(({ m }) => this.sendBatch([m])))).flat();
      }
      lastFailures = (out.Failed ?? []).map((f) => ({
        id: f.Id ?? '',
        code: f.Code ?? 'Unknown',
        message: f.Message ?? '',
        senderFault: f.SenderFault === true,
      }));
      const failed = new Set(lastFailures.map((f) => f.id));
      pending = pending.filter((p) => failed.has(p.id));
    }
    if (pending.length === 0) return [];
    const byId = new Map(pending.map((p) => [p.id, p.m]));
    const transient = lastFailures.filter((f) => !f.senderFault);
    if (transient.length > 0) {
      throw new StoreUnavailableError(
        `SQS SendMessageBatch failed for ${transient.length} message(s): ` +
          transient.map((f) => `${byId.get(f.id)?.keys.join(', ')}: ${f.code}`).join('; '),
      );
    }
    return lastFailures.map((f) => ({ keys: byId.get(f.id)?.keys ?? [], code: f.code, message: f.message }));
  }

  /** SQS's approximate counts (they lag by about a minute); the DLQ's visible messages are its dead letters. */
  async depths(): Promise<QueueDepths> {
    const attributesOf = (QueueUrl: string, AttributeNames: QueueAttributeName[]) =>
      callAws('SQS', 'GetQueueAttributes', () => this.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames })));
    const [work, dead] = await Promise.all([
      attributesOf(this.queueUrl, [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ]),
      attributesOf(this.deadLetterQueueUrl, ['ApproximateNumberOfMessages']),
    ]);
    const count = (attributes: Record<string, string> | undefined, name: string) => Number(attributes?.[name] ?? 0) || 0;
    return {
      queued: count(work.Attributes, 'ApproximateNumberOfMessages'),
      inFlight: count(work.Attributes, 'ApproximateNumberOfMessagesNotVisible'),
      delayed: count(work.Attributes, 'ApproximateNumberOfMessagesDelayed'),
      deadLetters: count(dead.Attributes, 'ApproximateNumberOfMessages'),
    };
  }
}

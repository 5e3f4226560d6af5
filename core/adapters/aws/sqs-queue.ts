/**
 * Queue on SQS: SendMessageBatch, 10 a call, several calls in flight; backoff
 * through ChangeMessageVisibility; dead letters sent to the DLQ.
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { bundleTiming, encodeBundle, type Bundle } from '../../bundle.js';
import { SchedulerError } from '../../errors.js';
import { encodeOccurrence, occurrenceKey, type Occurrence } from '../../occurrence.js';
import { delayFor } from '../../planner.js';
import type { Clock, Queue } from '../../ports.js';
import { systemClock } from '../system-clock.js';
import { callAws } from './aws-errors.js';

const BATCH_SIZE = 10;
const BATCHES_IN_FLIGHT = 8;
/** SQS hides a message for at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

export class SendFailedError extends SchedulerError {}

/** The occurrence keys a message carries, for an error message. */
function describeMessage(body: string): string {
  const parsed = JSON.parse(body) as Occurrence | Bundle;
  return 'group' in parsed ? `bundle ${parsed.group} (${parsed.occurrences.map(occurrenceKey).join(', ')})` : occurrenceKey(parsed);
}

export class SqsQueue implements Queue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterQueueUrl: string,
    private readonly clock: Clock = systemClock,
  ) {}

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
    await this.sendAll(occurrences.map((o) => ({ body: encodeOccurrence(o), instant: o.scheduledFor, atOnce: o.delaySeconds === 0 })));
  }

  async sendBundles(bundles: Bundle[]): Promise<void> {
    await this.sendAll(
      bundles.map((b) => ({ body: encodeBundle(b), ...bundleTiming(b) })),
    );
  }

  private async sendAll(messages: { body: string; instant: string; atOnce: boolean }[]): Promise<void> {
    const batches: (typeof messages)[] = [];
    for (let i = 0; i < messages.length; i += BATCH_SIZE) batches.push(messages.slice(i, i + BATCH_SIZE));
    for (let i = 0; i < batches.length; i += BATCHES_IN_FLIGHT) {
      await Promise.all(
        batches.slice(i, i + BATCHES_IN_FLIGHT).map((batch) => {
          const now = this.clock.now();
          return this.sendBatch(
            batch.map((m, j) => ({ Id: String(j), MessageBody: m.body, DelaySeconds: m.atOnce ? 0 : delayFor(new Date(m.instant), now) })),
          );
        }),
      );
    }
  }

  /** Entries SQS refuses are retried once; still refused, the send fails loudly. */
  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const out = await callAws('SQS', 'SendMessageBatch', () =>
        this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending })),
      );
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      const reasons = (out.Failed ?? []).map((f) => `${f.Code}${f.SenderFault ? ' (sender fault)' : ''}`);
      pending = pending.filter((e) => failed.has(e.Id));
      if (pending.length > 0 && attempt === 2) {
        const keys = pending.map((e) => describeMessage(e.MessageBody!));
        throw new SendFailedError(`SQS refused ${pending.length} message(s): ${keys.join(', ')}: ${reasons.join(', ')}`);
      }
    }
  }
}

/**
 * Plays the part of Lambda's SQS event source mapping: long-polls the queue,
 * hands batches to the worker handler as SQS events, deletes what succeeded and
 * leaves the `batchItemFailures` (or a whole batch whose invocation threw) to
 * come back after the visibility timeout, with at most `maxConcurrency`
 * batches running at once. Records carry the attributes SQS reports
 * (ApproximateReceiveCount and the rest), as Lambda's do. With a `heartbeat`,
 * messages are received with its short visibility and extended while their
 * batch runs (see visibility-heartbeat.ts); Lambda does not do that.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../core/kernel/ports.js';
import type { VisibilityHeartbeat } from './visibility-heartbeat.js';

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  logger: Logger;
  maxConcurrency: number;
  batchSize?: number;
  waitTimeSeconds?: number;
  /** Short visibility, extended while the batch runs; without it, the queue's own visibility timeout. */
  heartbeat?: VisibilityHeartbeat;
}

export interface Poller {
  /** Stops receiving, waits for batches in flight to finish. */
  stop(): Promise<void>;
}

function toRecord(message: Message, options: PollerOptions): SQSRecord {
  const a = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? '0',
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

export function startSqsPoller(options: PollerOptions): Poller {
  const abort = new AbortController();
  // Each loop's long poll listens on this one signal (and lets go when it returns):
  // as many listeners as loops is expected, not a leak, so Node should not warn of one.
  setMaxListeners(options.maxConcurrency + 10, abort.signal);
  let stopping = false;

  const invoke = async (messages: Message[]): Promise<void> => {
    const records = messages.map((m) => toRecord(m, options));
    let failed: Set<string>;
    try {
      const response = await options.handler({ Records: records });
      failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (error) {
      // As in Lambda: an invocation that throws fails the whole batch.
      options.logger.error('worker invocation failed', { error: error instanceof Error ? error.message : String(error) });
      failed = new Set(records.map((r) => r.messageId));
    } finally {
      // The batch is over: what failed shows again when its current visibility ends.
      const heartbeat = options.heartbeat;
      if (heartbeat) await Promise.all(records.map((r) => heartbeat.release(r.receiptHandle)));
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length === 0) return;
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
  };

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const out = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        ...(options.heartbeat ? { VisibilityTimeout: options.heartbeat.settings.initialSeconds } : {}),
        // AWS honours either; local-aws-sqs reports ApproximateReceiveCount only for the older AttributeNames.
        MessageSystemAttributeNames: ['All'],
        AttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    const messages = out.Messages ?? [];
    for (const m of messages) options.heartbeat?.track(m.ReceiptHandle!);
    return messages;
  };

  /**
   * AWS answers a long poll as soon as any message is there. local-aws-sqs holds
   * it until MaxNumberOfMessages have arrived or the wait ends, so we wait for one
   * and then top the batch up without waiting: the same batches, on both.
   */
  const receiveBatch = async (): Promise<Message[]> => {
    const batchSize = options.batchSize ?? 10;
    const first = await receive(1, options.waitTimeSeconds ?? 20);
    if (first.length === 0 || batchSize === 1) return first;
    return [...first, ...(await receive(batchSize - 1, 0))];
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      let messages: Message[];
      try {
        messages = await receiveBatch();
      } catch (error) {
        if (stopping) return;
        options.logger.warn('receive failed; retrying', { error: error instanceof Error ? error.message : String(error) });
        await delay(1_000);
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await invoke(messages);
      } catch (error) {
        options.logger.warn('deleting finished messages failed; they will be redelivered', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };

  const loops = Array.from({ length: options.maxConcurrency }, () => loop());
  return {
    stop: async () => {
      stopping = true;
      abort.abort();
      await Promise.all(loops);
    },
  };
}

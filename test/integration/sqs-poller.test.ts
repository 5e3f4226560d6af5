/**
 * The local poller on local-aws-sqs: what Lambda's event source would hand the
 * worker (receive counts), and the visibility heartbeat that lets a restarted
 * runtime see its predecessor's messages again within seconds.
 */
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SqsQueue } from '../../adapters/aws/sqs-queue.js';
import type { Logger } from '../../core/kernel/ports.js';
import { startSqsPoller } from '../../local/sqs-poller.js';
import { VisibilityHeartbeat } from '../../local/visibility-heartbeat.js';
import { freshQueue } from './backends.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(50);
  }
}

describe('the local SQS poller', () => {
  it('hands the worker the receive count SQS reports, rising on each delivery', async () => {
    const { sqs, queueUrl } = await freshQueue({ visibilityTimeoutSeconds: 1, maxReceiveCount: 10 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'again and again' }));
    const counts: string[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      for (const r of event.Records) counts.push(r.attributes.ApproximateReceiveCount);
      // Failed until the third delivery, which succeeds.
      return { batchItemFailures: counts.length < 3 ? event.Records.map((r) => ({ itemIdentifier: r.messageId })) : [] };
    };
    const poller = startSqsPoller({
      sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:t',
      region: 'us-east-1',
      handler,
      logger: quiet,
      maxConcurrency: 1,
      waitTimeSeconds: 1,
    });
    try {
      await until(() => counts.length >= 3, 15_000);
    } finally {
      await poller.stop();
    }
    expect(counts).toEqual(['1', '2', '3']);
  });

  it('keeps a message hidden while its batch runs, past the short visibility, and lets a backoff set meanwhile stand', async () => {
    const { sqs, queueUrl, deadLetterQueueUrl } = await freshQueue({ visibilityTimeoutSeconds: 30, maxReceiveCount: 10 });
    const heartbeat = new VisibilityHeartbeat(sqs, queueUrl, quiet, { initialSeconds: 2, maxSeconds: 30 });
    const queue = heartbeat.releasing(new SqsQueue(sqs, queueUrl, deadLetterQueueUrl));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'postponed' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'slow' }));

    let postponedAt = 0;
    let batchEndedAt = 0;
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      await Promise.all(
        event.Records.map(async (r) => {
          if (r.body === 'postponed') {
            await queue.postpone(r.receiptHandle, 8);
            postponedAt = Date.now();
          } else await delay(3_000);
        }),
      );
      batchEndedAt = Date.now();
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    };
    const poller = startSqsPoller({
      sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:t',
      region: 'us-east-1',
      handler,
      logger: quiet,
      maxConcurrency: 1,
      waitTimeSeconds: 1,
      heartbeat,
    });

    // A second consumer, as another runtime would be: when does each message show again?
    const seen = new Map<string, number>();
    let stopped: Promise<void> | undefined;
    const spy = (async () => {
      await until(() => postponedAt > 0, 10_000);
      stopped = poller.stop(); // its batch runs on; it takes nothing new
      while (seen.size < 2 && Date.now() - postponedAt < 20_000) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }),
        );
        for (const m of out.Messages ?? []) if (!seen.has(m.Body!)) seen.set(m.Body!, Date.now());
        await delay(100);
      }
    })();
    await spy;
    await stopped;

    expect(batchEndedAt).toBeGreaterThan(0);
    expect(heartbeat.size).toBe(0);
    // The slow one stayed hidden while its batch ran (3 s, past the 2 s it was received with)...
    expect(seen.get('slow')).toBeGreaterThanOrEqual(batchEndedAt);
    // ...and showed again when its last extension ended, long before the queue's 30 s.
    expect(seen.get('slow')! - batchEndedAt).toBeLessThan(10_000);
    // The backoff of 8 s was not cut short by an extension meant for the batch.
    expect(seen.get('postponed')! - postponedAt).toBeGreaterThanOrEqual(7_000);
  }, 40_000);
});

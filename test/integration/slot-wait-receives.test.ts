/**
 * A message that waits a long time for a concurrency slot must not reach the DLQ
 * through SQS's maxReceiveCount: every wait is a receive. On local-aws-sqs (which
 * counts a ChangeMessageVisibility as a receive too, so it reaches the cap sooner
 * than AWS) with maxReceiveCount 4: without re-sending, the waiting message is
 * parked in the DLQ; with it, it waits as long as the slot is taken and then runs once.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SqsQueue } from '../../adapters/aws/sqs-queue.js';
import { realSleep, systemClock } from '../../adapters/system-clock.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { behaveLikeAws } from './aws-like-sqs.js';
import { freshQueue } from './backends.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

async function setup(resendAfterReceives: number) {
  const { sqs, queueUrl, deadLetterQueueUrl } = await freshQueue({ visibilityTimeoutSeconds: 30, maxReceiveCount: 4 });
  behaveLikeAws(sqs);
  const deps = { ...memoryDeps(), clock: systemClock, sleep: realSleep, random: () => 0 };
  const queue = new SqsQueue(sqs, queueUrl, deadLetterQueueUrl);
  const at = new Date().toISOString();
  deps.runtimeSettings.remember(
    await deps.settingsStore.put({ maxConcurrency: 1, jobDefaults: BUILT_IN_POLICY, retentionDays: 30 }, { at }),
  );
  // Another worker holds the one slot for a long while.
  const stuck = await deps.slots.acquire({ want: 1, limit: 1, holder: 'stuck', leaseUntil: '2999-01-01T00:00:00.000Z', now: at });
  const worker = createWorkerHandler({ ...deps, queue }, { resendAfterReceives });
  const receive = async (url: string): Promise<Message[]> =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, AttributeNames: ['All'] })))
      .Messages ?? [];
  /** One receive and its batch, as Lambda's event source runs it: acknowledged unless reported failed. */
  const round = async () => {
    const messages = await receive(queueUrl);
    if (messages.length === 0) return;
    const records = messages.map(
      (m) =>
        ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body!,
          attributes: m.Attributes ?? {},
        }) as unknown as SQSRecord,
    );
    const { batchItemFailures } = await worker({ Records: records });
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of messages.filter((m) => !failed.has(m.MessageId!)))
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  };
  const occurrence = anOccurrence({ jobId: 'waits', scheduledFor: at, handler: 'log', timeoutMs: 5_000 });
  await queue.send([{ ...occurrence, delaySeconds: 0 }]);
  return { deps, round, receive, deadLetterQueueUrl, occurrence, free: () => deps.slots.release(stuck) };
}

describe('a message waiting for a concurrency slot on local-aws-sqs with maxReceiveCount 4', () => {
  it('lands in the DLQ when it is only postponed (the failure this guards against)', { timeout: 60_000 }, async () => {
    const { round, receive, deadLetterQueueUrl } = await setup(Number.POSITIVE_INFINITY);
    let parked: Message[] = [];
    for (let i = 0; i < 10 && parked.length === 0; i++) {
      await round();
      parked = await receive(deadLetterQueueUrl).catch(() => []);
    }
    expect(parked).toHaveLength(1);
  });

  it('never reaches the DLQ when it goes out again as a fresh copy, and runs once when the slot frees', { timeout: 90_000 }, async () => {
    const { deps, round, receive, deadLetterQueueUrl, occurrence, free } = await setup(2);
    for (let i = 0; i < 8; i++) await round();
    expect(await deps.executions.get(occurrence.jobId, occurrence.scheduledFor)).toBeUndefined();
    await free();
    for (let i = 0; i < 6 && !(await deps.executions.get(occurrence.jobId, occurrence.scheduledFor)); i++) await round();
    expect(await deps.executions.get(occurrence.jobId, occurrence.scheduledFor)).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(await receive(deadLetterQueueUrl)).toEqual([]);
    expect(deps.logger.lines.some((l) => /fresh copy/.test(l.message))).toBe(true);
  });
});

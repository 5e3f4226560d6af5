import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { MemoryQueue } from '../../adapters/memory/memory-queue.js';
import { SqsQueue } from '../../adapters/aws/sqs-queue.js';
import { systemClock } from '../../adapters/system-clock.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { behaveLikeAws } from './aws-like-sqs.js';
import { freshQueue } from './backends.js';
import { queueContract } from './contracts/queue.contract.js';

queueContract('memory', async () => {
  // After every instant the contract's occurrences have by default: those are due.
  const clock = new FakeClock('2026-06-01T00:00:00.000Z');
  const queue = new MemoryQueue(clock);
  return {
    queue,
    clock,
    wait: clock.sleep,
    drain: async () => queue.takeVisible(),
    refuseBodiesContaining: (marker) => {
      queue.refuses = (body) => (body.includes(marker) ? 'InvalidMessageContents' : undefined);
    },
  };
});

// local-aws-sqs takes batches and bodies AWS refuses: the client is made to refuse them as AWS does.
queueContract("SQS on local-aws-sqs, with AWS's limits", async () => {
  const { sqs, queueUrl, deadLetterQueueUrl } = await freshQueue();
  let marker: string | undefined;
  behaveLikeAws(sqs, { refuse: (body) => marker !== undefined && body.includes(marker) });
  const drain = async (): Promise<unknown[]> => {
    const received: unknown[] = [];
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) return received;
      received.push(...messages.map((m) => JSON.parse(m.Body!) as unknown));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };
  return {
    queue: new SqsQueue(sqs, queueUrl, deadLetterQueueUrl),
    clock: systemClock,
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    drain,
    refuseBodiesContaining: (m) => {
      marker = m;
    },
  };
});

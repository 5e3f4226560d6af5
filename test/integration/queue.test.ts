import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { MemoryQueue } from '../../core/adapters/memory/memory-queue.js';
import { SqsQueue } from '../../core/adapters/aws/sqs-queue.js';
import type { Occurrence } from '../../core/occurrence.js';
import { freshQueue } from './backends.js';
import { queueContract } from './contracts/queue.contract.js';

queueContract('memory', async () => {
  const queue = new MemoryQueue();
  return { queue, drain: async () => queue.takeVisible() };
});

queueContract('SQS on local-aws-sqs', async () => {
  const { sqs, queueUrl, deadLetterQueueUrl } = await freshQueue();
  const drain = async (): Promise<Occurrence[]> => {
    const received: Occurrence[] = [];
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) return received;
      received.push(...messages.map((m) => JSON.parse(m.Body!) as Occurrence));
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  };
  return { queue: new SqsQueue(sqs, queueUrl, deadLetterQueueUrl), drain };
});

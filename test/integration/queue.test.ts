import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { MemoryQueue } from '../../core/adapters/memory/memory-queue.js';
import { SqsQueue } from '../../core/adapters/aws/sqs-queue.js';
import { freshQueue } from './backends.js';
import { queueContract } from './contracts/queue.contract.js';

queueContract('memory', async () => {
  const queue = new MemoryQueue();
  return { queue, drain: async () => queue.takeVisible() };
});

queueContract('SQS on local-aws-sqs', async () => {
  const { sqs, queueUrl, deadLetterQueueUrl } = await freshQueue();
  const drain = async (): Promise<unknown[]> => {
    const received: unknown[] = [];
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) return received;
      received.push(...messages.map((m) => JSON.parse(m.Body!) as unknown));
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  };
  return { queue: new SqsQueue(sqs, queueUrl, deadLetterQueueUrl), drain };
});

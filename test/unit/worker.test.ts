import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryExecutionStore } from '../../core/adapters/memory/memory-execution-store.js';
import { MemoryJobStore } from '../../core/adapters/memory/memory-job-store.js';
import { MemoryQueue } from '../../core/adapters/memory/memory-queue.js';
import { encodeOccurrence } from '../../core/occurrence.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { createHandlers } from '../../handlers/index.js';
import { anOccurrence, MemoryLogger } from '../helpers/factories.js';
import { FakeClock } from '../helpers/fake-clock.js';

const record = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: messageId, attributes: {}, messageAttributes: {} }) as unknown as SQSRecord;

describe('worker handler', () => {
  it('reports only the failed records, so SQS redelivers just those', async () => {
    const clock = new FakeClock('2026-01-01T00:01:00.000Z');
    const executions = new MemoryExecutionStore();
    const handler = createWorkerHandler({
      jobs: new MemoryJobStore(),
      executions,
      queue: new MemoryQueue(),
      clock,
      logger: new MemoryLogger(),
      handlers: createHandlers(),
      newId: () => 'x',
      sleep: clock.sleep,
      leaseMs: 60_000,
    });

    const response = await handler({
      Records: [
        record('ok', encodeOccurrence(anOccurrence({ jobId: 'a', handler: 'log' }))),
        record('fails', encodeOccurrence(anOccurrence({ jobId: 'b', handler: 'fail' }))),
        record('garbage', 'not json'),
        record('wrong-shape', JSON.stringify({ jobId: 'c' })),
      ],
    });

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['fails', 'garbage', 'wrong-shape']);
    expect(await executions.get('a', '2026-01-01T00:01:00.000Z')).toMatchObject({ status: 'succeeded' });
    expect(await executions.get('b', '2026-01-01T00:01:00.000Z')).toMatchObject({
      status: 'failed',
      error: { name: 'FailHandlerError', message: 'the fail handler always fails' },
    });
  });
});

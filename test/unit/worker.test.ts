import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryExecutionStore } from '../../core/adapters/memory/memory-execution-store.js';
import { MemoryJobStore } from '../../core/adapters/memory/memory-job-store.js';
import { MemoryQueue } from '../../core/adapters/memory/memory-queue.js';
import { encodeOccurrence } from '../../core/occurrence.js';
import { BUILT_IN_POLICY } from '../../core/retry.js';
import { createDeadLetterHandler } from '../../functions/dead-letter.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { createHandlers } from '../../handlers/index.js';
import { anOccurrence, MemoryLogger } from '../helpers/factories.js';
import { FakeClock } from '../helpers/fake-clock.js';

const record = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: `receipt-${messageId}`, attributes: {}, messageAttributes: {} }) as unknown as SQSRecord;

function setup() {
  const clock = new FakeClock('2026-01-01T00:01:00.000Z');
  const executions = new MemoryExecutionStore();
  const queue = new MemoryQueue(clock);
  const deps = {
    jobs: new MemoryJobStore(),
    executions,
    queue,
    clock,
    logger: new MemoryLogger(),
    handlers: createHandlers(),
    newId: () => 'x',
    sleep: clock.sleep,
    random: () => 0.5,
    jobDefaults: BUILT_IN_POLICY,
  };
  return { deps, executions, queue, worker: createWorkerHandler(deps), deadLetters: createDeadLetterHandler(deps) };
}

describe('worker handler', () => {
  it('reports only the failed records, each hidden for its backoff, so SQS redelivers just those', async () => {
    const { worker, executions, queue } = setup();
    const response = await worker({
      Records: [
        record('ok', encodeOccurrence(anOccurrence({ jobId: 'a', handler: 'log' }))),
        record('fails', encodeOccurrence(anOccurrence({ jobId: 'b', handler: 'fail' }))),
        record('garbage', 'not json'),
        record('wrong-shape', JSON.stringify({ jobId: 'c' })),
      ],
    });

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['fails', 'garbage', 'wrong-shape']);
    expect(queue.postponed).toEqual([{ deliveryHandle: 'receipt-fails', delaySeconds: 10 }]);
    expect(await executions.get('a', '2026-01-01T00:01:00.000Z')).toMatchObject({ status: 'succeeded' });
    expect(await executions.get('b', '2026-01-01T00:01:00.000Z')).toMatchObject({
      status: 'failed',
      error: { name: 'FailHandlerError', message: 'the fail handler always fails' },
    });
  });

  it('parks a dead occurrence in the dead-letter queue and acknowledges it', async () => {
    const { worker, queue } = setup();
    const occurrence = anOccurrence({ jobId: 'd', handler: 'fail', maxAttempts: 1 });
    const response = await worker({ Records: [record('last', encodeOccurrence(occurrence))] });
    expect(response.batchItemFailures).toEqual([]);
    expect(queue.deadLetters).toEqual([{ occurrence, reason: 'attempts-exhausted' }]);
  });
});

describe('dead-letter consumer', () => {
  it('records a message SQS moved to the DLQ itself, and leaves finished records alone', async () => {
    const { deadLetters, executions, worker } = setup();
    const lost = anOccurrence({ jobId: 'lost' });
    const done = anOccurrence({ jobId: 'done', handler: 'log' });
    await worker({ Records: [record('done', encodeOccurrence(done))] });

    const response = await deadLetters({
      Records: [record('1', encodeOccurrence(lost)), record('2', encodeOccurrence(done)), record('3', 'garbage')],
    });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '3' }]);
    expect(await executions.get('lost', lost.scheduledFor)).toMatchObject({ status: 'dead', deadReason: 'max-receives' });
    expect(await executions.get('done', done.scheduledFor)).toMatchObject({ status: 'succeeded' });
    expect((await executions.listDead({ limit: 10 })).items.map((e) => e.jobId)).toEqual(['lost']);
  });
});

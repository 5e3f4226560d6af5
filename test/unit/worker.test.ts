import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { encodeOccurrence } from '../../core/execution/occurrence.js';
import { createDeadLetterHandler } from '../../functions/dead-letter.js';
import { createWorkerHandler, RETRY_UNAVAILABLE_SECONDS } from '../../functions/worker.js';
import { claimGroupOf } from '../../core/execution/bundle.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const record = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: `receipt-${messageId}`, attributes: {}, messageAttributes: {} }) as unknown as SQSRecord;

function setup() {
  const deps = memoryDeps('2026-01-01T00:01:00.000Z');
  return {
    deps,
    executions: deps.executions,
    queue: deps.queue,
    worker: createWorkerHandler(deps),
    deadLetters: createDeadLetterHandler(deps),
  };
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

describe('worker handler when the store is unavailable', () => {
  it('has the message come back in a few seconds, not after the whole visibility timeout', async () => {
    const { deps, queue } = setup();
    const worker = createWorkerHandler({
      ...deps,
      claims: {
        claim: async () => {
          throw new StoreUnavailableError('DynamoDB UpdateItem failed: the service is unavailable');
        },
        release: async () => false,
      },
    });
    const o = anOccurrence({ jobId: 'a', scheduledFor: '2026-01-01T00:01:00.000Z' });
    const response = await worker({
      Records: [record('b', JSON.stringify({ group: claimGroupOf(o), occurrences: [JSON.parse(encodeOccurrence(o))] }))],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
    expect(queue.postponed).toEqual([{ deliveryHandle: 'receipt-b', delaySeconds: RETRY_UNAVAILABLE_SECONDS }]);
  });
});

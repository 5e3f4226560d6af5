/**
 * DynamoDB throttling the concurrency slots: a delivery whose slot cannot be taken
 * comes back in RETRY_UNAVAILABLE_SECONDS with nothing claimed or counted; a slot
 * that cannot be let go is left to its lease, and the run's outcome stands.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { encodeOccurrence } from '../../core/execution/occurrence.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { createWorkerHandler, RETRY_UNAVAILABLE_SECONDS } from '../../functions/worker.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const at = '2026-01-01T00:01:00.000Z';
const record = (body: string): SQSRecord =>
  ({
    messageId: 'm',
    body,
    receiptHandle: 'r',
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
  }) as unknown as SQSRecord;
const throttled = () => Promise.reject(new StoreUnavailableError('DynamoDB UpdateItem failed: the service is unavailable'));

async function limited() {
  const deps = memoryDeps(at);
  deps.runtimeSettings.remember(
    await deps.settingsStore.put({ maxConcurrency: 2, jobDefaults: BUILT_IN_POLICY, retentionDays: 30 }, { at }),
  );
  return deps;
}

describe('the concurrency slots when DynamoDB throttles', () => {
  it('a slot that cannot be taken: the message comes back soon, nothing claimed, no attempt counted', async () => {
    const deps = await limited();
    deps.slots.acquire = throttled;
    const occurrence = anOccurrence({ jobId: 'a', handler: 'log' });
    const answer = await createWorkerHandler(deps)({ Records: [record(encodeOccurrence(occurrence))] });
    expect(answer.batchItemFailures).toHaveLength(1);
    expect(deps.queue.postponed).toEqual([{ deliveryHandle: 'r', delaySeconds: RETRY_UNAVAILABLE_SECONDS }]);
    expect(await deps.executions.get('a', occurrence.scheduledFor)).toBeUndefined();
  });

  it('a slot that cannot be let go: the outcome stands, the log says so, the lease frees it', async () => {
    const deps = await limited();
    deps.slots.release = throttled;
    const occurrence = anOccurrence({ jobId: 'b', handler: 'log' });
    const answer = await createWorkerHandler(deps)({ Records: [record(encodeOccurrence(occurrence))] });
    expect(answer.batchItemFailures).toEqual([]);
    expect(await deps.executions.get('b', occurrence.scheduledFor)).toMatchObject({ status: 'succeeded' });
    expect(deps.logger.lines.some((l) => /could not release concurrency slots/.test(l.message))).toBe(true);
  });
});

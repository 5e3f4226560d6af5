/**
 * A worker killed holding concurrency slots: at each of its store calls in turn
 * (before or after its slot, its claim, its outcome, its release), for a single
 * occurrence and for a bundle. Its slots free themselves when their lease ends,
 * the next delivery takes them and the occurrence ends succeeded; until then no
 * other run gets the slot.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { bundle, encodeBundle } from '../../core/execution/bundle.js';
import { slotLeaseMs } from '../../core/execution/concurrency.js';
import { encodeOccurrence } from '../../core/execution/occurrence.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { Life, mortal } from '../simulation/mortal.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const at = '2026-01-01T00:01:00.000Z';
const record = (id: string, body: string, receipt: string): SQSRecord =>
  ({
    messageId: id,
    body,
    receiptHandle: receipt,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
  }) as unknown as SQSRecord;

async function setup() {
  const deps = memoryDeps(at);
  deps.runtimeSettings.remember(
    await deps.settingsStore.put({ maxConcurrency: 1, jobDefaults: BUILT_IN_POLICY, retentionDays: 30 }, { at }),
  );
  return deps;
}

const single = anOccurrence({ jobId: 'solo', handler: 'log', timeoutMs: 5_000 });
const pair = bundle([anOccurrence({ jobId: 'b1', handler: 'log', timeoutMs: 5_000 })])[0]!;

describe.each([
  ['a single occurrence', encodeOccurrence(single), [single]],
  ['a bundle', encodeBundle(pair), pair.occurrences],
])('a worker killed while it runs %s under the limit', (_, body, occurrences) => {
  it.each([1, 2, 3, 4])('at its store call %i frees its slot when the lease ends; the next delivery runs it', async (dieAt) => {
    const deps = await setup();
    const life = new Life('doomed', { dieAtCall: dieAt });
    const doomed = createWorkerHandler({ ...mortal(deps, life), slots: life.port(deps.slots, 'slots') });
    void doomed({ Records: [record('m', body, 'first')] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(life.dead).toBe(true);

    // While its lease lasts, the slot it may hold is not given to anyone else.
    const other = createWorkerHandler(deps);
    const held = deps.slots.heldAt(deps.clock.now().toISOString());
    if (held > 0) {
      const blocked = await other({ Records: [record('m', body, 'second')] });
      expect(blocked.batchItemFailures).toHaveLength(1);
      expect(deps.queue.postponed.at(-1)).toMatchObject({ deliveryHandle: 'second' });
    }

    deps.clock.advance(slotLeaseMs(5_000) + 1_000);
    const after = await other({ Records: [record('m', body, 'third')] });
    expect(after.batchItemFailures).toEqual([]);
    for (const o of occurrences) expect(await deps.executions.get(o.jobId, o.scheduledFor)).toMatchObject({ status: 'succeeded' });
    expect(deps.slots.heldAt(deps.clock.now().toISOString())).toBe(0);
  });
});

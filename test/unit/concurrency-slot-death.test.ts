/**
 * A worker killed holding concurrency slots: at each of its store calls in turn
 * (before or after its slot, its claim, its outcome, its release), for a single
 * occurrence and for a bundle. Its slots free themselves when their lease ends,
 * the next delivery takes them and the occurrence ends succeeded; until then no
 * other run gets the slot. And a limit set over the API reaches a worker that had
 * read the settings before, within their max age.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { bundle, encodeBundle } from '../../core/execution/bundle.js';
import { slotLeaseMs } from '../../core/execution/concurrency.js';
import { encodeOccurrence } from '../../core/execution/occurrence.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { Life, mortal } from '../simulation/mortal.js';
import { CachedSettings } from '../../core/settings/cached-settings.js';
import { SETTINGS_MAX_AGE_MS } from '../../core/settings/runtime-settings.js';
import { ConfigService } from '../../core/service/config-service.js';
import { HandlerRegistry } from '../../core/execution/handlers.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const at = '2026-01-01T00:01:00.000Z';
const configured = { maxConcurrency: null, jobDefaults: BUILT_IN_POLICY, retentionDays: 30 };
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

describe('a limit set with PUT /v1/config', () => {
  it('reaches a worker that had read the settings before it within SETTINGS_MAX_AGE_MS, and applies to new starts', async () => {
    const deps = memoryDeps(at);
    const worker = new CachedSettings(deps.settingsStore, configured, deps.clock, deps.logger);
    expect((await worker.current()).maxConcurrency).toBeNull();
    await new ConfigService(deps).put({ maxConcurrency: 1, jobDefaults: {}, retentionDays: 30 }, {});

    let open = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const handlers = new HandlerRegistry({
      hold: () =>
        new Promise<void>((resolve) => {
          most = Math.max(most, ++open);
          gates.push(() => (open--, resolve()));
        }),
    });
    const run = createWorkerHandler({ ...deps, handlers, runtimeSettings: worker });
    const deliver = (jobId: string) =>
      run({ Records: [record(jobId, encodeOccurrence(anOccurrence({ jobId, handler: 'hold', timeoutMs: 5_000 })), `r-${jobId}`)] });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

    // Still on the settings it read: no limit yet, both start.
    const early = [deliver('a'), deliver('b')];
    await settle();
    expect(open).toBe(2);
    gates.splice(0).forEach((open) => open());
    await Promise.all(early);

    deps.clock.advance(SETTINGS_MAX_AGE_MS);
    most = 0;
    const late = [deliver('c'), deliver('d')];
    await settle();
    gates.splice(0).forEach((open) => open());
    const answers = await Promise.all(late);
    expect(most).toBe(1);
    expect(answers.filter((a) => a.batchItemFailures.length > 0)).toHaveLength(1);
  });
});

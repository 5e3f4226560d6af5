/**
 * The global concurrency limit under load: many deliveries at once (single
 * occurrences, bundles, duplicates, copies re-sent), handlers that count how many
 * of them run at once themselves, a limit that changes half-way. Seeded: a failure
 * prints its seed, and CONCURRENCY_SEED=n replays one.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../adapters/faults/prng.js';
import { realSleep, systemClock } from '../../adapters/system-clock.js';
import { bundle, encodeBundle } from '../../core/execution/bundle.js';
import { HandlerRegistry } from '../../core/execution/handlers.js';
import { encodeOccurrence, type Occurrence } from '../../core/execution/occurrence.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const seeds = process.env.CONCURRENCY_SEED ? [Number(process.env.CONCURRENCY_SEED)] : [1, 2, 3, 4, 5, 6];

interface Message {
  id: number;
  body: string;
  receives: number;
}

async function run(seed: number) {
  const random = mulberry32(seed);
  const limit = 1 + Math.floor(random() * 6);
  const deps = { ...memoryDeps(), clock: systemClock, sleep: realSleep, random };
  const at = new Date(Date.now() - 1_000).toISOString();
  let running = 0;
  let most = 0;
  const runs = new Map<string, number>();
  deps.handlers = new HandlerRegistry({
    measure: async (_payload, ctx) => {
      running++;
      most = Math.max(most, running);
      runs.set(`${ctx.jobId}@${ctx.scheduledFor}`, (runs.get(`${ctx.jobId}@${ctx.scheduledFor}`) ?? 0) + 1);
      await realSleep(1 + Math.floor(random() * 8));
      running--;
    },
  });
  const put = async (maxConcurrency: number) =>
    deps.runtimeSettings.remember(
      await deps.settingsStore.put({ maxConcurrency, jobDefaults: BUILT_IN_POLICY, retentionDays: 30 }, { at }),
    );
  await put(limit);

  const pool: Message[] = [];
  let ids = 0;
  const add = (body: string) => pool.push({ id: ++ids, body, receives: 0 });
  const occurrence = (i: number): Occurrence =>
    anOccurrence({ jobId: `job-${seed}-${i}`, scheduledFor: at, handler: 'measure', timeoutMs: 5_000 });
  const singles = Array.from({ length: 30 }, (_, i) => occurrence(i));
  const bundled = Array.from({ length: 60 }, (_, i) => occurrence(100 + i));
  for (const o of singles) add(encodeOccurrence(o));
  for (const b of bundle(bundled)) add(encodeBundle(b));
  // At-least-once: some messages come twice.
  for (const m of [...pool]) if (random() < 0.2) add(m.body);
  // Copies the worker sends again (a long wait for a slot) join the pool.
  deps.queue.send = async (os) => void os.forEach((o) => add(encodeOccurrence(o)));
  deps.queue.sendBundles = async (bs) => void bs.forEach((b) => add(encodeBundle(b)));
  deps.queue.postpone = async () => undefined;
  const worker = createWorkerHandler(deps, { resendAfterReceives: 6 });

  const event = (m: Message): SQSEvent => ({
    Records: [
      {
        messageId: String(m.id),
        body: m.body,
        receiptHandle: `r-${m.id}-${m.receives}`,
        attributes: { ApproximateReceiveCount: String(m.receives) },
        messageAttributes: {},
      } as unknown as SQSRecord,
    ],
  });
  for (let round = 0; pool.length > 0 && round < 400; round++) {
    if (round === 20) await put(Math.max(1, limit - 1));
    const now = pool.splice(0, pool.length).sort(() => random() - 0.5);
    await Promise.all(
      now.map(async (m) => {
        m.receives++;
        const { batchItemFailures } = await worker(event(m));
        if (batchItemFailures.length > 0) pool.push(m);
      }),
    );
  }
  return { limit, most, runs, pool, expected: [...singles, ...bundled], slots: deps.slots };
}

describe('the global concurrency limit', () => {
  it.each(seeds)('never lets more handlers run at once than the limit, and runs each occurrence once (seed %i)', async (seed) => {
    const { limit, most, runs, pool, expected, slots } = await run(seed);
    expect(pool, `seed ${seed}: messages left waiting`).toEqual([]);
    expect(most, `seed ${seed}`).toBeLessThanOrEqual(limit);
    expect(most, `seed ${seed}: the limit was used`).toBeGreaterThanOrEqual(Math.min(2, limit - 1));
    for (const o of expected) expect(runs.get(`${o.jobId}@${o.scheduledFor}`), `seed ${seed}: ${o.jobId}`).toBe(1);
    expect(slots.heldAt(new Date().toISOString())).toBe(0);
  });
});

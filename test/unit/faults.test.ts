/** The fault decorators (adapters/faults) and SCHEDULER_FAULTS: each fault does what it says, from its seed. */
import { describe, expect, it } from 'vitest';
import { FaultInjector, injectFaults, InjectedFaultError, NO_FAULTS, withFaults, type FaultPlan } from '../../adapters/faults/index.js';
import { MemoryJobStore } from '../../adapters/memory/memory-job-store.js';
import { MemoryQueue } from '../../adapters/memory/memory-queue.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { ConfigError } from '../../functions/config.js';
import { parseFaultPlan } from '../../functions/faults-config.js';
import { aJob, anOccurrence } from '../helpers/factories.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const plan = (overrides: Partial<FaultPlan>): FaultPlan => ({ ...NO_FAULTS, seed: 7, ...overrides });
const always = (kind: keyof FaultPlan) => new FaultInjector(plan({ [kind]: 1 }));

describe('withFaults', () => {
  it('fail: the call never reaches the port, and throws a StoreUnavailableError', async () => {
    const store = new MemoryJobStore();
    const job = aJob();
    await expect(withFaults(store, 'jobs', always('fail'), async () => {}).create(job)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await store.get(job.id)).toBeUndefined();
  });

  it('fail-after: the write happens, yet the caller sees an error', async () => {
    const store = new MemoryJobStore();
    const job = aJob();
    await expect(withFaults(store, 'jobs', always('failAfter'), async () => {}).create(job)).rejects.toBeInstanceOf(InjectedFaultError);
    expect(await store.get(job.id)).toMatchObject({ id: job.id });
  });

  it('timeout: waits timeoutMs on the injected sleep, then fails without writing', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const store = new MemoryJobStore();
    const faults = new FaultInjector(plan({ timeout: 1, timeoutMs: 2_500 }));
    await expect(withFaults(store, 'jobs', faults, clock.sleep).create(aJob())).rejects.toThrow(/timeout after 2500 ms/);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:02.500Z');
    expect((await store.list({ limit: 10 })).items).toEqual([]);
  });

  it('the same seed breaks the same calls; disabled, nothing breaks', async () => {
    const outcomes = async (faults: FaultInjector) => {
      const store = withFaults(new MemoryJobStore(), 'jobs', faults, async () => {});
      return Promise.all(
        Array.from({ length: 200 }, () =>
          store.get('x').then(
            () => 'ok',
            () => 'failed',
          ),
        ),
      );
    };
    const a = await outcomes(new FaultInjector(plan({ fail: 0.2 })));
    expect(a).toEqual(await outcomes(new FaultInjector(plan({ fail: 0.2 }))));
    expect(a.filter((o) => o === 'failed').length).toBeGreaterThan(10);
    const off = new FaultInjector(plan({ fail: 1 }));
    off.enabled = false;
    expect(new Set(await outcomes(off))).toEqual(new Set(['ok']));
  });
});

describe('faultyQueue', () => {
  const deps = (faults: FaultInjector) => {
    const base = memoryDeps();
    return { base, faulty: injectFaults(base, faults, base.sleep) };
  };

  it('lose-send: reports success and sends nothing', async () => {
    const { base, faulty } = deps(always('loseSend'));
    await faulty.queue.send([anOccurrence()]);
    await faulty.queue.sendToDeadLetters(anOccurrence(), 'attempts-exhausted');
    expect(base.queue.sent).toEqual([]);
    expect(base.queue.deadLetters).toEqual([]);
  });

  it('duplicate: every message goes out twice', async () => {
    const { base, faulty } = deps(always('duplicate'));
    await faulty.queue.sendBundles([{ group: 'g', occurrences: [anOccurrence()] }]);
    expect(base.queue.bundles).toHaveLength(2);
  });

  it('delay: returns at once; the message reaches the queue delayMs later', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const queue = new MemoryQueue(clock);
    const later: (() => void)[] = [];
    const faulty = injectFaults(
      { ...memoryDeps(), queue },
      always('delay'),
      (ms) => new Promise<void>((resolve) => later.push(() => (clock.advance(ms), resolve()))),
    );
    await faulty.queue.send([anOccurrence()]);
    expect(queue.sent).toEqual([]);
    later.forEach((wake) => wake());
    await new Promise((r) => setImmediate(r));
    expect(queue.sent).toHaveLength(1);
  });
});

describe('SCHEDULER_FAULTS', () => {
  it('parses every key, fills the rest, and is off when unset', () => {
    expect(parseFaultPlan(undefined)).toBeUndefined();
    expect(parseFaultPlan('off')).toBeUndefined();
    expect(
      parseFaultPlan('seed=42,fail=0.01,lose-send=0.01,duplicate=0.02,fail-after=0.5,timeout=0.1,delay=0.2,timeout-ms=100,delay-ms=900'),
    ).toEqual({
      seed: 42,
      fail: 0.01,
      loseSend: 0.01,
      duplicate: 0.02,
      failAfter: 0.5,
      timeout: 0.1,
      delay: 0.2,
      timeoutMs: 100,
      delayMs: 900,
    });
    expect(parseFaultPlan('fail=0.1', () => 5)).toMatchObject({ seed: 5, fail: 0.1, duplicate: 0 });
  });

  it.each(['fail=2', 'fail=-0.1', 'lose=0.1', 'seed=1.5', 'fail', 'fail=abc', 'timeout-ms=0', 'fail=0.1=2'])(
    'refuses "%s" loudly',
    (raw) => {
      expect(() => parseFaultPlan(raw)).toThrow(ConfigError);
    },
  );
});

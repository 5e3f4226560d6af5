import { describe, expect, it } from 'vitest';
import { MemorySettingsStore } from '../../adapters/memory/memory-settings-store.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { CachedSettings, SETTINGS_RETRY_AFTER_FAILURE_MS } from '../../core/settings/cached-settings.js';
import { SETTINGS_MAX_AGE_MS, type RuntimeSettings } from '../../core/settings/runtime-settings.js';
import { MemoryLogger } from '../helpers/factories.js';
import { FakeClock } from '../helpers/fake-clock.js';

const configured: RuntimeSettings = { maxConcurrency: null, jobDefaults: BUILT_IN_POLICY, retentionDays: 30 };
const limited = (n: number): RuntimeSettings => ({ ...configured, maxConcurrency: n });

function setup() {
  const clock = new FakeClock('2026-01-01T00:00:00.000Z');
  const store = new MemorySettingsStore();
  const logger = new MemoryLogger();
  let reads = 0;
  const counting = { get: () => (reads++, store.get()), put: store.put.bind(store) };
  return { clock, store, logger, source: new CachedSettings(counting, configured, clock, logger), reads: () => reads };
}

describe('CachedSettings', () => {
  it('reads the store at most once per max age, and shares a read among callers at once', async () => {
    const { clock, store, source, reads } = setup();
    expect(await source.current()).toEqual(configured);
    await store.put(limited(3), { at: clock.now().toISOString() });
    await Promise.all([source.current(), source.current()]);
    expect(reads()).toBe(1);
    clock.advance(SETTINGS_MAX_AGE_MS);
    const [a, b] = await Promise.all([source.current(), source.current()]);
    expect([a, b]).toEqual([limited(3), limited(3)]);
    expect(reads()).toBe(2);
  });

  it('keeps the last good value when a read fails, says so, and tries again soon', async () => {
    const { clock, store, source, logger, reads } = setup();
    await store.put(limited(4), { at: clock.now().toISOString() });
    expect(await source.current()).toEqual(limited(4));
    clock.advance(SETTINGS_MAX_AGE_MS);
    store.failReads = () => new StoreUnavailableError('throttled');
    expect(await source.current()).toEqual(limited(4));
    expect(logger.lines.some((e) => e.level === 'warn' && /keeping the last/.test(e.message))).toBe(true);
    store.failReads = undefined;
    await store.put(limited(9), { at: clock.now().toISOString() });
    clock.advance(SETTINGS_RETRY_AFTER_FAILURE_MS);
    expect(await source.current()).toEqual(limited(9));
    expect(reads()).toBe(3);
  });

  it('falls back to the configured defaults when no read has worked yet', async () => {
    const { store, source, logger } = setup();
    store.failReads = () => new StoreUnavailableError('down');
    expect(await source.current()).toEqual(configured);
    expect(logger.lines.some((e) => /configured defaults/.test(e.message))).toBe(true);
  });
});

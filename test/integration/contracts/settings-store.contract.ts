/** What every SettingsStore adapter must do; run against memory, DynamoDB Local and dynalite. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_POLICY } from '../../../core/jobs/policies.js';
import type { RuntimeSettings } from '../../../core/settings/runtime-settings.js';
import { StaleSettingsError, type SettingsStore } from '../../../core/settings/settings-store.js';

const settings = (maxConcurrency: number | null): RuntimeSettings => ({
  maxConcurrency,
  jobDefaults: { ...BUILT_IN_POLICY, timeoutMs: 5_000 },
  retentionDays: 7,
});
const at = '2026-01-01T00:00:00.000Z';

export function settingsStoreContract(name: string, make: () => Promise<SettingsStore>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip)(`SettingsStore contract: ${name}`, () => {
    it('has nothing before the first write, then the settings at version 1, 2, ...', async () => {
      const store = await make();
      expect(await store.get()).toBeUndefined();
      expect(await store.put(settings(5), { at })).toEqual({ settings: settings(5), version: 1, updatedAt: at });
      expect(await store.put(settings(null), { at })).toMatchObject({ version: 2 });
      expect(await store.get()).toEqual({ settings: settings(null), version: 2, updatedAt: at });
    });

    it('writes with an expected version only over that version (0: never written), and says which one is stored', async () => {
      const store = await make();
      await expect(store.put(settings(1), { at, expectedVersion: 3 })).rejects.toEqual(new StaleSettingsError(3, 0));
      expect(await store.put(settings(1), { at, expectedVersion: 0 })).toMatchObject({ version: 1 });
      const stale = await store.put(settings(2), { at, expectedVersion: 0 }).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(StaleSettingsError);
      expect(stale).toMatchObject({ expected: 0, actual: 1 });
      expect(await store.get()).toMatchObject({ settings: settings(1), version: 1 });
      expect(await store.put(settings(3), { at, expectedVersion: 1 })).toMatchObject({ version: 2 });
    });

    it('lets one of two writers of the same version win', async () => {
      const store = await make();
      const results = await Promise.allSettled([1, 2, 3].map((n) => store.put(settings(n), { at, expectedVersion: 0 })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ settings: RuntimeSettings }>;
      expect(await store.get()).toMatchObject({ version: 1, settings: winner.value.settings });
    });
  });
}

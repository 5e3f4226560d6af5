/** What every SchedulerPauseStore adapter must do; run against memory, DynamoDB Local and dynalite. */
import { describe, expect, it } from 'vitest';
import type { SchedulerPauseStore } from '../../../core/settings/scheduler-pause.js';

const first = { pausedAt: '2026-01-01T00:00:00.000Z', by: 'ana', note: 'migration' };

export function schedulerPauseContract(name: string, make: () => Promise<SchedulerPauseStore>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip)(`SchedulerPauseStore contract: ${name}`, () => {
    it('has no pause at first; a pause is kept as given, a resume clears it and says what it cleared', async () => {
      const store = await make();
      expect(await store.get()).toBeUndefined();
      expect(await store.pause(first)).toEqual({ changed: true, pause: first });
      expect(await store.get()).toEqual(first);
      expect(await store.resume()).toEqual(first);
      expect(await store.get()).toBeUndefined();
      expect(await store.resume()).toBeUndefined();
    });

    it('keeps the first pause: a second one changes nothing and answers the first', async () => {
      const store = await make();
      await store.pause(first);
      expect(await store.pause({ pausedAt: '2026-01-01T01:00:00.000Z' })).toEqual({ changed: false, pause: first });
      expect(await store.get()).toEqual(first);
    });

    it('keeps a pause without who or why as such', async () => {
      const store = await make();
      await store.pause({ pausedAt: first.pausedAt });
      expect(await store.get()).toEqual({ pausedAt: first.pausedAt });
    });

    it('lets one of several pauses at once win; the others answer it', async () => {
      const store = await make();
      const results = await Promise.all([1, 2, 3].map((n) => store.pause({ pausedAt: `2026-01-01T00:00:0${n}.000Z`, by: `p${n}` })));
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      const winner = results.find((r) => r.changed)!.pause;
      expect(results.map((r) => r.pause)).toEqual([winner, winner, winner]);
      expect(await store.get()).toEqual(winner);
    });
  });
}

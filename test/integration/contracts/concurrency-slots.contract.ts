/** What every ConcurrencySlots adapter must do; run against memory, DynamoDB Local and dynalite. */
import { describe, expect, it } from 'vitest';
import type { ConcurrencySlots } from '../../../core/execution/ports.js';

const t = (s: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + s * 1000).toISOString();
const ask = (holder: string, want: number, limit: number, leaseSeconds: number, nowSeconds: number) => ({
  holder,
  want,
  limit,
  leaseUntil: t(nowSeconds + leaseSeconds),
  now: t(nowSeconds),
});

export function concurrencySlotsContract(name: string, make: () => Promise<ConcurrencySlots>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip)(`ConcurrencySlots contract: ${name}`, () => {
    it('grants no more than the limit, whoever asks, and gives a released slot to the next', async () => {
      const slots = await make();
      const a = await slots.acquire(ask('a', 2, 3, 60, 0));
      const b = await slots.acquire(ask('b', 2, 3, 60, 0));
      expect(a.slots).toHaveLength(2);
      expect(b.slots).toHaveLength(1);
      expect(new Set([...a.slots, ...b.slots]).size).toBe(3);
      expect([...a.slots, ...b.slots].every((s) => s >= 0 && s < 3)).toBe(true);
      expect((await slots.acquire(ask('c', 1, 3, 60, 1))).slots).toEqual([]);
      await slots.release({ ...a, slots: [a.slots[0]!] });
      expect((await slots.acquire(ask('c', 5, 3, 60, 2))).slots).toEqual([a.slots[0]]);
    });

    it('frees the slot of a holder that died when its lease ends, and only then', async () => {
      const slots = await make();
      const dead = await slots.acquire(ask('dead', 1, 1, 10, 0));
      expect(dead.slots).toEqual([0]);
      expect((await slots.acquire(ask('next', 1, 1, 60, 10))).slots).toEqual([]);
      const next = await slots.acquire(ask('next', 1, 1, 60, 11));
      expect(next.slots).toEqual([0]);
      // The dead holder's late release does not take the slot from its new holder.
      await slots.release(dead);
      expect((await slots.acquire(ask('third', 1, 1, 60, 12))).slots).toEqual([]);
      await slots.release(next);
      expect((await slots.acquire(ask('third', 1, 1, 60, 12))).slots).toEqual([0]);
    });

    it('never gives one slot to two of many acquirers at once, across several items of slots', async () => {
      const slots = await make();
      const grants = await Promise.all(Array.from({ length: 30 }, (_, i) => slots.acquire(ask(`w${i}`, 3, 45, 60, 0))));
      const all = grants.flatMap((g) => g.slots);
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBeLessThanOrEqual(45);
      // Races may pass a chunk over, but what is left is there for the asking.
      const rest = await slots.acquire(ask('rest', 45, 45, 60, 1));
      expect(all.length + rest.slots.length).toBe(45);
    });

    it('applies a lower limit to new grants at once; slots above it are never granted', async () => {
      const slots = await make();
      expect((await slots.acquire(ask('a', 10, 10, 60, 0))).slots).toHaveLength(10);
      expect((await slots.acquire(ask('b', 1, 4, 60, 1))).slots).toEqual([]);
      const c = await slots.acquire(ask('c', 30, 30, 60, 1));
      expect(c.slots).toHaveLength(20);
      expect(c.slots.every((s) => s >= 10 && s < 30)).toBe(true);
    });
  });
}

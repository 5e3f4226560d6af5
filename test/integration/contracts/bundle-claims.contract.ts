/** What every BundleClaims adapter must do; run against memory, DynamoDB Local and dynalite. */
import { describe, expect, it } from 'vitest';
import { MAX_BUNDLE_SIZE, PAUSED_HOLDER } from '../../../core/execution/bundle.js';
import type { BundleClaims } from '../../../core/execution/ports.js';

const group = '2026-01-01T00:01:00.000Z#3';
const t = (s: number) => new Date(Date.parse('2026-01-01T00:01:00.000Z') + s * 1000).toISOString();
const holder = (id: string, leaseSeconds: number) => ({ id, leaseUntil: t(leaseSeconds) });

export function bundleClaimsContract(name: string, make: () => Promise<BundleClaims>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip)(`BundleClaims contract: ${name}`, () => {
    it('claims a whole bundle at once, and leaves to a second delivery nothing the first holds', async () => {
      const claims = await make();
      expect(await claims.claim(group, ['a', 'b', 'c'], holder('one', 60), t(0))).toEqual({
        taken: ['a', 'b', 'c'],
        takenOver: [],
        regained: [],
        heldElsewhere: [],
        heldByPause: [],
      });
      const second = await claims.claim(group, ['b', 'c', 'd'], holder('two', 60), t(1));
      expect(second.taken).toEqual(['d']);
      expect(second.heldElsewhere.sort()).toEqual(['b', 'c']);
    });

    it('lets one of two deliveries at once have each member', async () => {
      const claims = await make();
      const members = Array.from({ length: 40 }, (_, i) => `job-${i}`);
      const [x, y] = await Promise.all([
        claims.claim(group, members, holder('x', 60), t(0)),
        claims.claim(group, members, holder('y', 60), t(0)),
      ]);
      expect([...x.taken, ...y.taken].sort()).toEqual([...members].sort());
      expect(x.taken.filter((m) => y.taken.includes(m))).toEqual([]);
    });

    it('claims a bundle of the largest size in one go, and a second delivery of it finds every member held', async () => {
      const claims = await make();
      const members = Array.from({ length: MAX_BUNDLE_SIZE }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      expect(await claims.claim(group, members, holder('first', 60), t(0))).toEqual({
        taken: members,
        takenOver: [],
        regained: [],
        heldElsewhere: [],
        heldByPause: [],
      });
      const again = await claims.claim(group, members, holder('again', 60), t(1));
      expect(again.taken).toEqual([]);
      expect(again.heldElsewhere.sort()).toEqual([...members].sort());
    });

    it('takes over a member whose lease ran out, and says so', async () => {
      const claims = await make();
      await claims.claim(group, ['a', 'b'], holder('dead', 10), t(0));
      expect(await claims.claim(group, ['a', 'b'], holder('next', 100), t(5))).toMatchObject({ taken: [], heldElsewhere: ['a', 'b'] });
      expect(await claims.claim(group, ['a', 'c'], holder('next', 100), t(11))).toEqual({
        taken: ['a', 'c'],
        takenOver: ['a'],
        regained: [],
        heldElsewhere: [],
        heldByPause: [],
      });
    });

    it('never gives up a member a pause holds, and says it is the pause that holds it', async () => {
      const claims = await make();
      await claims.claim(group, ['a'], PAUSED_HOLDER, t(0));
      expect(await claims.claim(group, ['a', 'b'], holder('late', 60), '2100-01-01T00:00:00.000Z')).toEqual({
        taken: ['b'],
        takenOver: [],
        regained: [],
        heldElsewhere: [],
        heldByPause: ['a'],
      });
    });

    it('releases a member only for the holder that has it', async () => {
      const claims = await make();
      await claims.claim(group, ['a', 'b'], PAUSED_HOLDER, t(0));
      await claims.claim(group, ['c'], holder('live', 60), t(0));
      expect(await claims.release(group, 'c', PAUSED_HOLDER)).toBe(false);
      expect(await claims.release(group, 'z', PAUSED_HOLDER)).toBe(false);
      expect(await claims.release(group, 'a', PAUSED_HOLDER)).toBe(true);
      expect(await claims.release(group, 'a', PAUSED_HOLDER)).toBe(false);
      // Released, it is free: the next delivery takes it as new; the others stay as they were.
      expect(await claims.claim(group, ['a', 'b', 'c'], holder('next', 60), t(1))).toEqual({
        taken: ['a'],
        takenOver: [],
        regained: [],
        heldElsewhere: ['c'],
        heldByPause: ['b'],
      });
    });
  });
}

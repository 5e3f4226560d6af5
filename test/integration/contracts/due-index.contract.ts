/** What every DueIndex adapter must do; run against memory, DynamoDB Local and dynalite. */
import { describe, expect, it } from 'vitest';
import type { DueEntry } from '../../../core/dispatch/due-index.js';
import type { DueIndex } from '../../../core/dispatch/ports.js';

const entry = (jobId: string, from: string, rev = 1, runs = 0): DueEntry => ({ jobId, rev, from, runs });
const sorted = (entries: DueEntry[]) => [...entries].sort((a, b) => a.jobId.localeCompare(b.jobId) || a.from.localeCompare(b.from));

export function dueIndexContract(name: string, makeIndex: () => Promise<DueIndex>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip)(`DueIndex contract: ${name}`, () => {
    it('files entries under the slot (minute) of their next occurrence', async () => {
      const index = await makeIndex();
      const a = entry('job-a', '2026-01-01T00:01:00.000Z');
      const b = entry('job-b', '2026-01-01T00:01:59.999Z', 3, 7);
      const c = entry('job-c', '2026-01-01T00:02:00.000Z');
      await index.write([a, b, c], 'slot:2026-01-01T00:00:00.000Z');
      expect(sorted(await index.read('2026-01-01T00:01:00.000Z'))).toEqual([a, b]);
      expect(await index.read('2026-01-01T00:02:00.000Z')).toEqual([c]);
      expect(await index.read('2026-01-01T00:03:00.000Z')).toEqual([]);
    });

    it('replaces what a source wrote to a slot when it writes again, and keeps what other sources wrote', async () => {
      const index = await makeIndex();
      const slot = '2026-01-01T00:05:00.000Z';
      await index.write([entry('job-a', '2026-01-01T00:05:10.000Z', 1, 1)], 'slot:one');
      await index.write([entry('job-a', '2026-01-01T00:05:10.000Z', 1, 2)], 'slot:one');
      await index.write([entry('job-b', '2026-01-01T00:05:20.000Z')], 'slot:two');
      expect(sorted(await index.read(slot))).toEqual([
        entry('job-a', '2026-01-01T00:05:10.000Z', 1, 2),
        entry('job-b', '2026-01-01T00:05:20.000Z'),
      ]);
    });

    it('holds thousands of entries in one slot (several items, several pages)', async () => {
      const index = await makeIndex();
      const many = Array.from({ length: 3_000 }, (_, i) =>
        entry(`job-${String(i).padStart(5, '0')}-${'x'.repeat(30)}`, '2026-01-01T00:07:30.000Z'),
      );
      await index.write(many, 'slot:big');
      expect(sorted(await index.read('2026-01-01T00:07:00.000Z'))).toEqual(sorted(many));
    });

    it('finds the first slot holding entries at or after a slot', async () => {
      const index = await makeIndex();
      expect(await index.firstSlotFrom()).toBeUndefined();
      await index.write([entry('job-a', '2026-01-01T00:09:00.000Z'), entry('job-b', '2026-01-01T00:03:30.000Z')], 'slot:x');
      expect(await index.firstSlotFrom()).toBe('2026-01-01T00:03:00.000Z');
      expect(await index.firstSlotFrom('2026-01-01T00:03:00.000Z')).toBe('2026-01-01T00:03:00.000Z');
      expect(await index.firstSlotFrom('2026-01-01T00:04:00.000Z')).toBe('2026-01-01T00:09:00.000Z');
      expect(await index.firstSlotFrom('2026-01-01T00:10:00.000Z')).toBeUndefined();
    });

    it('plans a slot as of its first planning, however often it is asked again, until another slot is', async () => {
      const index = await makeIndex();
      const slot = '2026-01-01T00:01:00.000Z';
      expect(await index.planningTime(slot, '2026-01-01T00:00:30.000Z')).toBe('2026-01-01T00:00:30.000Z');
      expect(await index.planningTime(slot, '2026-01-01T00:01:30.000Z')).toBe('2026-01-01T00:00:30.000Z');
      expect(await index.planningTime('2026-01-01T00:02:00.000Z', '2026-01-01T00:01:31.000Z')).toBe('2026-01-01T00:01:31.000Z');
      const both = await Promise.all([
        index.planningTime('2026-01-01T00:03:00.000Z', 'a'),
        index.planningTime('2026-01-01T00:03:00.000Z', 'b'),
      ]);
      expect(both[0]).toBe(both[1]);
    });

    it('moves the progress only from the value it expects', async () => {
      const index = await makeIndex();
      expect(await index.progress()).toBeUndefined();
      const first = await Promise.all([
        index.advance(undefined, '2026-01-01T00:01:00.000Z'),
        index.advance(undefined, '2026-01-01T00:01:00.000Z'),
      ]);
      expect(first.sort()).toEqual([false, true]);
      expect(await index.advance('2026-01-01T00:00:00.000Z', '2026-01-01T00:02:00.000Z')).toBe(false);
      expect(await index.advance('2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z')).toBe(true);
      expect(await index.progress()).toBe('2026-01-01T00:02:00.000Z');
    });

    it('keeps submitted entries in the inbox, oldest first, until they are taken', async () => {
      const index = await makeIndex();
      const later = { ...entry('job-b', '2026-01-01T00:09:00.000Z', 2), submittedAt: '2026-01-01T00:00:02.000Z' };
      const earlier = { ...entry('job-a', '2026-01-01T00:01:00.000Z'), submittedAt: '2026-01-01T00:00:01.000Z' };
      await index.submit(later);
      await index.submit(earlier);
      expect(await index.inbox(10)).toEqual([earlier, later]);
      expect(await index.inbox(1)).toEqual([earlier]);
      await index.take([earlier]);
      expect(await index.inbox(10)).toEqual([later]);
      // The inbox is not a slot.
      expect(await index.firstSlotFrom()).toBeUndefined();
    });
  });
}

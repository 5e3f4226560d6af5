/** What every DispatchLog must do. */
import { describe, expect, it } from 'vitest';
import type { DispatchLog } from '../../../core/dispatch/ports.js';

const ref = (n: number) => ({
  jobId: `job-${n}`,
  scheduledFor: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
  sentAt: '2026-01-01T00:00:00.000Z',
});

export function dispatchLogContract(name: string, makeLog: () => Promise<DispatchLog>, options: { skip?: boolean } = {}) {
  describe.skipIf(options.skip)(`DispatchLog contract: ${name}`, () => {
    it('returns entries written before an instant, oldest first, refs intact', async () => {
      const log = await makeLog();
      await log.record([ref(1), ref(2)], '2026-01-01T00:00:00.000Z');
      await log.record([ref(3)], '2026-01-01T00:01:00.000Z');
      await log.record([ref(4)], '2026-01-01T00:02:00.000Z');
      const pending = await log.pending('2026-01-01T00:01:30.000Z', 10);
      expect(pending.map((e) => e.at)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z']);
      expect(pending[0]!.refs).toEqual([ref(1), ref(2)]);
      expect(await log.pending('2026-01-01T00:05:00.000Z', 1)).toHaveLength(1);
    });

    it('splits a large dispatch into several entries, losing no ref', async () => {
      const log = await makeLog();
      const refs = Array.from({ length: 4_500 }, (_, i) => ref(i));
      await log.record(refs, '2026-01-01T00:00:00.000Z');
      const pending = await log.pending('2026-01-01T00:00:01.000Z', 10);
      expect(pending.length).toBeGreaterThan(1);
      expect(
        pending
          .flatMap((e) => e.refs)
          .map((r) => r.jobId)
          .sort(),
      ).toEqual(refs.map((r) => r.jobId).sort());
    });

    it('keeps only what is open when settled, filed again behind newer entries, and forgets an entry with nothing open', async () => {
      const log = await makeLog();
      await log.record([ref(1), ref(2)], '2026-01-01T00:00:00.000Z');
      await log.record([ref(3)], '2026-01-01T00:01:00.000Z');
      const [entry] = await log.pending('2026-01-01T00:00:01.000Z', 10);
      const resent = { ...ref(2), sentAt: '2026-01-01T00:10:00.000Z' };
      await log.settle(entry!, [resent, ref(1)], '2026-01-01T00:20:00.000Z');
      // Gone from the head: the next look starts with what came after it.
      expect(await log.pending('2026-01-01T00:00:01.000Z', 10)).toEqual([]);
      const all = await log.pending('2026-01-01T00:30:00.000Z', 10);
      expect(all.map((e) => e.at)).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:20:00.000Z']);
      // Each ref keeps when it was last sent.
      expect(all[1]!.refs).toEqual([resent, ref(1)]);
      await log.settle(all[1]!, [], '2026-01-01T00:30:00.000Z');
      expect((await log.pending('2026-01-01T00:30:00.000Z', 10)).map((e) => e.at)).toEqual(['2026-01-01T00:01:00.000Z']);
    });
  });
}

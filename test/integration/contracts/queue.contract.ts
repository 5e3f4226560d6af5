/**
 * What every Queue must do: accept occurrences in any number, keep their bodies
 * intact and honour each one's delay. `drain` reads back what arrived.
 */
import { describe, expect, it } from 'vitest';
import type { Occurrence } from '../../../core/occurrence.js';
import type { Queue } from '../../../core/ports.js';
import { anOccurrence } from '../../helpers/factories.js';

export interface QueueUnderTest {
  queue: Queue;
  /** Everything that is visible now, as message bodies (an occurrence, or a bundle). */
  drain(): Promise<unknown[]>;
}

export function queueContract(name: string, make: () => Promise<QueueUnderTest>) {
  describe(`Queue contract: ${name}`, () => {
    it('delivers many occurrences, bodies intact', async () => {
      const { queue, drain } = await make();
      const sent = Array.from({ length: 25 }, (_, i) => anOccurrence({ jobId: `job-${i}`, payload: { i, text: 'é ✓ "quoted"' } }));
      await queue.send(sent);
      const received = (await drain()) as Occurrence[];
      expect(received.sort((a, b) => a.jobId.localeCompare(b.jobId))).toEqual(
        sent.map(({ delaySeconds: _d, ...o }) => o).sort((a, b) => a.jobId.localeCompare(b.jobId)),
      );
    });

    it('holds an occurrence back until its instant, and delivers a past one or a delay of 0 at once', async () => {
      const { queue, drain } = await make();
      const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
      await queue.send([
        anOccurrence({ jobId: 'later', scheduledFor: inSeconds(2.5) }),
        anOccurrence({ jobId: 'past', scheduledFor: inSeconds(-60) }),
        anOccurrence({ jobId: 'at-once', scheduledFor: inSeconds(30), delaySeconds: 0 }),
      ]);
      const jobIds = async () => ((await drain()) as Occurrence[]).map((o) => o.jobId).sort();
      expect(await jobIds()).toEqual(['at-once', 'past']);
      await new Promise((r) => setTimeout(r, 2_700));
      expect(await jobIds()).toEqual(['later']);
    });

    it('accepts an empty send', async () => {
      const { queue, drain } = await make();
      await queue.send([]);
      expect(await drain()).toEqual([]);
    });

    it('carries a bundle as one message, members intact, until their instant (or at once)', async () => {
      const { queue, drain } = await make();
      const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
      const soon = inSeconds(2.5);
      const members = Array.from({ length: 50 }, (_, i) => anOccurrence({ jobId: `job-${i}`, scheduledFor: soon, payload: { i, text: 'é ✓' } }));
      const now = [anOccurrence({ jobId: 'caught-up', scheduledFor: inSeconds(-30), delaySeconds: 0 })];
      await queue.sendBundles([
        { group: `${soon}#1`, occurrences: members },
        { group: 'now#2', occurrences: now },
      ]);
      expect(await drain()).toEqual([{ group: 'now#2', occurrences: now.map(({ delaySeconds: _d, ...o }) => o) }]);
      await new Promise((r) => setTimeout(r, 2_700));
      expect(await drain()).toEqual([{ group: `${soon}#1`, occurrences: members }]);
    });
  });
}

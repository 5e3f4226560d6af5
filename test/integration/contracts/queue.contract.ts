/**
 * What every Queue must do: accept occurrences in any number and size, keep their
 * bodies intact (any character), honour each one's delay, and refuse a message
 * only for itself: the rest goes out, then SendFailedError names what was
 * refused. `drain` reads back what arrived; `wait` lets time pass (the memory
 * queue's clock is moved, SQS is waited for). Seeded; TEST_SEED=n reruns.
 */
import { describe, expect, it } from 'vitest';
import { bundle } from '../../../core/execution/bundle.js';
import { SendFailedError } from '../../../core/kernel/errors.js';
import { occurrenceKey, type Occurrence } from '../../../core/execution/occurrence.js';
import type { Clock } from '../../../core/kernel/ports.js';
import type { Queue } from '../../../core/execution/ports.js';
import { anOccurrence } from '../../helpers/factories.js';
import { randomJson, randomTextOfBytes, seedFromEnv, seededRandom } from '../../helpers/random-text.js';

export interface QueueUnderTest {
  queue: Queue;
  /** The clock the queue reckons delays by. */
  clock: Clock;
  /** Lets `ms` pass on that clock. */
  wait(ms: number): Promise<void>;
  /** Everything that is visible now, as message bodies (an occurrence, or a bundle). */
  drain(): Promise<unknown[]>;
  /** From now on the queue refuses any message whose body contains `marker`, as SQS refuses what it cannot take. */
  refuseBodiesContaining(marker: string): void;
}

const seed = seedFromEnv();
const bodyOf = ({ delaySeconds: _d, ...o }: Occurrence) => o;
const byKey = (a: { jobId: string; scheduledFor: string }, b: { jobId: string; scheduledFor: string }) =>
  occurrenceKey(a).localeCompare(occurrenceKey(b));
/** The occurrences in what arrived, bundled or not. */
const arrived = (bodies: unknown[]) =>
  (bodies as (Occurrence | { occurrences: Occurrence[] })[]).flatMap((b) => ('occurrences' in b ? b.occurrences : [b]));

async function refusal(send: Promise<void>): Promise<SendFailedError> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendFailedError);
  return error as SendFailedError;
}

export function queueContract(name: string, make: () => Promise<QueueUnderTest>) {
  describe(`Queue contract: ${name} (seed ${seed})`, () => {
    it('reports its depths: what waits, what is delayed, and what sits in the dead-letter queue', async () => {
      const { queue, clock, drain } = await make();
      const now = clock.now().getTime();
      const at = (ms: number) => new Date(Math.floor((now + ms) / 1000) * 1000).toISOString();
      const before = await queue.depths();
      await queue.send([anOccurrence({ jobId: 'depth-now', scheduledFor: at(0), delaySeconds: 0 })]);
      await queue.send([anOccurrence({ jobId: 'depth-later', scheduledFor: at(600_000), delaySeconds: 600 })]);
      await queue.sendToDeadLetters(anOccurrence({ jobId: 'depth-dead' }), 'test');
      // SQS's counts are approximate and may lag: wait for them to show what was sent.
      let depths = await queue.depths();
      for (let i = 0; i < 50 && (depths.queued < 1 || depths.delayed < 1 || depths.deadLetters < 1); i++) {
        await new Promise((r) => setTimeout(r, 100));
        depths = await queue.depths();
      }
      expect(depths.queued - before.queued).toBe(1);
      expect(depths.delayed - before.delayed).toBe(1);
      expect(depths.deadLetters - before.deadLetters).toBe(1);
      expect(depths.inFlight).toBeGreaterThanOrEqual(0);
      await drain();
    });

    it('delivers many occurrences, bodies intact', async () => {
      const { queue, drain } = await make();
      const sent = Array.from({ length: 25 }, (_, i) => anOccurrence({ jobId: `job-${i}`, payload: { i, text: 'é ✓ "quoted"' } }));
      await queue.send(sent);
      const received = (await drain()) as Occurrence[];
      expect(received.sort(byKey)).toEqual(sent.map(bodyOf).sort(byKey));
    });

    it('holds an occurrence back until its instant, and delivers a past one or a delay of 0 at once', async () => {
      const { queue, drain, clock, wait } = await make();
      const inSeconds = (s: number) => new Date(clock.now().getTime() + s * 1000).toISOString();
      await queue.send([
        anOccurrence({ jobId: 'later', scheduledFor: inSeconds(2.5) }),
        anOccurrence({ jobId: 'past', scheduledFor: inSeconds(-60) }),
        anOccurrence({ jobId: 'at-once', scheduledFor: inSeconds(30), delaySeconds: 0 }),
      ]);
      const jobIds = async () => ((await drain()) as Occurrence[]).map((o) => o.jobId).sort();
      expect(await jobIds()).toEqual(['at-once', 'past']);
      await wait(2_700);
      expect(await jobIds()).toEqual(['later']);
    });

    it('accepts an empty send', async () => {
      const { queue, drain } = await make();
      await queue.send([]);
      expect(await drain()).toEqual([]);
    });

    it('carries a bundle as one message, members intact, until their instant (or at once)', async () => {
      const { queue, drain, clock, wait } = await make();
      const inSeconds = (s: number) => new Date(clock.now().getTime() + s * 1000).toISOString();
      const soon = inSeconds(2.5);
      const members = Array.from({ length: 50 }, (_, i) =>
        anOccurrence({ jobId: `job-${i}`, scheduledFor: soon, payload: { i, text: 'é ✓' } }),
      );
      const now = [anOccurrence({ jobId: 'caught-up', scheduledFor: inSeconds(-30), delaySeconds: 0 })];
      await queue.sendBundles([
        { group: `${soon}#1`, occurrences: members },
        { group: 'now#2', occurrences: now },
      ]);
      expect(await drain()).toEqual([{ group: 'now#2', occurrences: now.map(bodyOf) }]);
      await wait(2_700);
      expect(await drain()).toEqual([{ group: `${soon}#1`, occurrences: members }]);
    });

    it('sends twenty occurrences of about 60 KB due at one second, bundled as the tick does, and every one arrives', async () => {
      const { queue, drain, clock } = await make();
      const random = seededRandom(seed);
      const at = new Date(Math.floor(clock.now().getTime() / 1000) * 1000 - 1000).toISOString();
      const sent = Array.from({ length: 20 }, (_, i) =>
        anOccurrence({
          jobId: `big-${i}`,
          scheduledFor: at,
          payload: { text: randomTextOfBytes(random, 55_000 + Math.floor(random() * 9_000)) },
        }),
      );
      await queue.sendBundles(bundle(sent));
      expect(arrived(await drain()).sort(byKey)).toEqual(sent.map(bodyOf).sort(byKey));
    });

    it('carries any character, U+FFFF and lone surrogates included, and random payloads, unchanged', async () => {
      const { queue, drain } = await make();
      const random = seededRandom(seed + 1);
      const edges = anOccurrence({ jobId: 'edges', payload: { text: 'a\uffff\ufffe\ud800\udfff\u0000\u{10ffff}b', ['\uffff']: true } });
      const sent = [edges, ...Array.from({ length: 30 }, (_, i) => anOccurrence({ jobId: `random-${i}`, payload: randomJson(random) }))];
      await queue.send(sent);
      await queue.sendBundles([{ group: 'g#1', occurrences: [{ ...edges, jobId: 'edges-bundled' }] }]);
      expect(arrived(await drain()).sort(byKey)).toEqual([...sent, { ...edges, jobId: 'edges-bundled' }].map(bodyOf).sort(byKey));
    });

    it('refuses a message only for itself: every other one goes out, then SendFailedError names the refused', async () => {
      const { queue, drain, refuseBodiesContaining } = await make();
      const random = seededRandom(seed + 2);
      refuseBodiesContaining('"refuse-me"');
      const refused = new Set(Array.from({ length: 3 }, () => Math.floor(random() * 25)));
      const sent = Array.from({ length: 25 }, (_, i) =>
        anOccurrence({ jobId: `job-${i}`, payload: refused.has(i) ? { x: 'refuse-me' } : { i } }),
      );
      const single = await refusal(queue.send(sent));
      expect(single.refused.map((r) => r.keys).sort()).toEqual(
        sent
          .filter((_, i) => refused.has(i))
          .map((o) => [occurrenceKey(o)])
          .sort(),
      );
      expect(arrived(await drain()).sort(byKey)).toEqual(
        sent
          .filter((_, i) => !refused.has(i))
          .map(bodyOf)
          .sort(byKey),
      );

      const bundles = sent.map((o, i) => ({ group: `g#${i}`, occurrences: [{ ...o, jobId: `bundled-${i}` }] }));
      const bundled = await refusal(queue.sendBundles(bundles));
      expect(bundled.refused.map((r) => r.keys[0]).sort()).toEqual(
        bundles
          .filter((_, i) => refused.has(i))
          .map((b) => occurrenceKey(b.occurrences[0]!))
          .sort(),
      );
      expect(
        arrived(await drain())
          .map((o) => o.jobId)
          .sort(),
      ).toEqual(
        bundles
          .filter((_, i) => !refused.has(i))
          .map((b) => b.occurrences[0]!.jobId)
          .sort(),
      );
    });

    it("refuses a message over SQS's size for one, and sends the rest", async () => {
      const { queue, drain } = await make();
      const at = '2026-01-01T00:00:00.000Z';
      // Five payloads of the largest size a job may have, in one message by hand: more than SQS takes in one.
      const members = Array.from({ length: 5 }, (_, i) =>
        anOccurrence({ jobId: `huge-${i}`, scheduledFor: at, payload: { text: 'x'.repeat(64 * 1024 - 16) } }),
      );
      const error = await refusal(
        queue.sendBundles([
          { group: `${at}#1`, occurrences: members },
          { group: `${at}#2`, occurrences: [anOccurrence({ jobId: 'small', scheduledFor: at })] },
        ]),
      );
      expect(error.refused).toEqual([expect.objectContaining({ keys: members.map(occurrenceKey), code: 'MessageTooLong' })]);
      expect(arrived(await drain()).map((o) => o.jobId)).toEqual(['small']);
    });
  });
}

/**
 * Message bodies as SQS takes them: only characters it allows, parsing back to
 * the same occurrence, sizes counted in UTF-8 bytes (seeded; TEST_SEED=n reruns).
 */
import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../adapters/aws/sqs-queue.js';
import { bundle, encodeBundle, MAX_BUNDLE_BYTES } from '../../core/execution/bundle.js';
import { MAX_PAYLOAD_BYTES } from '../../core/jobs/job.js';
import { encodeOccurrence, type Occurrence } from '../../core/execution/occurrence.js';
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES, messageBytes, sqsAccepts } from '../../core/kernel/queue-limits.js';
import { anOccurrence } from '../helpers/factories.js';
import {
  EDGE_CODE_POINTS,
  randomJson,
  randomText,
  randomTextOfBytes,
  seedFromEnv,
  seededRandom,
  sqsWouldAccept,
} from '../helpers/random-text.js';

const seed = seedFromEnv();
const bodyOf = ({ delaySeconds: _d, ...o }: Occurrence) => o;

describe(`message encoding (seed ${seed})`, () => {
  it('writes every character SQS refuses as an escape, and parses back to the same occurrence', () => {
    const random = seededRandom(seed);
    for (let i = 0; i < 500; i++) {
      const o = anOccurrence({ jobId: `job-${i}`, jobName: randomText(random, 5) || 'n', payload: randomJson(random) });
      const body = encodeOccurrence(o);
      expect(sqsWouldAccept(body), `seed ${seed}, occurrence ${i}: ${JSON.stringify(body)}`).toBe(true);
      expect(JSON.parse(body)).toEqual(bodyOf(o));
    }
  });

  it('covers each edge on its own: U+FFFE, U+FFFF, lone surrogates, controls', () => {
    for (const cp of EDGE_CODE_POINTS) {
      const text = `a${String.fromCodePoint(cp)}b`;
      const o = anOccurrence({ payload: { [text]: text } });
      for (const body of [encodeOccurrence(o), encodeBundle({ group: 'g#1', occurrences: [o] })]) {
        expect(sqsWouldAccept(body), `U+${cp.toString(16)}`).toBe(true);
      }
      expect(JSON.parse(encodeOccurrence(o))).toEqual(bodyOf(o));
    }
  });

  it("tells what SQS takes as SQS's rule does, for any text", () => {
    const random = seededRandom(seed + 4);
    for (let i = 0; i < 2_000; i++) {
      const text = randomText(random, 8);
      expect(sqsAccepts(text), `seed ${seed}: ${JSON.stringify(text)}`).toBe(sqsWouldAccept(text));
    }
  });

  it("keeps a bundle of random members to SQS's characters and to the same members", () => {
    const random = seededRandom(seed + 1);
    for (let i = 0; i < 100; i++) {
      const members = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, j) =>
        anOccurrence({ jobId: `job-${i}-${j}`, payload: randomJson(random) }),
      );
      const body = encodeBundle({ group: 'g#1', occurrences: members });
      expect(sqsWouldAccept(body), `seed ${seed}, bundle ${i}`).toBe(true);
      expect(JSON.parse(body)).toEqual({ group: 'g#1', occurrences: members.map(bodyOf) });
    }
  });

  it("bundles by UTF-8 bytes: no message passes MAX_BUNDLE_BYTES (or SQS's limit for one alone), whatever the characters", () => {
    const random = seededRandom(seed + 2);
    const at = '2026-01-01T00:01:17.000Z';
    // Payloads up to the 64 KiB a job may have, of 1- to 4-byte characters, some with U+FFFF (escaped: 6 bytes).
    const occurrences = Array.from({ length: 60 }, (_, i) => {
      const bytes = Math.floor(random() * (MAX_PAYLOAD_BYTES - 64));
      const text = random() < 0.2 ? '\uffff'.repeat(Math.floor(bytes / 3)) : randomTextOfBytes(random, bytes);
      return anOccurrence({ jobId: `job-${i}`, scheduledFor: at, payload: { text } });
    });
    const bundles = bundle(occurrences);
    expect(bundles.flatMap((b) => b.occurrences.map((o) => o.jobId)).sort()).toEqual(occurrences.map((o) => o.jobId).sort());
    for (const b of bundles) {
      const bytes = messageBytes(encodeBundle(b));
      expect(bytes, `seed ${seed}: ${b.occurrences.length} members`).toBeLessThanOrEqual(
        b.occurrences.length > 1 ? MAX_BUNDLE_BYTES : MAX_MESSAGE_BYTES,
      );
    }
  });

  it('batches SQS sends by count and by bytes, in order', () => {
    const random = seededRandom(seed + 3);
    const messages = Array.from({ length: 300 }, (_, i) => ({
      i,
      bytes: 1 + Math.floor(random() * (random() < 0.5 ? 2_000 : MAX_MESSAGE_BYTES)),
    }));
    const batches = batchesOf(messages);
    expect(batches.flat().map((m) => m.i)).toEqual(messages.map((m) => m.i));
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(MAX_BATCH_MESSAGES);
      expect(b.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    // Greedy: a batch ends only when the next message would not fit.
    for (const [k, b] of batches.slice(0, -1).entries()) {
      const next = batches[k + 1]![0]!;
      expect(b.length === MAX_BATCH_MESSAGES || b.reduce((n, m) => n + m.bytes, 0) + next.bytes > MAX_BATCH_BYTES).toBe(true);
    }
  });
});

/** The one hash (core/kernel/hash.ts): stored layouts depend on it, so its values are pinned. */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../core/dispatch/due-index.js';
import { fnv1a32 } from '../../core/kernel/hash.js';
import { dueShardOf } from '../../adapters/aws/dynamo-due-index.js';

describe('fnv1a32', () => {
  it('is 32-bit FNV-1a (the published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('gives the shards and inbox fingerprints that stores written before it hold', () => {
    // Values the due index wrote before the hash had one home.
    expect(['job-1', 'job-2', 'a3f9c', 'ünïcødé'].map((id) => dueShardOf(id, 8))).toEqual(['6', '3', '1', '4']);
    expect(
      fingerprint([
        { jobId: 'b', rev: 2, from: '2026-01-01T00:00:00.000Z', runs: 0 },
        { jobId: 'a', rev: 1, from: '2026-01-01T00:00:00.000Z', runs: 0 },
      ]),
    ).toBe('bmsm9l-2');
  });
});

/**
 * Seeded random text for encoding tests: any code point, lone surrogates
 * included, with the edges SQS and JSON care about drawn often. Print the seed
 * on failure (`seedFromEnv`), rerun with TEST_SEED=n.
 */
import { mulberry32 } from '../../adapters/faults/prng.js';

/** mulberry32: uniform in [0, 1), the same sequence for the same seed. */
export const seededRandom = mulberry32;

/** TEST_SEED when set, else a fresh one; the test names it in its failure message. */
export function seedFromEnv(): number {
  return process.env.TEST_SEED ? Number(process.env.TEST_SEED) : Math.floor(Math.random() * 2 ** 31);
}

/** Code points at the edges of SQS's allowed set, of JSON's escapes and of UTF-8's byte lengths. */
export const EDGE_CODE_POINTS = [
  0x0, 0x8, 0x9, 0xa, 0xd, 0x1f, 0x20, 0x22, 0x5c, 0x7f, 0x80, 0x7ff, 0x800, 0x2028, 0x2029, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000,
  0xfdd0, 0xfdef, 0xfffd, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0x1ffff, 0x10fffe, 0x10ffff,
];

/** One code point as a string (a surrogate on its own stays one UTF-16 unit). */
const char = (cp: number): string => String.fromCodePoint(cp);

export function randomCodePoint(random: () => number): number {
  const r = random();
  if (r < 0.35) return EDGE_CODE_POINTS[Math.floor(random() * EDGE_CODE_POINTS.length)]!;
  if (r < 0.55) return Math.floor(random() * 0x80);
  if (r < 0.85) return Math.floor(random() * 0x10000);
  return 0x10000 + Math.floor(random() * 0x100000);
}

/** Up to `maxLength` code points of anything. */
export function randomText(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += char(randomCodePoint(random));
  return text;
}

/** A JSON value (objects, arrays, strings, numbers) whose strings and keys are random text. */
export function randomJson(random: () => number, depth = 2): unknown {
  const r = random();
  if (depth === 0 || r < 0.4) return randomText(random, 12);
  if (r < 0.5) return Math.round(random() * 1e6) / 100;
  if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
  return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [randomText(random, 6), randomJson(random, depth - 1)]));
}

/** Text of exactly about `bytes` UTF-8 bytes (within 3), from characters SQS takes, many of them multi-byte. */
export function randomTextOfBytes(random: () => number, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes - 3) {
    const width = 1 + Math.floor(random() * 4);
    const cp =
      width === 1 ? 0x41 + Math.floor(random() * 26) : width === 2 ? 0xe9 : width === 3 ? 0x20ac : 0x1f600 + Math.floor(random() * 64);
    parts.push(char(cp));
    size += width;
  }
  return parts.join('');
}

/** The test's own reading of SQS's rule, code point by code point, independent of the code under test. */
export function sqsWouldAccept(body: string): boolean {
  for (const ch of body) {
    const c = ch.codePointAt(0)!;
    const allowed =
      c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
    if (!allowed) return false;
  }
  return true;
}

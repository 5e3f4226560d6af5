/**
 * What SQS takes in a message and in a batch, as both queues enforce it (the SQS
 * adapter before it sends, the memory queue instead of sending). Sizes are UTF-8
 * bytes, as SQS counts them, never string lengths (UTF-16 units).
 */

/** Messages per SendMessageBatch. */
export const MAX_BATCH_MESSAGES = 10;
/**
 * SendMessageBatch takes 1,048,576 bytes in all (bodies plus attributes), or fails
 * whole with `BatchRequestTooLong`. A batch stays about 48 KiB under it, so that
 * any difference in how SQS counts attributes cannot tip a batch over.
 */
export const MAX_BATCH_BYTES = 1_000_000;
/**
 * One message: 256 KiB, SQS's quota for one message before it was raised to 1 MiB;
 * under the old quota any SQS, and anything modelled on it, takes the message. A
 * bundle (MAX_BUNDLE_BYTES) and any single occurrence (a 64 KiB payload, at most
 * doubled by escaping) fit under it.
 */
export const MAX_MESSAGE_BYTES = 262_144;

export function messageBytes(body: string): number {
  return Buffer.byteLength(body, 'utf8');
}

/** Any character outside what SQS allows: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
const REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const REFUSED_CHARACTERS = new RegExp(REFUSED_CHARACTER.source, 'gu');

/** True when SQS would take the body as it is (a lone surrogate counts as refused). */
export function sqsAccepts(body: string): boolean {
  return !REFUSED_CHARACTER.test(body);
}

/**
 * JSON text with each character SQS refuses written as a `\uXXXX` escape, so it
 * parses back to the same value. JSON.stringify escapes control characters and
 * lone surrogates, but leaves U+FFFE and U+FFFF as they are: SQS answers
 * `InvalidMessageContents` for those (or, as some of its documentation says,
 * stores U+FFFD instead, which would change the payload). Outside strings JSON
 * text is ASCII, and an escape is ASCII, so a raw character is never part of one.
 */
export function escapeForSqs(json: string): string {
  return json.replace(REFUSED_CHARACTERS, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** SQS's upper bound for DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

/**
 * Delay in whole seconds, rounded down so the message becomes visible at or just
 * before its instant; the worker waits out the remaining fraction.
 */
export function delayFor(scheduledFor: Date, now: Date): number {
  const seconds = Math.floor((scheduledFor.getTime() - now.getTime()) / 1000);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, seconds));
}

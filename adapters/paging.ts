/**
 * Page tokens: opaque to clients, a DynamoDB key or an offset inside. A token
 * comes back from a client, so it is checked like any input: garbage, base64 of
 * garbage and well-formed keys the store refuses are all a 400 naming `next`.
 */
import { ValidationError } from '../core/kernel/errors.js';

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An offset into a list (the in-memory adapters). */
export function isOffset(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** A DynamoDB key as the document client gives it: a few attributes, each a string or a number. */
export function isDynamoKey(value: unknown): value is Record<string, string | number> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length >= 1 &&
    entries.length <= 4 &&
    entries.every(([, v]) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))
  );
}

export function invalidToken(cause?: unknown): ValidationError {
  return new ValidationError('the page token is not valid', [{ path: 'next', message: 'is not a token this API returned' }], { cause });
}

export function decodeToken<T>(token: string | undefined, isValid: (value: unknown) => value is T): T | undefined {
  if (token === undefined) return undefined;
  let value: unknown;
  try {
    // Buffer.from skips characters outside base64url; a token that does not survive the round trip is not ours.
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.toString('base64url') !== token) throw new Error('not base64url');
    value = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw invalidToken(cause);
  }
  if (!isValid(value)) throw invalidToken();
  return value;
}

/** DynamoDB refuses a start key that is not one of its own (ValidationException): the token was not ours. */
export async function withTokenCheck<T>(token: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (token !== undefined && (error as { name?: string } | undefined)?.name === 'ValidationException') throw invalidToken(error);
    throw error;
  }
}

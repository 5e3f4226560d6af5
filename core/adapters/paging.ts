/** Page tokens: opaque to clients, a DynamoDB key or an offset inside. */
import { ValidationError } from '../errors.js';

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken<T>(token: string | undefined): T | undefined {
  if (token === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch (cause) {
    throw new ValidationError('the page token is not valid', [{ path: 'next', message: 'is not a token this API returned' }], { cause });
  }
}

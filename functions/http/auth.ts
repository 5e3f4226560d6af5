/** Bearer-key authentication for every route but health. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { HttpError } from './errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireApiKey(keys: string[]): MiddlewareHandler {
  // Compare fixed-length digests in constant time, so timing tells nothing of a key.
  const allowed = keys.map(digest);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    }
    const presented = digest(match[1]!);
    if (!allowed.some((key) => timingSafeEqual(key, presented))) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new HttpError(401, 'unauthorized', 'the API key is not valid');
    }
    await next();
  };
}

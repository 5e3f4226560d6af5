/** Reading requests: JSON bodies, path ids, If-Match, and the hook that turns a schema's refusal into our 400. */
import type { Context, MiddlewareHandler } from 'hono';
import type { ZodError } from 'zod';
import { ValidationError } from '../../core/kernel/errors.js';
import { zodProblems } from '../../core/kernel/field-problems.js';
import { HttpError } from './errors.js';

/**
 * `application/json` or `application/<name>+json`, with `charset=utf-8` at most.
 * Narrower than what Hono's validators take, so that they never read a body this let through differently.
 */
export function isJsonMediaType(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (!/^application\/([a-z.-]+\+)?json$/.test(type!)) return false;
  return params.every((p) => p === '' || /^charset="?utf-8"?$/.test(p));
}

function unsupported(c: Context): HttpError {
  return new HttpError(415, 'unsupported_media_type', 'the request body must be JSON, sent with Content-Type: application/json', [
    { path: '(body)', message: `Content-Type is ${JSON.stringify(c.req.header('content-type') ?? '(none)')}` },
  ]);
}

/**
 * A route's body: checked for its media type and parsed before the route's schema
 * sees it, so a wrong type is a 415 and broken JSON a 400 of our own shape.
 * `optional`: no body at all (no Content-Type, nothing sent) is fine too.
 */
export function jsonBody(kind: 'required' | 'optional'): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header('content-type');
    if (type === undefined && kind === 'optional' && (await c.req.text()).length === 0) return next();
    if (!isJsonMediaType(type)) throw unsupported(c);
    const text = await c.req.text();
    if (text.trim().length === 0 && kind === 'optional') {
      // Hono's validator parses the cached text, and would fail on empty text: an empty body is no body.
      (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
      return next();
    }
    try {
      JSON.parse(text);
    } catch (cause) {
      throw new HttpError(400, 'invalid_json', 'the request body must be JSON (Content-Type: application/json)', [
        { path: '(body)', message: cause instanceof Error ? cause.message : 'not JSON' },
      ]);
    }
    return next();
  };
}

const TARGETS: Record<string, string> = { json: 'the request body', query: 'the query string', header: 'a header', param: 'the path' };

/** Every route's schema refusal: a 400 that names each field, like core's own. */
export function refuse(result: { success: boolean; target: string; error?: ZodError }): void {
  if (!result.success && result.error) {
    throw new ValidationError(`${TARGETS[result.target] ?? 'the request'} is not valid`, zodProblems(result.error));
  }
}

/**
 * Ids come from the path, so anything may arrive; one that no job can have is a
 * 404 here, before it reaches a store (DynamoDB refuses a key over 2 KiB with an
 * error of its own).
 */
export function knownId(id: string, kind: string): string {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(id)) throw new HttpError(404, 'not_found', `no ${kind} with that id`);
  return id;
}

/** `If-Match: "3"` (as the ETag said), or `*` (any version). Anything else is a 400 naming the header. */
export function expectedVersion(c: Context): number | undefined {
  const header = c.req.header('if-match')?.trim();
  if (header === undefined || header === '*') return undefined;
  const match = /^"(\d{1,15})"$/.exec(header);
  // A tag of digits we never write ("02"): well-formed, and matches no version.
  if (match && String(Number(match[1])) !== match[1]) return -1;
  if (!match) {
    throw new HttpError(400, 'validation_failed', 'the If-Match header is not valid', [
      { path: 'If-Match', message: 'must be the ETag a read returned, like "3", or *' },
    ]);
  }
  return Number(match[1]);
}

/** Reads If-Match before the body's schema runs, so a malformed one is named even when the body is wrong too. */
export const ifMatch: MiddlewareHandler = async (c, next) => {
  expectedVersion(c);
  await next();
};

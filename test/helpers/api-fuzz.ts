/**
 * The API fuzz test's requests and properties, shared by the unit run (in-memory
 * stores) and the integration run (DynamoDB on the emulators). Requests start from
 * valid ones and are mutated: wrong types, huge strings, deep nesting, lone
 * surrogates and U+FFFF, numbers at and past limits, extra and __proto__ keys,
 * garbage page tokens, content types, keys and path ids. Properties: never a 5xx;
 * every 4xx has the error shape (a validation error names its fields); a refused
 * request changes nothing in the stores.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { OpenAPIHono } from '@hono/zod-openapi';

export const fuzzSeed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const validJob = {
  name: 'nightly-report',
  schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
  handler: 'log',
  payload: { any: 'JSON' },
  status: 'active',
  retry: { maxAttempts: 3, initialDelay: '10s', maxDelay: '15m', multiplier: 2, jitter: 'full' },
  timeout: '30s',
  misfire: { policy: 'once', grace: '60s', maxCatchUp: 100 },
  overlap: 'allow',
  startAt: '2027-01-01T00:00:00Z',
  endAt: '2027-12-31T23:59:59Z',
  maxRuns: 52,
};
const validBodies: Record<string, unknown>[] = [
  validJob,
  { name: 'every', schedule: { every: '90s' }, handler: 'noop' },
  { name: 'once', schedule: { at: '2027-01-01T09:00:00Z' }, handler: 'log' },
  { schedule: { cron: '30 2 * * *', timezone: 'America/New_York' }, from: '2026-03-07T12:00:00Z', count: 2 },
  { schedule: { every: '1h' }, count: 100 },
  { status: 'paused' },
  { status: 'active' },
  { ids: ['abc'], payload: { ok: true }, ratePerSecond: 10 },
  { all: true },
];

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\uD800',
    'a\uDFFFb',
    '\uFFFF',
    '\u0000',
    '..',
    '../..',
    '%2F',
    '__proto__',
    'constructor',
    ' ',
    '',
    'H H * * *',
    '0 0 29 2 *',
    'NaN',
    '1e309',
  ),
  fc.constantFrom(10, 1_000, 70_000, 300_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(
    '+010000-01-01T00:00:00Z',
    '9999-12-31T23:00:00-05:00',
    '1969-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    '2027-02-30T00:00:00Z',
  ),
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 20, 21, 100, 101, 500, 501, 2 ** 31, 2 ** 53 + 1, 1e308, -0, 0.5),
);
const deep = fc.integer({ min: 10, max: 2_000 }).map((n) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
const leaf: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  weirdNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  deep,
);

type Path = (string | number)[];
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (!value || typeof value !== 'object' || prefix.length > 4) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, Array.isArray(value) ? Number(k) : k]))];
}
function setAt(root: unknown, path: Path, value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, unknown>;
  const [head, ...rest] = path;
  if (rest.length === 0 && remove) delete copy[head!];
  else
    Object.defineProperty(copy, head!, {
      value: setAt(copy[head!], rest, value, remove),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

/** A valid body with a few of its fields replaced, removed or added (own `__proto__` keys included). */
const mutatedBody = fc
  .tuple(
    fc.constantFrom(...validBodies),
    fc.array(fc.tuple(fc.nat(), leaf, fc.constantFrom('set', 'remove', 'add')), { maxLength: 3 }),
    fc.constantFrom('__proto__', 'constructor', 'extra', 'prototype'),
  )
  .map(([body, mutations, key]) => {
    let out: unknown = body;
    for (const [pick, value, how] of mutations) {
      const paths = pathsOf(out);
      const path = paths[pick % paths.length]!;
      out = how === 'add' ? setAt(out, [...path, key], value, false) : setAt(out, path, value, how === 'remove');
    }
    return out;
  });

const rawBody = fc.oneof(
  { arbitrary: fc.constantFrom(...validBodies).map((b) => JSON.stringify(b)), weight: 2 },
  { arbitrary: mutatedBody.map((b) => JSON.stringify(b) ?? 'null'), weight: 6 },
  fc.constantFrom(
    '',
    '{',
    'null',
    '[]',
    '"x"',
    '{"payload":{"__proto__":{"polluted":1}},"name":"p","schedule":{"every":"1m"},"handler":"log"}',
    '\uFEFF{}',
    '{"a":1}{"b":2}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('{"name":"' + 'x'.repeat(300_000) + '"}'),
  // Nesting deeper than any recursive walk survives (JSON.parse does; JSON.stringify and structuredClone do not).
  fc
    .constantFrom('payload', 'schedule', 'name')
    .chain((key) =>
      fc
        .integer({ min: 20_000, max: 120_000 })
        .map((n) => `{"name":"d","schedule":{"every":"1m"},"handler":"log","ids":["x"],"${key}":${'['.repeat(n)}${']'.repeat(n)}}`),
    ),
);

const token = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(s).toString('base64url')),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
  fc
    .constantFrom(
      { pk: 'JOB#x' },
      { pk: 1 },
      { jobId: 'a', scheduledFor: 'b' },
      { pk: 'x'.repeat(3000) },
      { deadList: 'DEAD', diedAt: 'x', jobId: 'j', scheduledFor: 's' },
      -1,
      1e9,
      'abc',
    )
    .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc.constant('A'.repeat(5000)),
);
const query = fc
  .record(
    {
      limit: fc.oneof(weirdNumber.map(String), weirdString),
      next: token,
      count: fc.oneof(weirdNumber.map(String), weirdString),
      from: weirdString,
    },
    { requiredKeys: [] },
  )
  .map((q) => new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString());

const pathId = fc.oneof(
  fc.constantFrom(
    'id-1',
    'id-2',
    'nope',
    '..',
    '%2e%2e',
    'a%2Fb',
    '%00',
    '%F0%9F%98%80',
    '%ED%A0%80',
    'x'.repeat(3000),
    encodeURIComponent('\uFFFF'),
    Buffer.from('id-1\n2026-01-01T00:00:00.000Z').toString('base64url'),
  ),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

const ROUTES: ((id: string) => { method: string; path: string; body: boolean })[] = [
  () => ({ method: 'GET', path: '/health', body: false }),
  () => ({ method: 'POST', path: '/v1/jobs', body: true }),
  () => ({ method: 'GET', path: '/v1/jobs', body: false }),
  (id) => ({ method: 'GET', path: `/v1/jobs/${id}`, body: false }),
  (id) => ({ method: 'PATCH', path: `/v1/jobs/${id}`, body: true }),
  (id) => ({ method: 'DELETE', path: `/v1/jobs/${id}`, body: false }),
  (id) => ({ method: 'GET', path: `/v1/jobs/${id}/executions`, body: false }),
  (id) => ({ method: 'GET', path: `/v1/jobs/${id}/preview`, body: false }),
  () => ({ method: 'GET', path: '/v1/dead-letters', body: false }),
  () => ({ method: 'POST', path: '/v1/dead-letters/redrive', body: true }),
  (id) => ({ method: 'DELETE', path: `/v1/dead-letters/${id}`, body: false }),
  () => ({ method: 'POST', path: '/v1/preview', body: true }),
  (id) => ({ method: 'PUT', path: `/v1/jobs/${id}`, body: true }),
  () => ({ method: 'GET', path: '/v1/config', body: false }),
  () => ({ method: 'PUT', path: '/v1/config', body: true }),
  () => ({ method: 'GET', path: '/v1/status', body: false }),
];

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route: fc.constantFrom(...ROUTES),
    id: pathId,
    query: fc.option(query, { nil: undefined }),
    body: rawBody,
    contentType: fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 3 },
      fc.constantFrom(
        'application/json; charset=utf-8',
        'application/merge-patch+json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'APPLICATION/JSON',
        'application/json; charset=latin1',
        'application/jsonx',
        '',
        'multipart/form-data; boundary=x',
      ),
    ),
    auth: fc.oneof(
      { arbitrary: fc.constant('Bearer k'), weight: 10 },
      { arbitrary: fc.constantFrom('', 'Bearer', 'Bearer k2', 'bearer k', 'Basic k', 'Bearer k '), weight: 1 },
      { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
    ),
    keepContentType: fc.boolean(),
  })
  .map(({ route, id, query: q, body, contentType, auth, keepContentType }) => {
    const r = route(id);
    const headers: Record<string, string> = {};
    if (auth !== '') headers.authorization = auth;
    if (keepContentType && contentType !== '') headers['content-type'] = contentType;
    else if (r.body) headers['content-type'] = 'application/json';
    return { method: r.method, url: `${r.path}${q ? `?${q}` : ''}`, headers, ...(r.body ? { body } : {}) };
  });

export interface FuzzTarget {
  app: OpenAPIHono;
  /** Everything a request could change, in a form that compares with toEqual. */
  snapshot: () => Promise<unknown>;
}

/** Sends one request and checks the properties; returns the status. */
export async function checkRequest(target: FuzzTarget, request: FuzzRequest): Promise<number> {
  const before = await target.snapshot();
  const res = await target.app.request(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const label = `${request.method} ${request.url.slice(0, 200)} ${JSON.stringify(request.headers)} ${String(request.body).slice(0, 300)}`;
  expect(res.status, label).toBeLessThan(500);
  const type = request.headers['content-type'];
  if (request.body !== undefined && !/^application\/([a-z.+-]+\+)?json(;\s*charset=utf-8)?$/i.test(type ?? '')) {
    expect(res.status, `a body not declared JSON was taken: ${label}`).toBeGreaterThanOrEqual(400);
  }
  if (res.status >= 400) {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    expect(typeof body.error?.code, label).toBe('string');
    expect(typeof body.error?.message, label).toBe('string');
    expect(
      Object.keys(body.error!).every((k) => ['code', 'message', 'details'].includes(k)),
      label,
    ).toBe(true);
    // Always a list; one that names a field at least for a validation error.
    const details = body.error!.details as { path: unknown; message: unknown }[];
    expect(Array.isArray(details), label).toBe(true);
    if (body.error!.code === 'validation_failed') expect(details.length > 0, label).toBe(true);
    {
      for (const d of details) {
        expect(typeof d.path === 'string' && d.path.length > 0 && typeof d.message === 'string', label).toBe(true);
      }
    }
    expect(await target.snapshot(), `a refused request changed the stores: ${label}`).toEqual(before);
  }
  return res.status;
}

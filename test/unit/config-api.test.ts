import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { testApp } from '../helpers/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
const read = (res: Response): Promise<any> => res.json();
const auth = { authorization: 'Bearer k' };
const json = { ...auth, 'content-type': 'application/json' };
const valid = { maxConcurrency: 25, jobDefaults: { retry: { maxAttempts: 5 }, timeout: '10s' }, retentionDays: 14 };

function setup() {
  const t = testApp({ now: '2026-01-01T00:00:10.000Z' });
  const put = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.request('/v1/config', { method: 'PUT', headers: { ...json, ...headers }, body: JSON.stringify(body) });
  return { ...t, put };
}

describe('GET and PUT /v1/config', () => {
  it('answers the configured defaults at version 0 before any PUT, in the input form a PUT takes', async () => {
    const { app } = setup();
    const res = await app.request('/v1/config', { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"0"');
    expect(await read(res)).toEqual({
      maxConcurrency: null,
      jobDefaults: {
        retry: { maxAttempts: 3, initialDelay: '10s', maxDelay: '15m', multiplier: 2, jitter: 'full' },
        timeout: '30s',
        misfire: { policy: 'once', grace: '1m', maxCatchUp: 100 },
        overlap: 'allow',
      },
      retentionDays: 30,
      version: 0,
      updatedAt: null,
    });
  });

  it('stores the whole settings, bumps the version, and a GET body sent back as it is changes nothing else', async () => {
    const { put } = setup();
    const res = await put(valid, { 'if-match': '"0"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const body = await read(res);
    expect(body).toMatchObject({ maxConcurrency: 25, retentionDays: 14, version: 1, updatedAt: '2026-01-01T00:00:10.000Z' });
    expect(body.jobDefaults).toMatchObject({ retry: { maxAttempts: 5, initialDelay: '10s' }, timeout: '10s' });
    const { version: _v, updatedAt: _u, ...again } = body;
    const second = await put(again, { 'if-match': '"1"' });
    expect(second.status).toBe(200);
    const { version, ...rest } = await read(second);
    expect(version).toBe(2);
    expect(rest).toEqual({ ...again, updatedAt: '2026-01-01T00:00:10.000Z' });
  });

  it('answers 412 for a stale If-Match and changes nothing; no If-Match writes over any version', async () => {
    const { app, put } = setup();
    await put(valid);
    for (const tag of ['"0"', '"7"', '"01"']) {
      const res = await put({ ...valid, maxConcurrency: 1 }, { 'if-match': tag });
      expect(res.status, tag).toBe(412);
      expect((await read(res)).error).toMatchObject({ code: 'precondition_failed', details: [{ path: 'If-Match' }] });
    }
    expect((await read(await app.request('/v1/config', { headers: auth }))).maxConcurrency).toBe(25);
    expect((await put({ ...valid, maxConcurrency: null })).status).toBe(200);
  });

  it.each([
    ['maxConcurrency 0', { ...valid, maxConcurrency: 0 }, 'maxConcurrency'],
    ['maxConcurrency 10001', { ...valid, maxConcurrency: 10_001 }, 'maxConcurrency'],
    ['maxConcurrency 2.5', { ...valid, maxConcurrency: 2.5 }, 'maxConcurrency'],
    ['maxConcurrency as text', { ...valid, maxConcurrency: '5' }, 'maxConcurrency'],
    ['maxConcurrency left out', { jobDefaults: {}, retentionDays: 1 }, 'maxConcurrency'],
    ['retentionDays 0', { ...valid, retentionDays: 0 }, 'retentionDays'],
    ['retentionDays 3651', { ...valid, retentionDays: 3651 }, 'retentionDays'],
    ['a timeout over 60s', { ...valid, jobDefaults: { timeout: '61s' } }, 'jobDefaults.timeout'],
    ['maxAttempts 21', { ...valid, jobDefaults: { retry: { maxAttempts: 21 } } }, 'jobDefaults.retry.maxAttempts'],
    ['an unknown policy field', { ...valid, jobDefaults: { retries: 3 } }, 'jobDefaults'],
    ['an unknown field', { ...valid, extra: true }, '(body)'],
    ['an array', [valid], '(body)'],
  ])('refuses %s with a 400 naming the field, and changes nothing', async (_, body, path) => {
    const { app, put } = setup();
    const res = await put(body);
    expect(res.status).toBe(400);
    const error = (await read(res)).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await read(await app.request('/v1/config', { headers: auth }))).version).toBe(0);
  });

  it('refuses a malformed If-Match, a body that is not JSON, and no key', async () => {
    const { app, put } = setup();
    expect((await put(valid, { 'if-match': 'three' })).status).toBe(400);
    const notJson = await app.request('/v1/config', { method: 'PUT', headers: json, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await app.request('/v1/config', { method: 'PUT', headers: auth, body: JSON.stringify(valid) })).status).toBe(415);
    expect((await app.request('/v1/config')).status).toBe(401);
  });

  it('answers 503 when the store is down, and a later GET works again', async () => {
    const { app, settingsStore } = setup();
    settingsStore.failReads = () => new StoreUnavailableError('down');
    expect((await app.request('/v1/config', { headers: auth })).status).toBe(503);
    settingsStore.failReads = undefined;
    expect((await app.request('/v1/config', { headers: auth })).status).toBe(200);
  });

  it('gives jobs created after a PUT its job defaults, and leaves jobs created before as they were', async () => {
    const { app, put } = setup();
    const create = async (name: string) =>
      read(
        await app.request('/v1/jobs', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ name, schedule: { every: '1h' }, handler: 'log' }),
        }),
      );
    const before = await create('before');
    await put({ ...valid, jobDefaults: { retry: { maxAttempts: 7 }, overlap: 'skip' } });
    const after = await create('after');
    expect(before.policy).toMatchObject({ retry: { maxAttempts: 3 }, overlap: 'allow' });
    expect(after.policy).toMatchObject({ retry: { maxAttempts: 7 }, overlap: 'skip' });
    const stored = await read(await app.request(`/v1/jobs/${before.id}`, { headers: auth }));
    expect(stored.policy.retry.maxAttempts).toBe(3);
  });
});

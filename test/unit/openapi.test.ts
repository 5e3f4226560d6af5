import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';

const auth = { authorization: 'Bearer k' };

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, needs the key, and lists every /v1 route the app answers', async () => {
    const { app } = testApp();
    expect((await app.request('/openapi.json')).status).toBe(401);
    const res = await app.request('/openapi.json', { headers: auth });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const validator = new Validator();
    expect(await validator.validate(doc)).toEqual({ valid: true });
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, methods] of [
      ['/v1/jobs', ['get', 'post']],
      ['/v1/jobs/{id}', ['get', 'patch', 'delete']],
      ['/v1/jobs/{id}/pause', ['post']],
      ['/v1/jobs/{id}/resume', ['post']],
      ['/v1/jobs/{id}/trigger', ['post']],
      ['/v1/jobs/{id}/executions', ['get']],
      ['/v1/jobs/{id}/preview', ['get']],
      ['/v1/preview', ['post']],
      ['/v1/handlers', ['get']],
      ['/v1/enqueue', ['post']],
      ['/v1/dead-letters', ['get']],
      ['/v1/dead-letters/redrive', ['post']],
      ['/v1/dead-letters/{id}', ['delete']],
      ['/v1/executions', ['get']],
      ['/v1/executions/{id}', ['get']],
      ['/v1/stats', ['get']],
      ['/v1/cleanup', ['post']],
      ['/v1/config', ['get', 'put']],
      ['/v1/status', ['get']],
    ] as const) {
      for (const method of methods) {
        const op = doc.paths[path]?.[method];
        expect(op, `${method} ${path}`).toBeDefined();
        // Every /v1 route names its client errors in the one error shape.
        expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['400', '401', '429', '503']));
        // Only a route that takes a body can be refused for its size or type.
        const body = method === 'post' || method === 'put' || method === 'patch';
        expect(
          Object.keys(op!.responses).filter((s) => s === '413' || s === '415'),
          `${method} ${path}`,
        ).toEqual(body ? ['413', '415'] : []);
      }
    }
  });

  it('describes every route the app answers, each with its own operationId, /health and /docs without the key', async () => {
    const { app } = testApp();
    const doc = (await (await app.request('/openapi.json', { headers: auth })).json()) as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
    };
    const answered = app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !r.path.startsWith('/docs/'))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(new Set(answered).size).toBeGreaterThan(20);
    for (const route of new Set(answered)) expect(described, route).toContain(route);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/v1/jobs/{id}/executions']!.get!.operationId).toBe('getJobsByIdExecutions');
    expect(doc.paths['/health']!.get!.security).toEqual([]);
    expect(doc.paths['/docs']!.get!.security).toEqual([]);
  });

  it('serves the interactive docs from the package itself, with no data and no CDN', async () => {
    const { app } = testApp();
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/start.js']) {
      const res = await app.request(asset);
      expect(res.status, asset).toBe(200);
      expect((await res.text()).length, asset).toBeGreaterThan(10);
    }
  });
});

describe('versions', () => {
  it('gives an ETag on reads; If-Match with a stale version is a 412 that changes nothing', async () => {
    const { app } = testApp({ now: '2026-01-01T00:00:10.000Z' });
    const json = { ...auth, 'content-type': 'application/json' };
    const created = await app.request('/v1/jobs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'v', schedule: { every: '1h' }, handler: 'log' }),
    });
    const job = (await created.json()) as { id: string; version: number };
    expect(created.headers.get('etag')).toBe(`"${job.version}"`);
    const paused = await app.request(`/v1/jobs/${job.id}/pause`, {
      method: 'POST',
      headers: { ...json, 'if-match': `"${job.version}"` },
      body: JSON.stringify({ note: 'maintenance, by ana' }),
    });
    expect(paused.status).toBe(200);
    const after = (await paused.json()) as { status: string; note: string; version: number };
    expect(after).toMatchObject({ status: 'paused', note: 'maintenance, by ana' });
    const stale = await app.request(`/v1/jobs/${job.id}/resume`, { method: 'POST', headers: { ...auth, 'if-match': `"${job.version}"` } });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('precondition_failed');
    expect(((await (await app.request(`/v1/jobs/${job.id}`, { headers: auth })).json()) as { status: string }).status).toBe('paused');
    const bad = await app.request(`/v1/jobs/${job.id}`, { method: 'DELETE', headers: { ...auth, 'if-match': 'W/"1"' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('If-Match');
    const resumed = await app.request(`/v1/jobs/${job.id}/resume`, {
      method: 'POST',
      headers: { ...auth, 'if-match': `"${after.version}"` },
    });
    expect(resumed.status).toBe(200);
  });
});

describe('the version the API states', () => {
  it('is the package version', async () => {
    const { readFileSync } = await import('node:fs');
    const { VERSION } = await import('../../functions/api.js');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('what an outside probe found', () => {
  const json = { ...auth, 'content-type': 'application/json' };
  async function aJob() {
    const t = testApp({ now: '2026-01-01T00:00:10.000Z' });
    const res = await t.app.request('/v1/jobs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'p', schedule: { every: '1h' }, handler: 'log' }),
    });
    return { ...t, job: (await res.json()) as { id: string; version: number } };
  }

  it('takes an empty body sent as JSON where the body is optional', async () => {
    const { app, job } = await aJob();
    for (const body of ['', ' ']) {
      const res = await app.request(`/v1/jobs/${job.id}/pause`, { method: 'POST', headers: json, body });
      expect(res.status, JSON.stringify(body)).toBe(200);
    }
  });

  it('names a malformed If-Match even when the body is wrong too', async () => {
    const { app, job } = await aJob();
    const res = await app.request(`/v1/jobs/${job.id}`, {
      method: 'PATCH',
      headers: { ...json, 'if-match': 'bad' },
      body: JSON.stringify({ bogus: 1 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toContain('If-Match');
  });

  it('compares If-Match as a tag: "0N" is not version N', async () => {
    const { app, job } = await aJob();
    const res = await app.request(`/v1/jobs/${job.id}/pause`, { method: 'POST', headers: { ...auth, 'if-match': `"0${job.version}"` } });
    expect(res.status).toBe(412);
  });

  it.each(['1e1', '0x10', '+5', ' 1', '2.0'])('refuses a preview count of %j, as it refuses such a limit', async (count) => {
    const { app, job } = await aJob();
    const res = await app.request(`/v1/jobs/${job.id}/preview?count=${encodeURIComponent(count)}`, { headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('count');
  });
});

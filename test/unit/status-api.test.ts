import { describe, expect, it } from 'vitest';
import { runTick } from '../../core/dispatch/tick.js';
import { HealthService } from '../../core/service/status-service.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { testApp } from '../helpers/app.js';
import { MemoryLogger } from '../helpers/factories.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
const read = (res: Response): Promise<any> => res.json();
const auth = { authorization: 'Bearer k' };

describe('GET /v1/status', () => {
  it('before any tick: no last tick, the schedule state, an empty backlog and the version', async () => {
    const { app } = testApp({ now: '2026-01-01T00:00:10.000Z' });
    const res = await app.request('/v1/status', { headers: auth });
    expect(res.status).toBe(200);
    expect(await read(res)).toEqual({
      version: '0.0.0-test',
      now: '2026-01-01T00:00:10.000Z',
      lastTick: null,
      schedule: 'enabled',
      pause: { paused: false, since: null, by: null, note: null, mismatch: null },
      backlog: { progress: null, behindMs: 0, inbox: 0, inboxCapped: false },
    });
  });

  it('shows what the last tick did and how far behind it is, and the inbox of new chains', async () => {
    const t = testApp({ now: '2026-01-01T00:00:10.000Z' });
    const post = (name: string) =>
      t.app.request('/v1/jobs', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name, schedule: { every: '10s' }, handler: 'log' }),
      });
    await post('a');
    expect((await read(await t.app.request('/v1/status', { headers: auth }))).backlog.inbox).toBe(1);
    await runTick(t);
    t.clock.advance(10 * 60_000);
    const status = await read(await t.app.request('/v1/status', { headers: auth }));
    expect(status.lastTick).toMatchObject({ startedAt: '2026-01-01T00:00:10.000Z', slots: expect.any(Number), sent: expect.any(Number) });
    expect(status.lastTick.finishedAt).toBe(new Date(Date.parse(status.lastTick.startedAt) + status.lastTick.durationMs).toISOString());
    expect(status.backlog.inbox).toBe(0);
    // The tick ran ahead to 00:02; ten minutes later it is eight minutes behind.
    expect(status.backlog.progress).toBe('2026-01-01T00:02:00.000Z');
    expect(status.backlog.behindMs).toBe(8 * 60_000 + 10_000);
  });

  it('needs the key, and answers 503 when the store does not', async () => {
    const t = testApp();
    expect((await t.app.request('/v1/status')).status).toBe(401);
    t.tickLog.last = () => Promise.reject(new StoreUnavailableError('down'));
    expect((await t.app.request('/v1/status', { headers: auth })).status).toBe(503);
  });
});

describe('GET /health', () => {
  it('needs no key; answers 503 naming the failing part, and nothing of why or where', async () => {
    const t = testApp();
    t.probes.queue = () => Promise.reject(new Error('connect ECONNREFUSED http://10.0.0.7:9324 secret=abc'));
    const res = await t.app.request('/health');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ ok: false, store: 'ok', queue: 'failing' });
    expect(text).not.toMatch(/10\.0\.0\.7|secret|ECONN/);
  });

  it('counts a part that does not answer in time as failing', async () => {
    const health = new HealthService({
      probes: { store: () => new Promise(() => {}), queue: () => Promise.resolve() },
      logger: new MemoryLogger(),
      timeoutMs: 20,
    });
    expect(await health.check()).toEqual({ ok: false, store: 'failing', queue: 'ok' });
  });
});

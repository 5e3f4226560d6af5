/** POST /v1/jobs with Idempotency-Key: a create sent again answers as the first did; killed at each step, still one job. */
import { describe, expect, it } from 'vitest';
import { JobService } from '../../core/service/job-service.js';
import { testApp } from '../helpers/app.js';
import { Life, mortal } from '../simulation/mortal.js';

const json = { authorization: 'Bearer k', 'content-type': 'application/json' };
const body = JSON.stringify({ name: 'nightly', schedule: { cron: '0 2 * * *' }, handler: 'log' });
const post = (t: ReturnType<typeof testApp>, key: string | undefined, payload = body) =>
  t.app.request('/v1/jobs', { method: 'POST', headers: key === undefined ? json : { ...json, 'idempotency-key': key }, body: payload });

describe('POST /v1/jobs with Idempotency-Key', () => {
  it('answers a create sent again as the first did, makes one job, and says it replayed', async () => {
    const t = testApp();
    const first = await post(t, 'abc-123');
    expect(first.status).toBe(201);
    const again = await post(t, 'abc-123');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await again.json()).toEqual(await first.json());
    expect((await t.jobs.list({ limit: 10 })).items).toHaveLength(1);
    // The same body with its keys in another order and other spacing is the same request.
    const reordered = await post(t, 'abc-123', '{ "handler": "log", "schedule": {"cron":"0 2 * * *"},  "name": "nightly" }');
    expect(reordered.status).toBe(201);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    // Without the key, the same body is a second create: its name is taken.
    expect((await post(t, undefined)).status).toBe(409);
  });

  it('refuses the key with another body (422), and a bad key (400), changing nothing', async () => {
    const t = testApp();
    await post(t, 'k1');
    const other = await post(t, 'k1', JSON.stringify({ name: 'other', schedule: { every: '1h' }, handler: 'log' }));
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string; details: { path: string }[] } }).error).toMatchObject({
      code: 'idempotency_key_reused',
      details: [{ path: 'Idempotency-Key' }],
    });
    for (const bad of ['has space', 'x'.repeat(201), 'tab\there']) {
      const res = await post(t, bad, JSON.stringify({ name: `n${bad.length}`, schedule: { every: '1h' }, handler: 'log' }));
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('idempotency-key');
    }
    expect((await t.jobs.list({ limit: 10 })).items).toHaveLength(1);
  });

  it('lets a key whose create was refused be sent again with a body put right', async () => {
    const t = testApp();
    const bad = await post(t, 'fix-me', JSON.stringify({ name: 'x', schedule: { cron: 'nope' }, handler: 'log' }));
    expect(bad.status).toBe(400);
    const fixed = await post(t, 'fix-me', JSON.stringify({ name: 'x', schedule: { cron: '* * * * *' }, handler: 'log' }));
    expect(fixed.status).toBe(201);
  });

  it.each(Array.from({ length: 8 }, (_, i) => i + 1))('a create killed at its port call %i, sent again, makes one job', async (k) => {
    const t = testApp();
    const dying = new JobService(mortal({ ...t, sleep: t.clock.sleep }, new Life('api', { crashAtCall: k })));
    await dying.createOnce(JSON.parse(body), { key: 'retry', fingerprint: 'f' }).catch(() => undefined);
    // A create that died mid-way leaves its key pending a minute; then the retry settles it.
    t.clock.advance(61_000);
    const again = await t.service.createOnce(JSON.parse(body), { key: 'retry', fingerprint: 'f' });
    const jobs = (await t.jobs.list({ limit: 10 })).items;
    expect(jobs).toHaveLength(1);
    expect(again.job.id).toBe(jobs[0]!.id);
    expect((await t.service.createOnce(JSON.parse(body), { key: 'retry', fingerprint: 'f' })).job.id).toBe(jobs[0]!.id);
  });

  it('while the first is under way, a second with its key is a 409 that changes nothing', async () => {
    const t = testApp();
    await t.jobs.beginIdempotent({
      key: 'busy',
      fingerprint: 'f',
      jobId: 'pending-id',
      startedAt: t.clock.now().toISOString(),
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    await expect(t.service.createOnce(JSON.parse(body), { key: 'busy', fingerprint: 'f' })).rejects.toMatchObject({
      name: 'IdempotencyInProgressError',
    });
    expect((await t.jobs.list({ limit: 10 })).items).toHaveLength(0);
  });
});

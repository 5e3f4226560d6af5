import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };

function setup(now = '2026-01-01T00:00:00.000Z') {
  const { app } = testApp({ now, ids: () => 'job-1' });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
  const preview = async (body: unknown): Promise<{ status: number; body: any }> => {
    const res = await app.request('/v1/preview', { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  return { app, preview };
}

describe('POST /v1/preview', () => {
  it('shows the DST rule: a fixed-time job in the spring gap runs once at the first valid instant', async () => {
    const { status, body } = await setup().preview({
      schedule: { cron: '30 2 * * *', timezone: 'America/New_York' },
      from: '2026-03-07T12:00:00Z',
      count: 3,
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      occurrences: [
        { at: '2026-03-08T07:00:00.000Z', local: '2026-03-08T03:00:00-04:00' },
        { at: '2026-03-09T06:30:00.000Z', local: '2026-03-09T02:30:00-04:00' },
        { at: '2026-03-10T06:30:00.000Z', local: '2026-03-10T02:30:00-04:00' },
      ],
    });
  });

  it('shows a wildcard job twice in the repeated hour', async () => {
    const { body } = await setup().preview({
      schedule: { cron: '0 * * * *', timezone: 'Europe/Berlin' },
      from: '2026-10-24T23:30:00Z',
      count: 4,
    });
    expect(body.occurrences.map((o: { local: string }) => o.local)).toEqual([
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
      '2026-10-25T04:00:00+01:00',
    ]);
  });

  it('previews intervals from `from` and one-time instants, in UTC', async () => {
    const { preview } = setup();
    expect((await preview({ schedule: { every: '90s' }, from: '2026-05-01T10:00:00Z', count: 2 })).body.occurrences).toEqual([
      { at: '2026-05-01T10:01:30.000Z', local: '2026-05-01T10:01:30+00:00' },
      { at: '2026-05-01T10:03:00.000Z', local: '2026-05-01T10:03:00+00:00' },
    ]);
    expect((await preview({ schedule: { at: '2026-05-01T10:00:00+02:00' }, count: 5 })).body.occurrences).toEqual([
      { at: '2026-05-01T08:00:00.000Z', local: '2026-05-01T08:00:00+00:00' },
    ]);
    expect((await preview({ schedule: { at: '2025-05-01T10:00:00Z' } })).body.occurrences).toEqual([]);
  });

  it('defaults to 10 occurrences from now, and answers at most 100', async () => {
    const { preview } = setup('2026-01-01T00:00:00.000Z');
    const tenFromNow = await preview({ schedule: { cron: '@hourly' } });
    expect(tenFromNow.body.occurrences).toHaveLength(10);
    expect(tenFromNow.body.occurrences[0].at).toBe('2026-01-01T01:00:00.000Z');
    expect((await preview({ schedule: { cron: '* * * * * *' }, count: 100 })).body.occurrences).toHaveLength(100);
  });

  it.each([
    [{ schedule: { cron: '0 0 30 2 *' } }, 'schedule.cron', /can never fire/],
    [{ schedule: { cron: '0 9 * * *', timezone: 'Europe/Nowhere' } }, 'schedule.timezone', /IANA/],
    [{ schedule: { cron: '0 9 * * *' }, count: 0 }, 'count', /.+/],
    [{ schedule: { cron: '0 9 * * *' }, count: 101 }, 'count', /.+/],
    [{ schedule: { cron: '0 9 * * *' }, from: 'yesterday' }, 'from', /.+/],
    [{ schedule: { every: '5 minutes' } }, 'schedule.every', /unit/],
    [{}, 'schedule', /.+/],
  ])('rejects %j naming %s', async (body, path, message) => {
    const res = await setup().preview(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('needs a key', async () => {
    const res = await setup().app.request('/v1/preview', { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });
});

describe('GET /v1/jobs/{id}/preview', () => {
  it('previews a saved job, intervals counting from its creation', async () => {
    const { app } = setup('2026-01-01T00:00:10.000Z');
    await app.request('/v1/jobs', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'i', schedule: { every: '1h' }, handler: 'log' }),
    });
    const res = await app.request('/v1/jobs/job-1/preview?count=2&from=2026-01-01T05:30:00Z', { headers });
    expect(await res.json()).toEqual({
      occurrences: [
        { at: '2026-01-01T06:00:10.000Z', local: '2026-01-01T06:00:10+00:00' },
        { at: '2026-01-01T07:00:10.000Z', local: '2026-01-01T07:00:10+00:00' },
      ],
    });
  });

  it('answers 404 for an unknown job and 400 for a bad count', async () => {
    const { app } = setup();
    expect((await app.request('/v1/jobs/nope/preview', { headers })).status).toBe(404);
    await app.request('/v1/jobs', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'c', schedule: { cron: '@daily' }, handler: 'log' }),
    });
    const res = await app.request('/v1/jobs/job-1/preview?count=500', { headers });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('count');
  });
});

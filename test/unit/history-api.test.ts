import { describe, expect, it } from 'vitest';
import { executionId } from '../../core/execution/ledger-record.js';
import { testApp } from '../helpers/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
const read = (res: Response): Promise<any> => res.json();
const auth = { authorization: 'Bearer k' };
const json = { ...auth, 'content-type': 'application/json' };

async function setup() {
  const t = testApp({ now: '2026-01-03T00:00:00.000Z' });
  const res = await t.app.request('/v1/jobs', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ name: 'h', schedule: { every: '1h' }, handler: 'log' }),
  });
  const job = (await read(res)) as { id: string };
  const claim = (jobId: string, scheduledFor: string) =>
    t.executions.claim({ jobId, scheduledFor, jobName: 'h', handler: 'log', startedAt: scheduledFor, leaseUntil: scheduledFor });
  return { ...t, job, claim, get: (path: string) => t.app.request(path, { headers: auth }) };
}

describe('the history API', () => {
  it('lists executions across jobs newest first, each with its id and no internals, in pages', async () => {
    const { get, claim, job } = await setup();
    for (const t of ['2026-01-01T10:00:00.000Z', '2026-01-02T10:00:00.000Z']) await claim(job.id, t);
    await claim('other', '2026-01-02T11:00:00.000Z');
    const first = await read(await get('/v1/executions?limit=2'));
    expect(first.executions.map((e: { jobId: string }) => e.jobId)).toEqual(['other', job.id]);
    expect(first.executions[0]).toMatchObject({ id: executionId({ jobId: 'other', scheduledFor: '2026-01-02T11:00:00.000Z' }) });
    for (const key of ['leaseUntil', 'attemptBase', 'occurrence', 'attempts']) expect(first.executions[0]).not.toHaveProperty(key);
    const second = await read(await get(`/v1/executions?limit=2&next=${first.next}`));
    expect(second.executions.map((e: { scheduledFor: string }) => e.scheduledFor)).toEqual(['2026-01-01T10:00:00.000Z']);
    const filtered = await read(await get(`/v1/executions?jobId=other&status=running,failed&from=2026-01-02T00:00:00Z`));
    expect(filtered.executions).toHaveLength(1);
  });

  it.each([
    ['from=2031-02-30T00:00:00Z', 'from'],
    ['to=yesterday', 'to'],
    ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['from=2020-01-01T00:00:00Z', 'from'],
    ['status=exploded', 'status'],
    ['next=forged', 'next'],
    [`next=${Buffer.from('{"k":"zzz"}').toString('base64url')}`, 'next'],
    ['limit=0', 'limit'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const { get } = await setup();
    const res = await get(`/v1/executions?${query}`);
    expect(res.status).toBe(400);
    expect((await read(res)).error.details.map((d: { path: string }) => d.path.split('.')[0])).toContain(field);
  });

  it('shows one execution with every attempt, and 404s for an id that names none', async () => {
    const { get, claim, job, executions } = await setup();
    const scheduledFor = '2026-01-02T10:00:00.000Z';
    await claim(job.id, scheduledFor);
    await executions.complete({ jobId: job.id, scheduledFor, attempt: 1, status: 'failed', finishedAt: scheduledFor, durationMs: 0 });
    await claim(job.id, scheduledFor);
    const res = await get(`/v1/executions/${executionId({ jobId: job.id, scheduledFor })}`);
    expect(res.status).toBe(200);
    const body = await read(res);
    expect(body.attempts.map((a: { attempt: number; status: string }) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [2, 'running'],
    ]);
    expect(body).not.toHaveProperty('leaseUntil');
    for (const id of [
      'nope',
      executionId({ jobId: '#tick', scheduledFor: 'progress' }),
      executionId({ jobId: job.id, scheduledFor: '2026-01-01T00:00:00Z' }),
    ])
      expect((await get(`/v1/executions/${id}`)).status, id).toBe(404);
  });

  it('lists a deleted job’s history, and 404s only for a job that never was', async () => {
    const { get, claim, job, app } = await setup();
    await claim(job.id, '2026-01-02T10:00:00.000Z');
    expect((await app.request(`/v1/jobs/${job.id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    const res = await get(`/v1/jobs/${job.id}/executions?status=running`);
    expect(res.status).toBe(200);
    expect((await read(res)).executions).toHaveLength(1);
    expect((await get('/v1/jobs/never/executions')).status).toBe(404);
    expect((await get(`/v1/jobs/${job.id}/executions?from=nope`)).status).toBe(400);
  });

  it('gives final history a TTL from the retention setting, and keeps open dead letters', async () => {
    const { claim, job, executions } = await setup();
    await claim(job.id, '2026-01-02T10:00:00.000Z');
    await executions.complete({
      jobId: job.id,
      scheduledFor: '2026-01-02T10:00:00.000Z',
      attempt: 1,
      status: 'succeeded',
      finishedAt: '2026-01-02T10:00:01.000Z',
      durationMs: 1000,
    });
    expect((await executions.get(job.id, '2026-01-02T10:00:00.000Z'))!.expiresAt).toBe('2026-02-01T10:00:01.000Z');
    await executions.recordArrivalInDeadLetters({
      jobId: job.id,
      scheduledFor: '2026-01-02T11:00:00.000Z',
      jobName: 'h',
      handler: 'log',
      at: '2026-01-02T11:00:00.000Z',
      occurrence: '{}',
    });
    expect((await executions.get(job.id, '2026-01-02T11:00:00.000Z'))!.expiresAt).toBeUndefined();
    await executions.discard({ jobId: job.id, scheduledFor: '2026-01-02T11:00:00.000Z' }, '2026-01-02T12:00:00.000Z');
    expect((await executions.get(job.id, '2026-01-02T11:00:00.000Z'))!.expiresAt).toBe('2026-02-01T12:00:00.000Z');
  });
});

describe('the operations API', () => {
  it('cleans up final history before an instant, and only that', async () => {
    const { app, claim, job, executions } = await setup();
    await executions.recordSkipped(
      [{ jobId: job.id, scheduledFor: '2026-01-01T00:00:00.000Z', jobName: 'h', handler: 'log', reason: 'misfire' }],
      '2026-01-01T00:00:00.000Z',
    );
    await claim(job.id, '2026-01-01T01:00:00.000Z');
    const post = (body?: string) => app.request('/v1/cleanup', { method: 'POST', headers: body === undefined ? auth : json, body });
    expect(await read(await post())).toEqual({ deleted: 0, more: false });
    expect(await read(await post(JSON.stringify({ before: '2026-01-02T00:00:00Z' })))).toEqual({ deleted: 1, more: false });
    expect(await executions.get(job.id, '2026-01-01T01:00:00.000Z')).toBeDefined();
    for (const body of ['{"before":"2031-02-30T00:00:00Z"}', '{"before":1}', '{"other":true}']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
    }
  });

  it('shows jobs by status, recent executions by status, and queue depths', async () => {
    const { get, claim, job } = await setup();
    await claim(job.id, '2026-01-02T23:30:00.000Z');
    await claim(job.id, '2026-01-02T10:00:00.000Z');
    const body = await read(await get('/v1/stats'));
    expect(body.jobs).toEqual({ active: 1, paused: 0, completed: 0 });
    expect(body.executions.lastHour).toEqual({ counts: { running: 1 }, complete: true });
    expect(body.executions.lastDay).toEqual({ counts: { running: 2 }, complete: true });
    expect(body.queue).toEqual({ queued: 0, inFlight: 0, delayed: expect.any(Number), deadLetters: 0 });
  });
});

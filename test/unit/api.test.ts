import { callAws } from '../../adapters/aws/aws-errors.js';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { runTick } from '../../core/dispatch/tick.js';
import { testApp } from '../helpers/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
const read = (res: Response): Promise<any> => res.json();
const KEY = 'test-key-123';
const auth = { authorization: `Bearer ${KEY}` };
const json = { ...auth, 'content-type': 'application/json' };

function setup() {
  const t = testApp({ now: '2026-01-01T00:00:10.000Z', apiKeys: [KEY, 'second-key'] });
  const post = (body: unknown) => t.app.request('/v1/jobs', { method: 'POST', headers: json, body: JSON.stringify(body) });
  return { ...t, post };
}

const cronJob = { name: 'nightly', schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' }, handler: 'log', payload: { a: 1 } };

describe('API', () => {
  it('answers health without a key', async () => {
    const res = await setup().app.request('/health');
    expect(res.status).toBe(200);
    expect(await read(res)).toEqual({ ok: true, store: 'ok', queue: 'ok' });
  });

  it.each([
    ['no header', {}],
    ['a wrong key', { authorization: 'Bearer nope' }],
    ['another scheme', { authorization: `Basic ${KEY}` }],
  ])('refuses %s with 401 on every /v1 route', async (_, headers) => {
    const { app } = setup();
    for (const [method, path] of [
      ['GET', '/v1/jobs'],
      ['POST', '/v1/jobs'],
      ['GET', '/v1/jobs/x'],
      ['DELETE', '/v1/jobs/x'],
      ['GET', '/v1/jobs/x/executions'],
    ]) {
      const res = await app.request(path!, { method, headers });
      expect(res.status).toBe(401);
      expect((await read(res)).error.code).toBe('unauthorized');
    }
  });

  it('accepts any of the configured keys', async () => {
    const res = await setup().app.request('/v1/jobs', { headers: { authorization: 'Bearer second-key' } });
    expect(res.status).toBe(200);
  });

  it('creates a job and returns it with its next run', async () => {
    const { post } = setup();
    const res = await post(cronJob);
    expect(res.status).toBe(201);
    expect(await read(res)).toMatchObject({
      id: 'id-1',
      name: 'nightly',
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
      status: 'active',
      // 03:00 in Berlin (CET) is 02:00 UTC.
      nextRunAt: '2026-01-01T02:00:00.000Z',
      createdAt: '2026-01-01T00:00:10.000Z',
    });
  });

  it('starts an interval job at startAt, and reports its resolved policy', async () => {
    const { post } = setup();
    const res = await post({
      name: 'from-noon',
      schedule: { every: '1h' },
      handler: 'log',
      startAt: '2026-01-01T12:00:00+00:00',
      maxRuns: 3,
      retry: { maxAttempts: 5 },
      misfire: { policy: 'skip', grace: '5m' },
    });
    expect(res.status).toBe(201);
    expect(await read(res)).toMatchObject({
      nextRunAt: '2026-01-01T12:00:00.000Z',
      startAt: '2026-01-01T12:00:00.000Z',
      maxRuns: 3,
      runs: 0,
      policy: {
        retry: { maxAttempts: 5, initialDelayMs: 10_000 },
        timeoutMs: 30_000,
        misfire: { policy: 'skip', graceMs: 300_000, maxCatchUp: 100 },
      },
    });
  });

  it('sends a new job’s first occurrence at once when it is due within the minute; the next tick completes it', async () => {
    const t = setup();
    const res = await t.post({ name: 'soon', schedule: { at: '2026-01-01T00:00:13.000Z' }, handler: 'log' });
    expect(res.status).toBe(201);
    expect(t.queue.sent).toMatchObject([{ jobId: 'id-1', scheduledFor: '2026-01-01T00:00:13.000Z', delaySeconds: 3 }]);
    expect(await read(res)).toMatchObject({ nextRunAt: '2026-01-01T00:00:13.000Z', status: 'active' });

    await runTick(t);
    // The tick sends it again from the submitted entry (the worker's claim runs it once) and ends the schedule.
    expect(t.queue.sent.map((o) => o.scheduledFor)).toEqual(['2026-01-01T00:00:13.000Z', '2026-01-01T00:00:13.000Z']);
    expect(await t.jobs.get('id-1')).toMatchObject({ nextRunAt: null, status: 'completed', runs: 1 });
  });

  it('still creates the job when sending its first occurrences fails; the tick sends them', async () => {
    const t = setup();
    const send = t.queue.sendBundles.bind(t.queue);
    t.queue.sendBundles = async () => {
      throw new StoreUnavailableError('SQS SendMessageBatch failed');
    };
    const res = await t.post({ name: 'soon', schedule: { at: '2026-01-01T00:00:13.000Z' }, handler: 'log' });
    expect(res.status).toBe(201);
    expect(t.logger.lines.some((l) => l.level === 'warn' && l.message.includes('next tick'))).toBe(true);
    t.queue.sendBundles = send;
    await runTick(t);
    expect(t.queue.sent.map((o) => o.scheduledFor)).toEqual(['2026-01-01T00:00:13.000Z']);
  });

  it('creates nothing the tick would run when the job cannot be written (its name is taken)', async () => {
    const t = setup();
    expect((await t.post({ ...cronJob, name: 'dup' })).status).toBe(201);
    expect((await t.post({ ...cronJob, name: 'dup' })).status).toBe(409);
    t.clock.advance(120_000);
    // The refused create took its chain back: the tick finds nothing of it, not even a stale entry.
    expect(await t.due.inbox(10)).toHaveLength(1);
    const result = await runTick(t);
    expect(result.stale).toBe(0);
    expect(await t.due.inbox(10)).toEqual([]);
  });

  it('names every field that is wrong, and stores nothing', async () => {
    const { post, jobs } = setup();
    const res = await post({ name: 'bad name!', schedule: { cron: '0 0 30 2 *', timezone: 'Nowhere/City' }, handler: 'nope', extra: 1 });
    expect(res.status).toBe(400);
    const body = await read(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['(body)', 'name']);
    expect((await jobs.list({ limit: 10 })).items).toEqual([]);
  });

  it.each([
    [{ ...cronJob, schedule: { cron: '0 0 30 2 *' } }, 'schedule.cron', /can never fire/],
    [{ ...cronJob, schedule: { cron: '0 9 * * *', timezone: 'Nowhere/City' } }, 'schedule.timezone', /IANA/],
    [{ ...cronJob, schedule: { cron: '* * * * *', every: '5m' } }, 'schedule', /exactly one/],
    [{ ...cronJob, schedule: {} }, 'schedule', /exactly one/],
    [{ ...cronJob, schedule: { every: '5m', timezone: 'UTC' } }, 'schedule.timezone', /only a cron/],
    [{ ...cronJob, schedule: { at: '2025-01-01T00:00:00Z' } }, 'schedule.at', /past/],
    [{ ...cronJob, handler: 'nope' }, 'handler', /no handler named "nope"/],
    [{ ...cronJob, name: undefined }, 'name', /.+/],
    [{ ...cronJob, payload: { big: 'x'.repeat(70_000) } }, 'payload', /limit/],
    [{ ...cronJob, status: 'running' }, 'status', /.+/],
    [{ ...cronJob, status: 'completed' }, 'status', /.+/],
    [{ ...cronJob, startAt: '2026-02-01T00:00:00Z', endAt: '2026-01-01T00:00:00Z' }, 'endAt', /after startAt/],
    [{ ...cronJob, endAt: '2026-01-01T00:00:30Z' }, 'endAt', /no occurrence/],
    [{ ...cronJob, maxRuns: 0 }, 'maxRuns', /.+/],
    [{ ...cronJob, retry: { maxAttempts: 50 } }, 'retry.maxAttempts', /.+/],
    [{ ...cronJob, timeout: '2m' }, 'timeout', /at most 60s/],
    [{ ...cronJob, misfire: { policy: 'sometimes' } }, 'misfire.policy', /.+/],
  ])('rejects %j naming %s', async (body, path, message) => {
    const res = await setup().post(body);
    expect(res.status).toBe(400);
    const details = (await read(res)).error.details as { path: string; message: string }[];
    expect(details).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('rejects a body that is not JSON', async () => {
    const { app } = setup();
    const res = await app.request('/v1/jobs', { method: 'POST', headers: json, body: '{"name":' });
    expect(res.status).toBe(400);
    expect((await read(res)).error.code).toBe('invalid_json');
  });

  it('refuses a second job with the same name with 409', async () => {
    const { post } = setup();
    expect((await post(cronJob)).status).toBe(201);
    const res = await post(cronJob);
    expect(res.status).toBe(409);
    expect((await read(res)).error).toMatchObject({ code: 'conflict', details: [{ path: 'name' }] });
  });

  it('gets, lists in pages, and deletes', async () => {
    const { app, post } = setup();
    for (const name of ['a', 'b', 'c']) await post({ ...cronJob, name });

    expect((await read(await app.request('/v1/jobs/id-2', { headers: auth }))).name).toBe('b');

    const first = await read(await app.request('/v1/jobs?limit=2', { headers: auth }));
    expect(first.jobs).toHaveLength(2);
    const second = await read(await app.request(`/v1/jobs?limit=2&next=${first.next}`, { headers: auth }));
    expect(second.jobs).toHaveLength(1);
    expect(second.next).toBeUndefined();

    expect((await app.request('/v1/jobs/id-2', { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await app.request('/v1/jobs/id-2', { headers: auth })).status).toBe(404);
    expect((await app.request('/v1/jobs/id-2', { method: 'DELETE', headers: auth })).status).toBe(404);
    // The name is free again.
    expect((await post({ ...cronJob, name: 'b' })).status).toBe(201);
  });

  it('answers 404 with the error shape for an unknown job, its executions, and unknown routes', async () => {
    const { app } = setup();
    for (const path of ['/v1/jobs/missing', '/v1/jobs/missing/executions', '/v1/nothing']) {
      const res = await app.request(path, { headers: auth });
      expect(res.status).toBe(404);
      expect((await read(res)).error.code).toBe('not_found');
    }
  });

  it('rejects a bad page size', async () => {
    const res = await setup().app.request('/v1/jobs?limit=1000', { headers: auth });
    expect(res.status).toBe(400);
    expect((await read(res)).error.details[0].path).toBe('limit');
  });

  it('lists a job’s executions, newest first', async () => {
    const { app, post, executions } = setup();
    await post(cronJob);
    for (const at of ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']) {
      await executions.claim({ jobId: 'id-1', scheduledFor: at, jobName: 'nightly', handler: 'log', startedAt: at, leaseUntil: at });
    }
    const body = await read(await app.request('/v1/jobs/id-1/executions', { headers: auth }));
    expect(body.executions.map((e: { scheduledFor: string }) => e.scheduledFor)).toEqual([
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
  });

  it('answers 503 with Retry-After when storage is down, and 500 without internals for the unexpected', async () => {
    const { app, jobs, logger } = setup();
    jobs.get = async () => {
      throw new StoreUnavailableError('DynamoDB GetItem failed', { cause: new Error('ECONNREFUSED') });
    };
    let res = await app.request('/v1/jobs/x', { headers: auth });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await read(res)).error.code).toBe('unavailable');

    jobs.get = async () => {
      throw new Error('secret internal detail');
    };
    res = await app.request('/v1/jobs/x', { headers: auth });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internal detail');
    expect(text).not.toContain('at ');
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('answers 429 with Retry-After when DynamoDB throttles the scheduler (a throttled call, as the SDK throws it)', async () => {
    const { app, jobs } = setup();
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    jobs.get = () => callAws('DynamoDB', 'GetItem', () => Promise.reject(throttled));
    const res = await app.request('/v1/jobs/x', { headers: auth });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await read(res)).error).toMatchObject({ code: 'throttled', details: [] });
  });

  it("answers a client's own abort (its body cut off) as a 400, not a 500 in the log", async () => {
    const { app, jobs, logger } = setup();
    jobs.get = () => Promise.reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const res = await app.request('/v1/jobs/x', { headers: auth });
    expect(res.status).toBe(400);
    expect((await read(res)).error.code).toBe('aborted');
    expect(logger.lines.some((l) => l.level === 'error')).toBe(false);
  });

  it('never writes the API key to the log', async () => {
    const { app, logger } = setup();
    await app.request('/v1/jobs', { headers: { authorization: 'Bearer wrong-key-value' } });
    await app.request('/v1/jobs', { headers: auth });
    expect(JSON.stringify(logger.lines)).not.toContain(KEY);
    expect(JSON.stringify(logger.lines)).not.toContain('wrong-key-value');
  });
});

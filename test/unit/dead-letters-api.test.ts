import { describe, expect, it } from 'vitest';
import { deadLetterId } from '../../core/execution/ledger-record.js';
import { encodeOccurrence } from '../../core/execution/occurrence.js';
import { testApp } from '../helpers/app.js';
import { anOccurrence } from '../helpers/factories.js';

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
const read = (res: Response): Promise<any> => res.json();

async function withDeadLetters(count: number) {
  const t = testApp({ now: '2026-01-01T00:00:00.000Z' });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const occurrence = anOccurrence({ jobId: `job-${i}`, payload: { n: i } });
    await t.executions.recordArrivalInDeadLetters({
      jobId: occurrence.jobId,
      scheduledFor: occurrence.scheduledFor,
      jobName: occurrence.jobName,
      handler: occurrence.handler,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      occurrence: encodeOccurrence(occurrence),
    });
    ids.push(deadLetterId(occurrence));
  }
  const redrive = (body: unknown) => t.app.request('/v1/dead-letters/redrive', { method: 'POST', headers, body: JSON.stringify(body) });
  return { ...t, ids, redrive };
}

describe('dead-letter API', () => {
  it('lists dead letters, newest first, with what is needed to decide', async () => {
    const { app, ids } = await withDeadLetters(2);
    const body = await read(await app.request('/v1/dead-letters', { headers }));
    expect(body.deadLetters).toEqual([
      expect.objectContaining({
        id: ids[1],
        jobId: 'job-1',
        reason: 'max-receives',
        diedAt: '2026-01-01T00:00:01.000Z',
        payload: { n: 1 },
        attempts: 0,
      }),
      expect.objectContaining({ id: ids[0], jobId: 'job-0' }),
    ]);
  });

  it('redrives chosen ids, optionally with an edited payload, and marks each with a token', async () => {
    const { redrive, ids, queue, app } = await withDeadLetters(3);
    const res = await redrive({ ids: [ids[0], ids[2], 'bm9wZQ'], payload: { fixed: true } });
    expect(res.status).toBe(200);
    expect(await read(res)).toEqual({ redriven: [ids[0], ids[2]], notFound: ['bm9wZQ'], remaining: [], more: false });
    expect(queue.sent.map((o) => [o.jobId, o.payload, typeof o.redriveId])).toEqual([
      ['job-0', { fixed: true }, 'string'],
      ['job-2', { fixed: true }, 'string'],
    ]);
    // Still listed until the redriven message claims them.
    expect((await read(await app.request('/v1/dead-letters', { headers }))).deadLetters).toHaveLength(3);
  });

  it("refuses a replacement payload that does not fit a dead letter's handler, naming the field, and sends nothing", async () => {
    const { redrive, ids, queue, executions } = await withDeadLetters(2);
    const typed = anOccurrence({ jobId: 'job-typed', handler: 'require-ok', payload: { ok: false } });
    await executions.recordArrivalInDeadLetters({
      jobId: typed.jobId,
      scheduledFor: typed.scheduledFor,
      jobName: typed.jobName,
      handler: typed.handler,
      at: '2026-01-01T00:00:09.000Z',
      occurrence: encodeOccurrence(typed),
    });
    for (const body of [
      { ids: [ids[0], deadLetterId(typed)], payload: { ok: 'yes' } },
      { all: true, payload: { ok: 'yes' } },
    ]) {
      const res = await redrive(body);
      expect(res.status).toBe(400);
      expect((await read(res)).error.details).toEqual([{ path: 'payload.ok', message: expect.stringContaining('(handler "require-ok")') }]);
    }
    expect(queue.sent).toEqual([]);
    expect((await redrive({ ids: [deadLetterId(typed)], payload: { ok: true } })).status).toBe(200);
  });

  it('redrives all at a bounded rate, keeping payloads', async () => {
    const { redrive, queue, clock } = await withDeadLetters(3);
    const before = clock.now().getTime();
    expect((await read(await redrive({ all: true, ratePerSecond: 2 }))).redriven).toHaveLength(3);
    // The third message waits a second after the first at 2 per second.
    expect(clock.now().getTime() - before).toBeGreaterThanOrEqual(1_000);
    expect(queue.sent.map((o) => o.payload)).toEqual([{ n: 2 }, { n: 1 }, { n: 0 }]);
  });

  it('returns what the rate does not allow in one request', async () => {
    const { redrive, ids, queue } = await withDeadLetters(22);
    // 1 per second for at most 20 seconds: 20 go now, 2 come back to send again.
    const body = await read(await redrive({ ids, ratePerSecond: 1 }));
    expect(body.redriven).toEqual(ids.slice(0, 20));
    expect(body.remaining).toEqual(ids.slice(20));
    expect(body.more).toBe(true);
    expect(queue.sent).toHaveLength(20);
  });

  it.each([
    [{}, '(body)'],
    [{ ids: [], all: true }, 'ids'],
    [{ ids: ['a'], all: true }, '(body)'],
    [{ all: false }, 'all'],
    [{ all: true, ratePerSecond: 0 }, 'ratePerSecond'],
    [{ all: true, extra: 1 }, '(body)'],
  ])('rejects %j naming %s', async (body, path) => {
    const { redrive, queue } = await withDeadLetters(1);
    const res = await redrive(body);
    expect(res.status).toBe(400);
    expect((await read(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(queue.sent).toEqual([]);
  });

  it('discards a dead letter: 204, then 404', async () => {
    const { app, ids } = await withDeadLetters(2);
    expect((await app.request(`/v1/dead-letters/${ids[0]}`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await app.request(`/v1/dead-letters/${ids[0]}`, { method: 'DELETE', headers })).status).toBe(404);
    expect((await app.request('/v1/dead-letters/not-an-id', { method: 'DELETE', headers })).status).toBe(404);
    expect((await read(await app.request('/v1/dead-letters', { headers }))).deadLetters.map((d: { id: string }) => d.id)).toEqual([ids[1]]);
  });

  it('needs a key', async () => {
    const { app } = await withDeadLetters(0);
    expect((await app.request('/v1/dead-letters')).status).toBe(401);
    expect((await app.request('/v1/dead-letters/redrive', { method: 'POST', body: '{}' })).status).toBe(401);
  });
});

describe('executions of a dead occurrence', () => {
  it('do not expose the stored message', async () => {
    const t = testApp();
    await t.app.request('/v1/jobs', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'j', schedule: { cron: '@daily' }, handler: 'log' }),
    });
    await t.executions.recordArrivalInDeadLetters({
      jobId: 'id-1',
      scheduledFor: '2026-01-01T00:00:00.000Z',
      jobName: 'j',
      handler: 'log',
      at: '2026-01-01T00:00:01.000Z',
      occurrence: '{"secret":"payload"}',
    });
    const body = await read(await t.app.request('/v1/jobs/id-1/executions', { headers }));
    expect(body.executions[0]).toMatchObject({ status: 'dead', deadReason: 'max-receives' });
    expect(body.executions[0]).not.toHaveProperty('occurrence');
  });
});

/**
 * Issue 9, findings 4 and 12: hashed cron fields, bodies not declared JSON,
 * `__proto__` keys in payloads, a redrive's payload limit, instants the store
 * cannot sort, and page tokens that are not ours.
 */
import { describe, expect, it } from 'vitest';
import { deadLetterId } from '../../core/execution/ledger-record.js';
import { encodeOccurrence, occurrenceSchema } from '../../core/execution/occurrence.js';
import { testApp } from '../helpers/app.js';
import { anOccurrence } from '../helpers/factories.js';

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
const read = (res: Response): Promise<any> => res.json();

function setup() {
  const t = testApp({ now: '2026-01-01T00:00:00.000Z' });
  const post = (path: string, body: unknown, h: Record<string, string> = headers) =>
    t.app.request(path, { method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { ...t, post };
}

describe('hashed cron fields (H)', () => {
  it.each(['H * * * *', '0 H * * *', 'H/15 * * * *', '0 0 H(1-15) * *', '0 0 * * H', '0 H(0-29) 3 * * *'])(
    '%s is refused at create and preview, naming schedule.cron',
    async (cron) => {
      const t = setup();
      for (const [path, body] of [
        ['/v1/jobs', { name: 'h', schedule: { cron }, handler: 'log' }],
        ['/v1/preview', { schedule: { cron } }],
      ] as const) {
        const res = await t.post(path, body);
        expect(res.status).toBe(400);
        expect((await read(res)).error.details).toEqual([{ path: 'schedule.cron', message: expect.stringContaining('"H"') }]);
      }
      expect((await t.jobs.list({ limit: 10 })).items).toEqual([]);
    },
  );

  it('names of days and months with an h in them are still fine', async () => {
    const res = await setup().post('/v1/preview', { schedule: { cron: '0 9 * mar-jun thu' }, count: 1, from: '2026-01-01T00:00:00Z' });
    expect(res.status).toBe(200);
    expect((await read(res)).occurrences[0].at).toBe('2026-03-05T09:00:00.000Z');
  });

  it('? in the minute or hour field counts as * for the DST rule', async () => {
    // New York, 2026-03-08: a wildcard job has nothing in the gap (a fixed-time one would run at 03:00).
    const res = await setup().post('/v1/preview', {
      schedule: { cron: '30 ? 8 3 *', timezone: 'America/New_York' },
      from: '2026-03-08T06:31:00Z',
      count: 2,
    });
    expect((await read(res)).occurrences.map((o: { local: string }) => o.local)).toEqual([
      '2026-03-08T03:30:00-04:00',
      '2026-03-08T04:30:00-04:00',
    ]);
  });
});

describe('bodies must be declared JSON', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'application/json; charset=latin1', undefined])(
    'Content-Type %s is a 415 that changes nothing',
    async (type) => {
      const t = setup();
      const h: Record<string, string> = { authorization: 'Bearer k', ...(type ? { 'content-type': type } : {}) };
      for (const path of ['/v1/jobs', '/v1/preview', '/v1/dead-letters/redrive']) {
        const res = await t.post(path, { name: 'x', schedule: { every: '1m' }, handler: 'log' }, h);
        expect(res.status).toBe(415);
        expect((await read(res)).error).toMatchObject({ code: 'unsupported_media_type', details: [{ path: '(body)' }] });
      }
      expect((await t.jobs.list({ limit: 10 })).items).toEqual([]);
    },
  );

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json'])(
    'Content-Type %s is taken',
    async (type) => {
      const res = await setup().post(
        '/v1/jobs',
        { name: 'x', schedule: { every: '1m' }, handler: 'log' },
        { authorization: 'Bearer k', 'content-type': type },
      );
      expect(res.status).toBe(201);
    },
  );
});

describe('payloads are kept as given', () => {
  it('keeps a __proto__ key as data, from the API to the message the worker reads, and sets no prototype', async () => {
    const t = setup();
    const body =
      '{"name":"p","schedule":{"every":"1m"},"handler":"log","payload":{"__proto__":{"polluted":true},"list":[{"__proto__":[1]}]}}';
    const res = await t.post('/v1/jobs', body);
    expect(res.status).toBe(201);
    const expected = '{"__proto__":{"polluted":true},"list":[{"__proto__":[1]}]}';
    expect(JSON.stringify((await read(res)).payload)).toBe(expected);
    const stored = (await t.jobs.list({ limit: 1 })).items[0]!;
    expect(JSON.stringify(stored.payload)).toBe(expected);
    expect(Object.getPrototypeOf(stored.payload)).toBe(Object.prototype);
    const sent = t.queue.sent[0]!;
    expect(JSON.stringify(occurrenceSchema.parse(JSON.parse(encodeOccurrence(sent))).payload)).toBe(expected);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a payload nested deeper than 64 levels with a 400 naming payload, not a stack overflow', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await setup().post('/v1/jobs', `{"name":"d","schedule":{"every":"1m"},"handler":"log","payload":${deep}}`);
    expect(res.status).toBe(400);
    expect((await read(res)).error.details).toEqual([{ path: 'payload', message: 'nests deeper than 64 levels' }]);
  });
});

describe("a redrive's replacement payload", () => {
  it('has the same 64 KiB limit and error as a job payload', async () => {
    const t = setup();
    const occurrence = anOccurrence({ jobId: 'job-1', payload: { n: 1 } });
    await t.executions.recordArrivalInDeadLetters({
      jobId: occurrence.jobId,
      scheduledFor: occurrence.scheduledFor,
      jobName: occurrence.jobName,
      handler: occurrence.handler,
      at: '2026-01-01T00:00:00.000Z',
      occurrence: encodeOccurrence(occurrence),
    });
    const big = { blob: 'x'.repeat(70_000) };
    const redrive = await t.post('/v1/dead-letters/redrive', { ids: [deadLetterId(occurrence)], payload: big });
    const create = await t.post('/v1/jobs', { name: 'big', schedule: { every: '1m' }, handler: 'log', payload: big });
    expect(redrive.status).toBe(400);
    const detail = (await read(redrive)).error.details;
    expect(detail).toEqual([{ path: 'payload', message: expect.stringMatching(/^is 70\d+ bytes; the limit is 65536$/) }]);
    expect(detail).toEqual((await read(create)).error.details);
    expect(t.queue.sent).toEqual([]);
  });
});

describe('instants the system can store and sort', () => {
  it.each([
    [{ schedule: { at: '9999-12-31T23:00:00-05:00' } }, 'schedule.at'],
    [{ schedule: { every: '1h' }, startAt: '9999-12-31T23:00:00-05:00' }, 'startAt'],
    [{ schedule: { every: '1h' }, endAt: '9999-12-31T22:00:00-05:00' }, 'endAt'],
    [{ schedule: { every: '1h' }, startAt: '1969-12-31T23:00:00Z' }, 'startAt'],
    [{ schedule: { at: 'tomorrow' } }, 'schedule.at'],
  ])('%j is a 400 naming %s', async (fields, path) => {
    const res = await setup().post('/v1/jobs', { name: 'far', handler: 'log', ...fields });
    expect(res.status).toBe(400);
    expect((await read(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('a preview from past 9999 is refused, and no schedule answers an instant past 9999-12-31', async () => {
    const t = setup();
    expect((await t.post('/v1/preview', { schedule: { every: '1h' }, from: '9999-12-31T23:30:00-01:00' })).status).toBe(400);
    for (const schedule of [{ every: '366d' }, { cron: '0 0 * * *', timezone: 'Pacific/Kiritimati' }, { cron: '0 0 31 12 *' }]) {
      const res = await t.post('/v1/preview', { schedule, from: '9999-01-01T00:00:00Z', count: 100 });
      expect(res.status).toBe(200);
      for (const o of (await read(res)).occurrences) expect(o.at < '9999-12-31T23:59:59.999Z~' && /^\d{4}-/.test(o.at)).toBe(true);
    }
    const job = await t.post('/v1/jobs', { name: 'late', handler: 'log', schedule: { every: '366d' }, startAt: '9999-06-01T00:00:00Z' });
    expect(job.status).toBe(201);
    const preview = await read(
      await t.app.request(`/v1/jobs/${(await read(job)).id}/preview?count=5&from=9999-01-01T00:00:00Z`, { headers }),
    );
    expect(preview.occurrences.map((o: { at: string }) => o.at)).toEqual(['9999-06-01T00:00:00.000Z']);
  });
});

describe('page tokens', () => {
  it.each([
    '!!!',
    'eyJ',
    Buffer.from('{"pk":1}').toString('base64url'),
    Buffer.from('"abc"').toString('base64url'),
    Buffer.from('-5').toString('base64url'),
    'A'.repeat(5000),
  ])('%s is a 400 naming next', async (next) => {
    const t = setup();
    for (const path of ['/v1/jobs', '/v1/dead-letters', '/v1/jobs/id-1/executions']) {
      const res = await t.app.request(`${path}?next=${encodeURIComponent(next)}`, { headers });
      if (path.includes('id-1')) continue;
      expect(res.status).toBe(400);
      expect((await read(res)).error.details[0].path).toBe('next');
    }
  });
});

describe('page limits', () => {
  it.each(['0x10', ' 2', '1e2', '2.0', '0', '101', '-1', ''])('refuse limit=%j with a 400 naming limit', async (limit) => {
    const t = testApp();
    const res = await t.app.request(`/v1/jobs?limit=${encodeURIComponent(limit)}`, { headers: { authorization: 'Bearer k' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'limit' }] } });
  });

  it('takes a plain whole number', async () => {
    const t = testApp();
    expect((await t.app.request('/v1/jobs?limit=7', { headers: { authorization: 'Bearer k' } })).status).toBe(200);
  });
});

/** GET /v1/jobs with filters and sort, over the in-memory store; pages followed to the end against the truth. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../adapters/faults/index.js';
import { testApp } from '../helpers/app.js';

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
interface Listed {
  id: string;
  name: string;
  status: string;
  handler: string;
  nextRunAt: string | null;
}

async function listAll(app: ReturnType<typeof testApp>['app'], query: string, limit: number): Promise<Listed[]> {
  const out: Listed[] = [];
  let next: string | undefined;
  do {
    const res = await app.request(`/v1/jobs?${query}&limit=${limit}${next ? `&next=${next}` : ''}`, { headers });
    expect(res.status, query).toBe(200);
    const body = (await res.json()) as { jobs: Listed[]; next?: string };
    out.push(...body.jobs);
    next = body.next;
  } while (next);
  return out;
}

describe('GET /v1/jobs: filters and sort', () => {
  it.each([1, 2, 3, 4, 5, 6])('seed %i: every matching job once, in the order asked', async (seed) => {
    const random = mulberry32(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const t = testApp({ now: '2026-03-01T10:00:00.000Z' });
    for (let i = 0; i < 40; i++) {
      const res = await t.app.request('/v1/jobs', {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: `${pick(['alpha', 'Beta', 'gamma', 'Alpha'])}-${i}`,
          handler: pick(['log', 'noop']),
          schedule: pick([{ every: `${1 + Math.floor(random() * 50)}m` }, { at: `2026-03-0${2 + Math.floor(random() * 7)}T00:00:00Z` }]),
          status: pick(['active', 'paused'] as const),
        }),
      });
      expect(res.status).toBe(201);
    }
    const all = await listAll(t.app, '', 100);
    expect(all).toHaveLength(40);
    for (let round = 0; round < 6; round++) {
      const sort = pick(['name', '-name', 'nextRun', '-nextRun']);
      const status = random() < 0.5 ? pick(['active', 'paused']) : undefined;
      const q = random() < 0.5 ? pick(['ALPHA', 'eta', '1']) : undefined;
      const query = [`sort=${sort}`, status ? `status=${status}` : '', q ? `q=${q}` : ''].filter(Boolean).join('&');
      const listed = await listAll(t.app, query, 1 + Math.floor(random() * 9));
      const expected = all.filter((j) => (!status || j.status === status) && (!q || j.name.toLowerCase().includes(q.toLowerCase())));
      const key = (j: Listed) => (sort.endsWith('name') ? j.name : (j.nextRunAt ?? '\uffff'));
      const byKey = (a: Listed, b: Listed) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1);
      const sorted = [...expected].sort((a, b) => {
        if (!sort.startsWith('-')) return byKey(a, b);
        if ((a.nextRunAt === null) !== (b.nextRunAt === null) && sort === '-nextRun') return a.nextRunAt === null ? 1 : -1;
        return key(a) === key(b) ? byKey(a, b) : -byKey(a, b);
      });
      expect(
        listed.map((j) => j.id),
        query,
      ).toEqual(sorted.map((j) => j.id));
    }
  });

  it('a page token of one sort is refused by another, and a forged one too', async () => {
    const t = testApp();
    for (const name of ['a', 'b', 'c'])
      await t.app.request('/v1/jobs', {
        method: 'POST',
        headers,
        body: JSON.stringify({ name, handler: 'log', schedule: { every: '1h' } }),
      });
    const first = (await (await t.app.request('/v1/jobs?sort=name&limit=1', { headers })).json()) as { next: string };
    expect((await t.app.request(`/v1/jobs?sort=nextRun&next=${first.next}`, { headers })).status).toBe(400);
    for (const forged of ['x', Buffer.from('{"sort":"name","key":1,"id":"a"}').toString('base64url'), 'a'.repeat(4000)]) {
      const res = await t.app.request(`/v1/jobs?sort=name&next=${forged}`, { headers });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('next');
    }
    const page = await t.app.request(`/v1/jobs?sort=name&next=${first.next}`, { headers });
    expect(((await page.json()) as { jobs: { name: string }[] }).jobs.map((j) => j.name)).toEqual(['b', 'c']);
  });

  it('names a bad filter or sort', async () => {
    const t = testApp();
    for (const [query, path] of [
      ['status=done', 'status'],
      ['sort=size', 'sort'],
      ['q=', 'q'],
      [`name=${'x'.repeat(129)}`, 'name'],
      [`handler=`, 'handler'],
    ]) {
      const res = await t.app.request(`/v1/jobs?${query}`, { headers });
      expect(res.status, query).toBe(400);
      expect(
        ((await res.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
        query,
      ).toContain(path);
    }
  });
});

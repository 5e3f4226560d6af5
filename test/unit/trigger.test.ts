/** POST /v1/jobs/{id}/trigger: a manual run, with the worker taking what the queue shows on a fake clock. */
import { describe, expect, it } from 'vitest';
import { makeWorld } from '../helpers/transition-scenarios.js';

async function world() {
  const w = makeWorld('2026-03-01T10:00:00.000Z');
  const runs: { at: string; payload: unknown }[] = [];
  w.handlers.register('rec', (payload, ctx) => void runs.push({ at: ctx.scheduledFor, payload }));
  return { ...w, runs };
}

describe('POST /v1/jobs/{id}/trigger', () => {
  it('runs the job once now, recorded as a manual run with who and why', async () => {
    const w = await world();
    const id = await w.create({ name: 'daily', schedule: { cron: '0 3 * * *' }, handler: 'rec', payload: { n: 1 } });
    w.clock.set('2026-03-01T10:00:07.123Z');
    const res = await w.api('POST', `/v1/jobs/${id}/trigger`, { by: 'ana', reason: 'backfill' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ jobId: id, scheduledFor: '2026-03-01T10:00:07.123Z', trigger: { by: 'ana', reason: 'backfill' } });
    await w.work();
    expect(w.runs).toEqual([{ at: '2026-03-01T10:00:07.123Z', payload: { n: 1 } }]);
    const [record] = await w.history(id);
    expect(record).toMatchObject({
      status: 'succeeded',
      scheduledFor: '2026-03-01T10:00:07.123Z',
      trigger: { by: 'ana', reason: 'backfill' },
    });
    const listed = await w.api('GET', `/v1/jobs/${id}/executions`);
    expect(listed.body).toMatchObject({ executions: [{ trigger: { by: 'ana', reason: 'backfill' } }] });
  });

  it('takes no body, or an empty one', async () => {
    const w = await world();
    const id = await w.create({ name: 'x', schedule: { every: '1h' }, handler: 'rec' });
    const bare = await w.app.request(`/v1/jobs/${id}/trigger`, { method: 'POST', headers: { authorization: 'Bearer k' } });
    expect(bare.status).toBe(202);
    expect(((await bare.json()) as { trigger: unknown }).trigger).toEqual({});
  });

  it('never merges with a scheduled occurrence or another manual run at the same instant', async () => {
    const w = await world();
    const id = await w.create({ name: 'minutely', schedule: { cron: '* * * * *' }, handler: 'rec' });
    w.clock.set('2026-03-01T10:01:00.000Z');
    const first = await w.api('POST', `/v1/jobs/${id}/trigger`);
    await w.work();
    const second = await w.api('POST', `/v1/jobs/${id}/trigger`);
    expect(first.body!.scheduledFor).toBe('2026-03-01T10:01:00.001Z');
    expect(second.body!.scheduledFor).toBe('2026-03-01T10:01:00.002Z');
    await w.runFor(5);
    expect(w.runs.map((r) => r.at).sort()).toEqual(['2026-03-01T10:01:00.000Z', '2026-03-01T10:01:00.001Z', '2026-03-01T10:01:00.002Z']);
  });

  it('applies the overlap policy: with skip, a manual run while one runs is recorded as skipped', async () => {
    const w = await world();
    const id = await w.create({ name: 'slow', schedule: { every: '1h' }, handler: 'rec', overlap: 'skip' });
    // Another run holds the job's overlap lock.
    await w.jobs.acquireRun(id, '2026-03-01T09:59:00.000Z', '2026-03-01T10:30:00.000Z', '2026-03-01T10:00:00.000Z');
    await w.api('POST', `/v1/jobs/${id}/trigger`, { reason: 'again' });
    await w.work();
    expect(w.runs).toEqual([]);
    expect(await w.history(id)).toMatchObject([{ status: 'skipped', skipReason: 'overlap' }]);
  });

  it('runs a paused job too, and does not count toward maxRuns', async () => {
    const w = await world();
    const id = await w.create({ name: 'max', schedule: { every: '10s' }, handler: 'rec', maxRuns: 2 });
    await w.api('POST', `/v1/jobs/${id}/trigger`);
    await w.runFor(60);
    expect(w.runs).toHaveLength(3);
    expect((await w.jobs.get(id))!.status).toBe('completed');
    const paused = await w.create({ name: 'paused', schedule: { every: '1h' }, handler: 'rec', status: 'paused' });
    expect((await w.api('POST', `/v1/jobs/${paused}/trigger`)).status).toBe(202);
    await w.work();
    expect(w.runs).toHaveLength(4);
  });

  it('refuses an unknown job (404), a long or unknown field (400 naming it), and sends nothing', async () => {
    const w = await world();
    const id = await w.create({ name: 'x', schedule: { every: '1h' }, handler: 'rec' });
    const sentBefore = w.queue.sent.length + w.queue.bundles.length;
    expect((await w.api('POST', '/v1/jobs/nope/trigger')).status).toBe(404);
    for (const [body, path] of [
      [{ by: 'x'.repeat(201) }, 'by'],
      [{ reason: 'x'.repeat(501) }, 'reason'],
      [{ who: 'me' }, '(body)'],
      [{ by: 7 }, 'by'],
      [[], '(body)'],
    ] as const) {
      const res = await w.api('POST', `/v1/jobs/${id}/trigger`, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect((res.body!.error as { details: { path: string }[] }).details.map((d) => d.path)).toContain(path);
    }
    expect(w.queue.sent.length + w.queue.bundles.length).toBe(sentBefore);
  });
});

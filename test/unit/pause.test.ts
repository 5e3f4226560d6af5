/** Pause and resume over the API, with a fake clock and the ledger checked afterwards. */
import { describe, expect, it } from 'vitest';
import { executeBundle } from '../../core/execution/bundle-executor.js';
import { runTick } from '../../core/dispatch/tick.js';
import { testApp } from '../helpers/app.js';
import { MemoryLogger } from '../helpers/factories.js';
import { createHandlers } from '../../handlers/index.js';

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
const read = (res: Response): Promise<any> => res.json();

async function everyTwentySeconds(misfire: 'skip' | 'once' = 'skip') {
  const t = testApp({ now: '2026-01-01T00:00:10.000Z' });
  const patch = (status: unknown) => t.app.request('/v1/jobs/id-1', { method: 'PATCH', headers, body: JSON.stringify({ status }) });
  const res = await t.app.request('/v1/jobs', {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'twenty', schedule: { cron: '*/20 * * * * *' }, handler: 'log', misfire: { policy: misfire } }),
  });
  expect(res.status).toBe(201);
  return { ...t, patch };
}

describe('PATCH /v1/jobs/{id}', () => {
  it('pauses and resumes (misfire skip), recording every occurrence in between as skipped (paused)', async () => {
    const { clock, patch, queue, executions, jobs, claims } = await everyTwentySeconds();
    // Created at 00:00:10: the API sent what falls before 00:02 itself.
    expect(queue.sent.map((o) => o.scheduledFor.slice(11, 19))).toEqual(['00:00:20', '00:00:40', '00:01:00', '00:01:20', '00:01:40']);

    clock.set('2026-01-01T00:00:30.000Z');
    const paused = await patch('paused');
    expect(paused.status).toBe(200);
    // Where a resume now would pick up: the next occurrence from now.
    expect(await read(paused)).toMatchObject({ status: 'paused', nextRunAt: '2026-01-01T00:00:40.000Z' });

    // Already sent, but after the pause: the bundle it went out in is held by the pause, and it does not run.
    const ran: string[] = [];
    const handlers = createHandlers().register('log', (_p, ctx) => void ran.push(ctx.scheduledFor));
    clock.set('2026-01-01T00:00:40.000Z');
    const sentIn = queue.bundles.find((b) => b.occurrences.some((o) => o.scheduledFor === '2026-01-01T00:00:40.000Z'))!;
    const bundled = await executeBundle(
      sentIn,
      { id: 'd', receiveCount: 1 },
      {
        executions,
        jobs,
        queue,
        claims,
        handlers,
        clock,
        logger: new MemoryLogger(),
        sleep: clock.sleep,
        random: Math.random,
        maxEarlyWaitMs: 5_000,
      },
    );
    expect(bundled).toMatchObject({ ran: 0, comeBack: false });
    expect(ran).toEqual([]);
    // Nothing is recorded yet: what fell due while paused is the resume's to decide.
    expect(await executions.get('id-1', '2026-01-01T00:00:40.000Z')).toBeUndefined();

    clock.set('2026-01-01T00:05:05.000Z');
    const resumed = await patch('active');
    expect(await read(resumed)).toMatchObject({ status: 'active', nextRunAt: '2026-01-01T00:05:20.000Z' });
    // Sent at resume: up to 00:07, from 00:05:20.
    expect(queue.sent.slice(5).map((o) => o.scheduledFor.slice(11, 19))).toEqual([
      '00:05:20',
      '00:05:40',
      '00:06:00',
      '00:06:20',
      '00:06:40',
    ]);

    const skipped = (await executions.listForJob('id-1', { limit: 100 })).items.filter((e) => e.status === 'skipped');
    expect(skipped.every((e) => e.skipReason === 'paused')).toBe(true);
    // From the pause (00:00:30) to the resume (00:05:05), every occurrence: 00:00:40 ... 00:05:00.
    const expected = Array.from({ length: 14 }, (_, i) => new Date(Date.parse('2026-01-01T00:00:40Z') + i * 20_000).toISOString());
    expect(skipped.map((e) => e.scheduledFor).sort()).toEqual(expected);
  });

  it('on resume runs the latest occurrence missed while paused when the misfire policy is once', async () => {
    const { clock, patch, queue, executions, jobs, due } = await everyTwentySeconds('once');
    clock.set('2026-01-01T00:00:30.000Z');
    await patch('paused');
    clock.set('2026-01-01T00:05:05.000Z');
    expect(await read(await patch('active'))).toMatchObject({ status: 'active' });
    expect(queue.sent.slice(5).map((o) => [o.scheduledFor.slice(11, 19), o.delaySeconds])).toEqual([
      ['00:05:00', 0],
      ['00:05:20', 15],
      ['00:05:40', 35],
      ['00:06:00', 55],
      ['00:06:20', 75],
      ['00:06:40', 95],
    ]);
    const skipped = (await executions.listForJob('id-1', { limit: 100 })).items.filter((e) => e.status === 'skipped');
    expect(skipped).toHaveLength(13);
    expect(skipped.map((e) => e.scheduledFor)).not.toContain('2026-01-01T00:05:00.000Z');
    expect(await jobs.get('id-1')).toMatchObject({ nextRunAt: '2026-01-01T00:05:20.000Z', rev: 3 });
    // The resumed chain waits in the inbox for the next tick.
    expect(await due.inbox(10)).toMatchObject([{ rev: 1 }, { jobId: 'id-1', rev: 3, from: '2026-01-01T00:05:20.000Z' }]);
  });

  it('the tick drops the paused chain and goes on with the resumed one, leaving no gap', async () => {
    const t = await everyTwentySeconds();
    await runTick(t);
    t.clock.set('2026-01-01T00:00:30.000Z');
    await t.patch('paused');
    t.clock.set('2026-01-01T00:01:00.000Z');
    expect(await runTick(t)).toMatchObject({ sent: 0, stale: 1 });
    t.clock.set('2026-01-01T00:05:05.000Z');
    await t.patch('active');
    for (const at of ['00:05:10', '00:06:00', '00:07:00']) {
      t.clock.set(`2026-01-01T${at}.000Z`);
      await runTick(t);
    }
    const sent = [...new Set(t.queue.sent.map((o) => o.scheduledFor.slice(11, 19)))].sort();
    const everyTwenty = (from: string, count: number) =>
      Array.from({ length: count }, (_, i) => new Date(Date.parse(`2026-01-01T${from}Z`) + i * 20_000).toISOString().slice(11, 19));
    expect(sent).toEqual([...everyTwenty('00:00:20', 5), ...everyTwenty('00:05:20', 11)]);
  });

  it('is idempotent, and refuses what it cannot do', async () => {
    const { patch, app } = await everyTwentySeconds();
    expect((await patch('active')).status).toBe(200);
    expect((await patch('completed')).status).toBe(400);
    const bad = await app.request('/v1/jobs/id-1', { method: 'PATCH', headers, body: JSON.stringify({ status: 'paused', nmae: 'x' }) });
    expect(bad.status).toBe(400);
    expect((await app.request('/v1/jobs/nope', { method: 'PATCH', headers, body: JSON.stringify({ status: 'paused' }) })).status).toBe(404);
  });

  it('cannot resume a completed job', async () => {
    const t = testApp({ now: '2026-01-01T00:00:00.000Z' });
    await t.app.request('/v1/jobs', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'once', schedule: { at: '2026-01-01T00:00:05Z' }, handler: 'log' }),
    });
    await runTick(t);
    const res = await t.app.request('/v1/jobs/id-1', { method: 'PATCH', headers, body: JSON.stringify({ status: 'paused' }) });
    expect(res.status).toBe(400);
    expect((await read(res)).error.details[0].message).toMatch(/completed/);
  });
});

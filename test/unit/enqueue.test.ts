/** POST /v1/enqueue: one-off tasks, on a fake clock with the tick every minute and a worker taking what the queue shows. */
import { describe, expect, it } from 'vitest';
import { JobService } from '../../core/service/job-service.js';
import { parseDeadLetterId } from '../../core/execution/ledger-record.js';
import { makeWorld } from '../helpers/transition-scenarios.js';
import { Life, mortal } from '../simulation/mortal.js';

async function world(now = '2026-03-01T10:00:00.000Z') {
  const w = makeWorld(now);
  const runs: { at: string; payload: unknown; attempt: number }[] = [];
  w.handlers.register('rec', (payload, ctx) => void runs.push({ at: ctx.scheduledFor, payload, attempt: ctx.attempt }));
  const enqueue = (body: unknown) => w.api('POST', '/v1/enqueue', body);
  return { ...w, runs, enqueue };
}

type Body = Record<string, unknown> & { error: { code: string; details: { path: string; message: string }[] } };

describe('POST /v1/enqueue', () => {
  it('runs a handler once now; the task is an execution, not a job', async () => {
    const w = await world();
    const res = await w.enqueue({ handler: 'rec', payload: { to: 'a' } });
    expect(res.status).toBe(202);
    const { executionId, taskId, scheduledFor } = res.body as { executionId: string; taskId: string; scheduledFor: string };
    expect(scheduledFor).toBe('2026-03-01T10:00:00.000Z');
    expect(parseDeadLetterId(executionId)).toEqual({ jobId: taskId, scheduledFor });
    await w.runFor(120);
    expect(w.runs).toEqual([{ at: scheduledFor, payload: { to: 'a' }, attempt: 1 }]);
    expect(await w.history(taskId)).toMatchObject([{ status: 'succeeded', jobName: 'rec', handler: 'rec' }]);
    expect((await w.api('GET', '/v1/jobs')).body).toEqual({ jobs: [] });
    expect((await w.api('GET', `/v1/jobs/${taskId}`)).status).toBe(404);
    expect((await w.api('DELETE', `/v1/jobs/${taskId}`)).status).toBe(404);
  });

  it('runs after a delay, or at an instant, to the second, and not before', async () => {
    const w = await world();
    const delayed = await w.enqueue({ handler: 'rec', payload: { n: 1 }, delay: '90s' });
    const at = await w.enqueue({ handler: 'rec', payload: { n: 2 }, at: '2026-03-01T11:07:30+01:00' });
    expect(delayed.body!.scheduledFor).toBe('2026-03-01T10:01:30.000Z');
    expect(at.body!.scheduledFor).toBe('2026-03-01T10:07:30.000Z');
    // An instant however far ahead is taken (the due index carries it).
    const far = await w.enqueue({ handler: 'rec', at: '2031-06-01T00:00:00Z' });
    expect(far.status).toBe(202);
    await w.runFor(89);
    expect(w.runs).toEqual([]);
    await w.runFor(600);
    expect(w.runs.map((r) => [r.at, r.payload])).toEqual([
      ['2026-03-01T10:01:30.000Z', { n: 1 }],
      ['2026-03-01T10:07:30.000Z', { n: 2 }],
    ]);
  });

  it('runs at an instant minutes ahead, through the tick', async () => {
    const w = await world();
    await w.enqueue({ handler: 'rec', at: '2026-03-01T10:09:07Z' });
    await w.runFor(546);
    expect(w.runs).toEqual([]);
    await w.runFor(2);
    expect(w.runs.map((r) => r.at)).toEqual(['2026-03-01T10:09:07.000Z']);
    await w.runFor(120);
    expect(w.runs).toHaveLength(1);
  });

  it('retries as a job does, with its own policy', async () => {
    const w = await world();
    const res = await w.enqueue({ handler: 'fail-first', retry: { maxAttempts: 2, initialDelay: '1s', jitter: 'none' }, timeout: '5s' });
    await w.runFor(60);
    expect(await w.history(res.body!.taskId as string)).toMatchObject([{ status: 'succeeded', attempt: 2 }]);
  });

  it('uniqueKey: a second is refused while the first is not final, naming it; once it is, the key is free', async () => {
    const w = await world();
    const first = await w.enqueue({ handler: 'rec', uniqueKey: 'report:42', delay: '30s' });
    const second = await w.enqueue({ handler: 'rec', uniqueKey: 'report:42' });
    expect(second.status).toBe(409);
    expect((second.body as Body).error.details).toEqual([
      { path: 'uniqueKey', message: `held by execution ${String(first.body!.executionId)}` },
    ]);
    expect((await w.enqueue({ handler: 'rec', uniqueKey: 'report:43' })).status).toBe(202);
    await w.runFor(40);
    const third = await w.enqueue({ handler: 'rec', uniqueKey: 'report:42' });
    expect(third.status).toBe(202);
    // A dead one is final too.
    const dead = await w.enqueue({ handler: 'fail', uniqueKey: 'k', retry: { maxAttempts: 1 } });
    expect((await w.enqueue({ handler: 'rec', uniqueKey: 'k' })).status).toBe(409);
    await w.runFor(5);
    expect(await w.history(dead.body!.taskId as string)).toMatchObject([{ status: 'dead' }]);
    expect((await w.enqueue({ handler: 'rec', uniqueKey: 'k' })).status).toBe(202);
  });

  it('refuses what is not valid, naming the field, and writes nothing', async () => {
    const w = await world();
    await w.create({ name: 'typed', schedule: { every: '1h' }, handler: 'rec' });
    const cases: [unknown, string][] = [
      [{}, 'handler'],
      [{ handler: 'nope' }, 'handler'],
      [{ handler: 'require-ok', payload: { ok: 'yes' } }, 'payload.ok'],
      [{ handler: 'rec', delay: '10s', at: '2027-01-01T00:00:00Z' }, 'at'],
      [{ handler: 'rec', at: '2026-03-01T09:59:59Z' }, 'at'],
      [{ handler: 'rec', at: '2031-02-30T00:00:00Z' }, 'at'],
      [{ handler: 'rec', at: 'tomorrow' }, 'at'],
      [{ handler: 'rec', at: '9999-12-31T00:00:00Z' }, 'at'],
      [{ handler: 'rec', delay: '-5s' }, 'delay'],
      [{ handler: 'rec', delay: '999999999d' }, 'delay'],
      [{ handler: 'rec', delay: 10 }, 'delay'],
      [{ handler: 'rec', timeout: '10ms' }, 'timeout'],
      [{ handler: 'rec', retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
      [{ handler: 'rec', uniqueKey: 'has space' }, 'uniqueKey'],
      [{ handler: 'rec', uniqueKey: '' }, 'uniqueKey'],
      [{ handler: 'rec', uniqueKey: 'x'.repeat(201) }, 'uniqueKey'],
      [{ handler: 'rec', payload: { big: 'x'.repeat(70_000) } }, 'payload'],
      [{ handler: 'rec', misfire: { policy: 'skip' } }, '(body)'],
      [[], '(body)'],
    ];
    const inboxBefore = (await w.due.inbox(100)).length;
    for (const [body, path] of cases) {
      const res = await w.enqueue(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(
        (res.body as Body).error.details.map((d) => d.path),
        JSON.stringify(body).slice(0, 80),
      ).toContain(path);
    }
    expect((await w.due.inbox(100)).length).toBe(inboxBefore);
    expect(w.queue.sent.length + w.queue.bundles.length).toBe(0);
    // The refused ones with a uniqueKey locked nothing.
    expect((await w.enqueue({ handler: 'rec', uniqueKey: 'has-no-space' })).status).toBe(202);
  });

  it.each(Array.from({ length: 8 }, (_, i) => i + 1))(
    'with a uniqueKey, an enqueue that dies at its port call %i and is sent again runs once',
    async (k) => {
      const w = await world();
      const dying = new JobService(mortal({ ...w, sleep: w.clock.sleep }, new Life('api', { crashAtCall: k })));
      await dying.enqueue({ handler: 'rec', uniqueKey: 'once', delay: '300s' }).catch(() => undefined);
      // Long enough for a lock whose task was never written to count as an orphan; the task (if any) is still pending.
      await w.runFor(61);
      const again = await w.enqueue({ handler: 'rec', uniqueKey: 'once', delay: '300s' });
      expect([202, 409]).toContain(again.status);
      await w.runFor(400);
      expect(w.runs).toHaveLength(1);
    },
  );
});

describe('GET /v1/executions/{id} of a task', () => {
  it('is pending until the task starts, then its record', async () => {
    const w = await world();
    const res = await w.enqueue({ handler: 'rec', delay: '30s' });
    const id = res.body!.executionId as string;
    const pending = await w.api('GET', `/v1/executions/${id}`);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ id, status: 'pending', attempt: 0, attempts: [], handler: 'rec' });
    await w.runFor(40);
    expect((await w.api('GET', `/v1/executions/${id}`)).body).toMatchObject({ id, status: 'succeeded', attempts: [{ attempt: 1 }] });
    const unknown = Buffer.from(`${String(res.body!.taskId)}\n2026-03-01T11:00:00.000Z`).toString('base64url');
    expect((await w.api('GET', `/v1/executions/${unknown}`)).status).toBe(404);
  });
});

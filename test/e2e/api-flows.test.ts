/**
 * The API's main flows over real HTTP, against `npm run dev`'s runtime on its embedded
 * emulators (DynamoDB Local when Java is here, else dynalite; local-aws-sqs): create
 * with an Idempotency-Key sent twice, list with filters and sort, run now, edit
 * (a paused job's new schedule from its resume), enqueue with a uniqueKey.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logEntries, startRuntimeProcess, waitFor, type RuntimeProcess } from '../../local/runtime-process.js';

interface Execution {
  status: string;
  scheduledFor: string;
  trigger?: { by?: string; reason?: string };
}

describe('the API over HTTP on the emulators', () => {
  let runtime: RuntimeProcess;
  const workDir = mkdtempSync(join(tmpdir(), 'scheduler-api-e2e-'));
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await runtime.api(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const executions = async (jobId: string) => (await send('GET', `/v1/jobs/${jobId}/executions?limit=100`)).body.executions as Execution[];

  beforeAll(async () => {
    runtime = await startRuntimeProcess({ SCHEDULER_SEED_EXAMPLE: '0' }, { cwd: workDir });
  });

  afterAll(async () => {
    await runtime?.stop('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  });

  it('creates once for an Idempotency-Key sent twice, and lists with filters and sort', async () => {
    const create = (name: string, key?: string) =>
      send('POST', '/v1/jobs', { name, schedule: { every: '1h' }, handler: 'log' }, key ? { 'idempotency-key': key } : {});
    const first = await create('flow-beta', 'flow-key-1');
    expect(first.status).toBe(201);
    const again = await create('flow-beta', 'flow-key-1');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(
      (await send('POST', '/v1/jobs', { name: 'other', schedule: { every: '1h' }, handler: 'log' }, { 'idempotency-key': 'flow-key-1' }))
        .status,
    ).toBe(422);
    await create('flow-alpha');
    await create('FLOW-gamma');
    const sorted = await send('GET', '/v1/jobs?q=flow&sort=-name&limit=2');
    expect((sorted.body.jobs as { name: string }[]).map((j) => j.name)).toEqual(['flow-beta', 'flow-alpha']);
    const rest = await send('GET', `/v1/jobs?q=flow&sort=-name&limit=2&next=${String(sorted.body.next)}`);
    expect((rest.body.jobs as { name: string }[]).map((j) => j.name)).toEqual(['FLOW-gamma']);
    const prefixed = await send('GET', '/v1/jobs?name=flow-&status=active');
    expect((prefixed.body.jobs as { name: string }[]).map((j) => j.name).sort()).toEqual(['flow-alpha', 'flow-beta']);
  });

  it('runs a job now, recorded as a manual run with who and why', async () => {
    const job = await send('POST', '/v1/jobs', { name: 'manual', schedule: { cron: '0 3 * * *' }, handler: 'log' });
    const run = await send('POST', `/v1/jobs/${String(job.body.id)}/trigger`, { by: 'e2e', reason: 'flows' });
    expect(run.status).toBe(202);
    const done = await waitFor(
      async () => (await executions(job.body.id as string)).find((e) => e.status === 'succeeded'),
      15_000,
      'the manual run',
    );
    expect(done).toMatchObject({ scheduledFor: run.body.scheduledFor, trigger: { by: 'e2e', reason: 'flows' } });
  });

  it('edits a job: the answer says when the change takes effect; a paused job runs its new schedule from its resume', async () => {
    const active = await send('POST', '/v1/jobs', { name: 'edited-active', schedule: { every: '2s' }, handler: 'log' });
    const edit = await send(
      'PATCH',
      `/v1/jobs/${String(active.body.id)}`,
      { payload: { v: 2 } },
      { 'if-match': `"${String(active.body.version)}"` },
    );
    expect(edit.status).toBe(200);
    const { takesEffectFrom, sentWithPreviousDefinition } = edit.body.edit as {
      takesEffectFrom: string;
      sentWithPreviousDefinition: string[];
    };
    expect(Date.parse(takesEffectFrom) - Date.now()).toBeLessThan(3 * 60_000);
    expect(sentWithPreviousDefinition.length).toBeGreaterThan(0);
    expect(sentWithPreviousDefinition.every((t) => t < takesEffectFrom)).toBe(true);
    expect((await send('PATCH', `/v1/jobs/${String(active.body.id)}`, { payload: { v: 3 } }, { 'if-match': '"1"' })).status).toBe(412);

    const paused = await send('POST', '/v1/jobs', { name: 'edited-paused', schedule: { every: '1h' }, handler: 'log', status: 'paused' });
    const id = paused.body.id as string;
    expect((await send('PATCH', `/v1/jobs/${id}`, { schedule: { every: '1s' }, payload: { edited: true } })).body).toMatchObject({
      status: 'paused',
      schedule: { every: '1s' },
    });
    await send('POST', `/v1/jobs/${id}/resume`, { note: 'e2e' });
    const runs = await waitFor(
      async () => {
        const done = (await executions(id)).filter((e) => e.status === 'succeeded');
        return done.length >= 3 ? done : undefined;
      },
      15_000,
      'three runs of the new schedule',
    );
    expect(new Set(runs.map((r) => r.scheduledFor)).size).toBe(runs.length);
    // The handler saw the new payload.
    const logged = logEntries(runtime.output()).filter((e) => e.message === 'log handler' && e.jobName === 'edited-paused');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((e) => JSON.stringify(e.payload) === '{"edited":true}')).toBe(true);
  });

  it('enqueues one-off work with a uniqueKey: a second is refused while the first waits', async () => {
    const first = await send('POST', '/v1/enqueue', { handler: 'log', payload: { task: 1 }, delay: '2s', uniqueKey: 'e2e-once' });
    expect(first.status).toBe(202);
    const second = await send('POST', '/v1/enqueue', { handler: 'log', payload: { task: 2 }, uniqueKey: 'e2e-once' });
    expect(second.status).toBe(409);
    expect(JSON.stringify(second.body)).toContain(String(first.body.executionId));
    await waitFor(
      async () =>
        logEntries(runtime.output()).some((e) => e.message === 'log handler' && JSON.stringify(e.payload) === '{"task":1}')
          ? true
          : undefined,
      15_000,
      'the task ran',
    );
    const third = await waitFor(
      async () => {
        const res = await send('POST', '/v1/enqueue', { handler: 'log', payload: { task: 3 }, uniqueKey: 'e2e-once' });
        return res.status === 202 ? res : undefined;
      },
      10_000,
      'the key freed once the first succeeded',
    );
    expect(third.body.uniqueKey).toBe('e2e-once');
  });

  it('a config change takes effect at once: new defaults for new jobs, and the concurrency limit under a burst, measured by the handlers', async () => {
    const config = await send('GET', '/v1/config');
    const { version: _v, updatedAt: _u, ...settings } = config.body;
    const put = await send(
      'PUT',
      '/v1/config',
      { ...settings, maxConcurrency: 2, jobDefaults: { retry: { maxAttempts: 7 } } },
      {
        'if-match': config.headers.get('etag')!,
      },
    );
    expect(put.status).toBe(200);
    const job = await send('POST', '/v1/jobs', { name: 'new-defaults', schedule: { every: '1h' }, handler: 'log' });
    expect(job.body).toMatchObject({ policy: { retry: { maxAttempts: 7 } } });

    // A burst of 10 tasks of 700 ms each: never more than 2 at once, each once.
    const tasks = await Promise.all(
      Array.from({ length: 10 }, async () => (await send('POST', '/v1/enqueue', { handler: 'sleep', payload: { ms: 700 } })).body),
    );
    expect(tasks.every((t) => typeof t.executionId === 'string')).toBe(true);
    const starts = await waitFor(
      async () => {
        const seen = logEntries(runtime.output()).filter((e) => e.message === 'sleep handler start');
        return seen.length >= 10 ? seen : undefined;
      },
      60_000,
      'ten sleep handlers started',
    );
    const running = starts.map((e) => e.running as number);
    expect(Math.max(...running)).toBeLessThanOrEqual(2);
    expect(new Set(starts.map((e) => e.scheduledFor as string)).size).toBe(10);

    // History across jobs, filtered by handler and status; one execution with its attempts.
    const listed = await waitFor(
      async () => {
        const res = await send('GET', '/v1/executions?handler=sleep&status=succeeded&limit=100');
        const items = res.body.executions as { id: string; handler: string }[];
        return items.length >= 10 ? items : undefined;
      },
      30_000,
      'ten succeeded sleep executions listed',
    );
    expect(listed.every((e) => e.handler === 'sleep')).toBe(true);
    const ids = new Set(listed.map((e) => e.id));
    for (const t of tasks) expect(ids.has(t.executionId as string)).toBe(true);
    const one = await send('GET', `/v1/executions/${String(tasks[0]!.executionId)}`);
    expect(one.body).toMatchObject({ status: 'succeeded', attempts: [{ attempt: 1, status: 'succeeded' }] });
    expect(one.body).not.toHaveProperty('leaseUntil');

    const reset = await send('GET', '/v1/config');
    const { version: _v2, updatedAt: _u2, ...now } = reset.body;
    expect((await send('PUT', '/v1/config', { ...now, maxConcurrency: null })).status).toBe(200);
  });

  it('pauses the whole scheduler: the status says so, a job due while paused does not run, and its misfire policy decides on resume', async () => {
    const paused = await send('POST', '/v1/scheduler/pause', { by: 'e2e', note: 'flows' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, changed: true, schedule: 'disabled', pause: { by: 'e2e', note: 'flows' } });
    expect((await send('POST', '/v1/scheduler/pause')).body).toMatchObject({ paused: true, changed: false });
    const status = await send('GET', '/v1/status');
    expect(status.body).toMatchObject({ schedule: 'disabled', pause: { paused: true, by: 'e2e', note: 'flows', mismatch: null } });

    // Created while paused: due every second, nothing of it is sent until the resume.
    const misfire = { grace: '1s' };
    const once = await send('POST', '/v1/jobs', {
      name: 'paused-once',
      schedule: { every: '1s' },
      handler: 'log',
      misfire: { policy: 'once', ...misfire },
    });
    const skip = await send('POST', '/v1/jobs', {
      name: 'paused-skip',
      schedule: { every: '1s' },
      handler: 'log',
      misfire: { policy: 'skip', ...misfire },
    });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    for (const job of [once, skip]) expect(await executions(job.body.id as string), 'nothing runs while paused').toEqual([]);

    const resumed = await send('POST', '/v1/scheduler/resume', { by: 'e2e' });
    expect(resumed.body).toMatchObject({ paused: false, changed: true, schedule: 'enabled', ended: { by: 'e2e' } });
    const resumedAt = Date.now();
    // The local ticker ticks two seconds after a resume.
    const settled = async (id: string) =>
      waitFor(
        async () => {
          const all = await executions(id);
          // The tick records the skips after it sends: wait for both.
          const ranSince = all.some((e) => e.status === 'succeeded' && Date.parse(e.scheduledFor) > resumedAt);
          return ranSince && all.filter((e) => e.status === 'skipped').length >= 5 ? all : undefined;
        },
        20_000,
        'runs after the resume',
      );
    const [onceAll, skipAll] = [await settled(once.body.id as string), await settled(skip.body.id as string)];
    // The first tick after the resume judged as of its start; missed is what was more than the grace (1 s) late then.
    const tickAt = await waitFor(
      async () =>
        logEntries(runtime.output())
          .filter((e) => e.message === 'tick finished' && typeof e.at === 'string' && Date.parse(e.at) >= resumedAt)
          .map((e) => Date.parse(e.at as string))[0],
      10_000,
      'the tick after the resume',
    );
    const missedBy = (all: Execution[]) => all.filter((e) => Date.parse(e.scheduledFor) < tickAt - 1_000);
    // The one 'once' runs may still be running when the skips are in: judged once every missed one is final.
    const finalMissed = (id: string, seen: Execution[]) =>
      waitFor(
        async () => {
          const all = await executions(id);
          const missed = missedBy(all);
          return missed.length >= missedBy(seen).length && missed.every((e) => e.status === 'succeeded' || e.status === 'skipped')
            ? missed
            : undefined;
        },
        20_000,
        'every missed occurrence final',
      );
    const onceMissed = await finalMissed(once.body.id as string, onceAll);
    const skipMissed = await finalMissed(skip.body.id as string, skipAll);
    expect(onceMissed.length).toBeGreaterThanOrEqual(6);
    const latest = onceMissed
      .map((e) => e.scheduledFor)
      .sort()
      .at(-1);
    expect(
      onceMissed.filter((e) => e.status === 'succeeded').map((e) => e.scheduledFor),
      "'once' runs the latest missed",
    ).toEqual([latest]);
    expect(onceMissed.filter((e) => e.status === 'skipped')).toHaveLength(onceMissed.length - 1);
    expect(skipMissed.length).toBeGreaterThanOrEqual(6);
    expect(
      skipMissed.every((e) => e.status === 'skipped'),
      "'skip' runs none of them",
    ).toBe(true);
    expect((await send('GET', '/v1/status')).body).toMatchObject({ schedule: 'enabled', pause: { paused: false, mismatch: null } });
  });
});

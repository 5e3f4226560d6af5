import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntimeProcess, waitFor, type RuntimeProcess } from '../../local/runtime-process.js';

interface Execution {
  status: string;
  scheduledFor: string;
  startedAt: string;
  attempt: number;
}

async function executions(runtime: RuntimeProcess, jobId: string): Promise<Execution[]> {
  const res = await runtime.api(`/v1/jobs/${jobId}/executions?limit=100`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { executions: Execution[] }).executions;
}

async function createJob(runtime: RuntimeProcess, body: unknown): Promise<{ id: string; nextRunAt: string | null }> {
  const res = await runtime.api('/v1/jobs', { method: 'POST', body: JSON.stringify(body) });
  const json = (await res.json()) as { id: string; nextRunAt: string | null };
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json;
}

describe('the local runtime, over HTTP', () => {
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    runtime = await startRuntimeProcess({ SCHEDULER_IN_MEMORY: '1' });
  });

  afterAll(async () => {
    await runtime?.stop('SIGKILL');
  });

  it('serves health without a key and refuses the API without one', async () => {
    expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
    expect((await fetch(`${runtime.url}/v1/jobs`)).status).toBe(401);
  });

  it('seeds the heartbeat example on a first start', async () => {
    const res = await runtime.api('/v1/jobs');
    const { jobs } = (await res.json()) as { jobs: { name: string; handler: string }[] };
    expect(jobs).toContainEqual(expect.objectContaining({ name: 'heartbeat', handler: 'log' }));
  });

  it('runs a 6-field cron job every 2 seconds: at least 2 successes within 10 s', async () => {
    const job = await createJob(runtime, {
      name: 'every-two-seconds',
      schedule: { cron: '*/2 * * * * *' },
      handler: 'log',
      payload: { from: 'e2e' },
    });
    const succeeded = await waitFor(
      async () => {
        const done = (await executions(runtime, job.id)).filter((e) => e.status === 'succeeded');
        return done.length >= 2 ? done : undefined;
      },
      10_000,
      'two succeeded executions',
    );
    for (const e of succeeded) {
      expect(new Date(e.scheduledFor).getUTCSeconds() % 2).toBe(0);
      // Never early: the worker waits for the instant.
      expect(Date.parse(e.startedAt)).toBeGreaterThanOrEqual(Date.parse(e.scheduledFor));
    }
    expect(new Set(succeeded.map((e) => e.scheduledFor)).size).toBe(succeeded.length);
  });

  it('runs a one-time job at now + 3 s exactly once', async () => {
    const at = new Date(Date.now() + 3_000).toISOString();
    const job = await createJob(runtime, { name: 'one-time', schedule: { at }, handler: 'log' });
    const [run] = await waitFor(
      async () => {
        const list = await executions(runtime, job.id);
        return list.some((e) => e.status === 'succeeded') ? list : undefined;
      },
      10_000,
      'the one-time run',
    );
    expect(run).toMatchObject({ scheduledFor: at, attempt: 1 });
    expect(Date.parse(run!.startedAt)).toBeGreaterThanOrEqual(Date.parse(at));
    await delay(3_000);
    expect(await executions(runtime, job.id)).toHaveLength(1);
    const stored = (await (await runtime.api(`/v1/jobs/${job.id}`)).json()) as { nextRunAt: string | null };
    expect(stored.nextRunAt).toBeNull();
  });

  it('records a failing handler’s error in the history', async () => {
    const job = await createJob(runtime, {
      name: 'always-fails',
      schedule: { at: new Date(Date.now() + 1_500).toISOString() },
      handler: 'fail',
      payload: { message: 'on purpose' },
    });
    const [failed] = await waitFor(
      async () => {
        const list = await executions(runtime, job.id);
        return list.some((e) => e.status === 'failed') ? list : undefined;
      },
      10_000,
      'a failed execution',
    );
    expect(failed).toMatchObject({ status: 'failed', error: { name: 'FailHandlerError', message: 'on purpose' } });
  });

  it(
    'retries with backoff, is dead after exactly maxAttempts, reaches the DLQ, ' + 'and succeeds when redriven with a fixed payload',
    async () => {
      const job = await createJob(runtime, {
        name: 'needs-fixing',
        schedule: { at: new Date(Date.now() + 1_000).toISOString() },
        handler: 'require-ok',
        payload: { ok: false },
        retry: { maxAttempts: 3, initialDelay: '1s', multiplier: 2, jitter: 'none' },
      });
      interface DeadLetter {
        id: string;
        jobId: string;
        attempts: number;
        reason: string;
        error: { message: string };
      }
      const deadLetter = await waitFor(
        async () => {
          const { deadLetters } = (await (await runtime.api('/v1/dead-letters')).json()) as { deadLetters: DeadLetter[] };
          return deadLetters.find((d) => d.jobId === job.id);
        },
        15_000,
        'the dead letter',
      );
      expect(deadLetter).toMatchObject({ attempts: 3, reason: 'attempts-exhausted', error: { message: 'payload.ok is not true' } });
      const [dead] = await executions(runtime, job.id);
      expect(dead).toMatchObject({ status: 'dead', attempt: 3 });
      // The dead-letter consumer received it from the DLQ (and found it already recorded).
      await waitFor(async () => (runtime.output().includes('dead letter already recorded') ? true : undefined), 5_000, 'the DLQ consumer');

      const res = await runtime.api('/v1/dead-letters/redrive', {
        method: 'POST',
        body: JSON.stringify({ ids: [deadLetter.id], payload: { ok: true } }),
      });
      expect(await res.json()).toMatchObject({ redriven: [deadLetter.id] });
      const [after] = await waitFor(
        async () => {
          const list = await executions(runtime, job.id);
          return list[0]?.status === 'succeeded' ? list : undefined;
        },
        10_000,
        'the redriven run',
      );
      expect(after).toMatchObject({ status: 'succeeded', attempt: 4 });
      const { deadLetters } = (await (await runtime.api('/v1/dead-letters')).json()) as { deadLetters: DeadLetter[] };
      expect(deadLetters.find((d) => d.jobId === job.id)).toBeUndefined();
    },
  );

  it('stops cleanly on Ctrl+C', async () => {
    const code = await runtime.stop('SIGINT');
    expect(code).toBe(0);
    expect(runtime.output()).toContain('"message":"stopped"');
  });
});

describe.each([
  ['DynamoDB Local', 'dynamodb-local'],
  ['dynalite', 'dynalite'],
])('the local runtime keeping data on disk in %s', (_, emulator) => {
  // Started from a scratch folder with the default, relative data folder, as `npm run dev` is.
  const workDir = mkdtempSync(join(tmpdir(), 'scheduler-e2e-'));
  const env = { SCHEDULER_DYNAMODB_EMULATOR: emulator };
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('keeps jobs and history across a restart, and seeds the example only once', async () => {
    let runtime = await startRuntimeProcess(env, { cwd: workDir });
    const job = await createJob(runtime, { name: 'kept', schedule: { at: new Date(Date.now() + 1_500).toISOString() }, handler: 'log' });
    await waitFor(async () => ((await executions(runtime, job.id)).length === 1 ? true : undefined), 10_000, 'the run');
    expect(await runtime.stop('SIGTERM')).toBe(0);

    expect(existsSync(join(workDir, '.data', emulator))).toBe(true);

    runtime = await startRuntimeProcess(env, { cwd: workDir });
    try {
      const { jobs } = (await (await runtime.api('/v1/jobs')).json()) as { jobs: { name: string }[] };
      expect(jobs.map((j) => j.name).sort()).toEqual(['heartbeat', 'kept']);
      expect(await executions(runtime, job.id)).toMatchObject([{ status: 'succeeded' }]);
    } finally {
      expect(await runtime.stop('SIGTERM')).toBe(0);
    }
  });
});

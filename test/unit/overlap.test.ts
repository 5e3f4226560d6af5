/** Overlap policies: what a delivery does while the job's previous occurrence still runs. */
import { describe, expect, it } from 'vitest';
import { executeOccurrence, type ExecutorDeps } from '../../core/execution/occurrence-executor.js';
import { HandlerRegistry } from '../../core/execution/handlers.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import type { OverlapPolicy } from '../../core/jobs/policies.js';
import { aJob, anOccurrence } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

async function setup() {
  const base = memoryDeps('2026-01-01T00:10:00.000Z');
  // The lock lives on the job: it must exist (a deleted job's occurrences run unguarded).
  await base.jobs.create(aJob({ id: 'job-1' }));
  const started: string[] = [];
  const release: (() => void)[] = [];
  // A handler that runs until the test lets it finish.
  const handlers = new HandlerRegistry({
    slow: (_p, ctx) => {
      started.push(ctx.scheduledFor);
      return new Promise<void>((resolve) => release.push(resolve));
    },
  });
  const deps: ExecutorDeps = { ...base, handlers, maxEarlyWaitMs: 0 };
  const occurrence = (second: number, overlap: OverlapPolicy): Occurrence =>
    anOccurrence({ handler: 'slow', overlap, scheduledFor: `2026-01-01T00:0${second}:00.000Z`, timeoutMs: 60_000 });
  const run = (o: Occurrence) => executeOccurrence(o, deps);
  const record = (o: Occurrence) => base.executions.get(o.jobId, o.scheduledFor);
  const waitForStart = async (n: number) => {
    while (started.length < n) await new Promise((r) => setImmediate(r));
  };
  return { ...base, started, release, occurrence, run, record, waitForStart };
}

describe('overlap policies', () => {
  it('allow: starts while the previous one runs', async () => {
    const t = await setup();
    const first = t.run(t.occurrence(1, 'allow'));
    await t.waitForStart(1);
    const second = t.run(t.occurrence(2, 'allow'));
    await t.waitForStart(2);
    t.release.forEach((r) => r());
    expect((await Promise.all([first, second])).map((r) => r.kind)).toEqual(['succeeded', 'succeeded']);
  });

  it('skip: records the newcomer as skipped (overlap) without running it', async () => {
    const t = await setup();
    const first = t.run(t.occurrence(1, 'skip'));
    await t.waitForStart(1);
    const second = t.occurrence(2, 'skip');
    expect(await t.run(second)).toEqual({ kind: 'skipped' });
    expect(await t.record(second)).toMatchObject({ status: 'skipped', skipReason: 'overlap' });
    t.release[0]!();
    expect(await first).toEqual({ kind: 'succeeded' });
    // Free again: the next one runs.
    const third = t.run(t.occurrence(3, 'skip'));
    await t.waitForStart(2);
    t.release[1]!();
    expect(await third).toEqual({ kind: 'succeeded' });
    expect(t.started).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:03:00.000Z']);
  });

  it('queue-one: runs one newcomer after the current run ends, as its first attempt, and skips the rest', async () => {
    const t = await setup();
    const first = t.run(t.occurrence(1, 'queue-one'));
    await t.waitForStart(1);
    const second = t.occurrence(2, 'queue-one');
    const third = t.occurrence(3, 'queue-one');
    expect(await t.run(second)).toEqual({ kind: 'queued' });
    expect(await t.run(third)).toEqual({ kind: 'skipped' });
    expect(await t.record(second)).toMatchObject({ status: 'queued' });
    expect(await t.record(third)).toMatchObject({ status: 'skipped', skipReason: 'overlap' });

    t.release[0]!();
    expect(await first).toEqual({ kind: 'succeeded' });
    // The first run's worker sent the queued one when it ended.
    expect(t.queue.sent.map((o) => o.scheduledFor)).toEqual(['2026-01-01T00:02:00.000Z']);
    const delivered = t.run(t.queue.sent[0]!);
    await t.waitForStart(2);
    t.release[1]!();
    expect(await delivered).toEqual({ kind: 'succeeded' });
    expect(await t.record(second)).toMatchObject({ status: 'succeeded', attempt: 2, attemptBase: 1 });
  });

  it('takes over the lock of a run whose worker died, once its lease has passed', async () => {
    const t = await setup();
    await t.jobs.acquireRun('job-1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:09:00.000Z', '2026-01-01T00:08:00.000Z');
    const next = t.run(t.occurrence(1, 'skip'));
    await t.waitForStart(1);
    t.release[0]!();
    expect(await next).toEqual({ kind: 'succeeded' });
  });
});

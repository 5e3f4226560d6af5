/** Every port on its in-memory adapter, with a fake clock: what unit tests of services need. */
import { MemoryDispatchLog } from '../../adapters/memory/memory-dispatch-log.js';
import { MemoryBundleClaims } from '../../adapters/memory/memory-bundle-claims.js';
import { MemoryDueIndex } from '../../adapters/memory/memory-due-index.js';
import { MemoryExecutionStore } from '../../adapters/memory/memory-execution-store.js';
import { MemoryJobStore } from '../../adapters/memory/memory-job-store.js';
import { MemoryQueue } from '../../adapters/memory/memory-queue.js';
import { memoryRuntimePorts } from '../../adapters/memory/memory-settings-store.js';
import type { DueEntry } from '../../core/dispatch/due-index.js';
import type { Job } from '../../core/jobs/job.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { DEFAULT_TICK_SETTINGS } from '../../core/dispatch/tick.js';
import { createHandlers } from '../../handlers/index.js';
import { MemoryLogger } from './factories.js';
import { withRetention } from '../../core/execution/retention.js';
import { FakeClock } from './fake-clock.js';

export function memoryDeps(now = '2026-01-01T00:00:00.000Z', options: { ids?: () => string } = {}) {
  const clock = new FakeClock(now);
  let n = 0;
  const logger = new MemoryLogger();
  // One source of runtime settings for all: what PUT /v1/config stores reaches retention too.
  const runtime = memoryRuntimePorts(BUILT_IN_POLICY, clock, logger);
  return {
    clock,
    jobs: new MemoryJobStore(),
    executions: withRetention(new MemoryExecutionStore(), runtime.runtimeSettings),
    queue: new MemoryQueue(clock),
    dispatchLog: new MemoryDispatchLog(),
    due: new MemoryDueIndex(),
    claims: new MemoryBundleClaims(),
    logger,
    ...runtime,
    handlers: createHandlers(),
    newId: options.ids ?? (() => `id-${++n}`),
    jobDefaults: BUILT_IN_POLICY,
    sleep: clock.sleep,
    random: () => 0.5,
    settings: DEFAULT_TICK_SETTINGS,
  };
}

/** Stores a job and starts its chain in the due index, as JobService.create does (without sending anything itself). */
export async function addJob(
  deps: { jobs: { create(job: Job): Promise<void> }; due: { write(entries: DueEntry[], source: string): Promise<void> } },
  job: Job,
): Promise<Job> {
  await deps.jobs.create(job);
  if (job.status === 'active' && job.nextRunAt)
    await deps.due.write([{ jobId: job.id, rev: job.rev, from: job.nextRunAt, runs: job.runs }], `test:${job.id}`);
  return job;
}

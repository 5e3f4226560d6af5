/** The HTTP app on in-memory adapters and a fake clock, as the API tests need it. */
import { MemoryExecutionStore } from '../../core/adapters/memory/memory-execution-store.js';
import { MemoryJobStore } from '../../core/adapters/memory/memory-job-store.js';
import { MemoryQueue } from '../../core/adapters/memory/memory-queue.js';
import { DeadLetterService } from '../../core/dead-letters.js';
import { JobService } from '../../core/jobs.js';
import { BUILT_IN_POLICY } from '../../core/retry.js';
import { createApp } from '../../functions/http/app.js';
import { createHandlers } from '../../handlers/index.js';
import { MemoryLogger } from './factories.js';
import { FakeClock } from './fake-clock.js';

export function testApp(options: { now?: string; apiKeys?: string[]; ids?: () => string } = {}) {
  const clock = new FakeClock(options.now ?? '2026-01-01T00:00:00.000Z');
  const jobs = new MemoryJobStore();
  const executions = new MemoryExecutionStore();
  const queue = new MemoryQueue(clock);
  const logger = new MemoryLogger();
  let n = 0;
  const newId = options.ids ?? (() => `id-${++n}`);
  const deps = { jobs, executions, queue, clock, logger, handlers: createHandlers(), newId, jobDefaults: BUILT_IN_POLICY, sleep: clock.sleep };
  const service = new JobService(deps);
  const app = createApp({ jobs: service, deadLetters: new DeadLetterService(deps), apiKeys: options.apiKeys ?? ['k'], logger });
  return { app, clock, jobs, executions, queue, logger, service };
}

/** The HTTP app on in-memory adapters and a fake clock, as the API tests need it. */
import { DeadLetterService } from '../../core/dead-letters.js';
import { JobService } from '../../core/jobs.js';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps } from './memory-deps.js';

export function testApp(options: { now?: string; apiKeys?: string[]; ids?: () => string } = {}) {
  const deps = memoryDeps(options.now, { ids: options.ids });
  const service = new JobService(deps);
  const app = createApp({ jobs: service, deadLetters: new DeadLetterService(deps), apiKeys: options.apiKeys ?? ['k'], logger: deps.logger });
  return { ...deps, app, service };
}

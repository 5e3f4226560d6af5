/** Lambda entry point for the HTTP API (function URL or API Gateway v2). */
import { handle } from 'hono/aws-lambda';
import { DeadLetterService } from '../core/execution/dead-letters.js';
import { JobService } from '../core/service/job-service.js';
import { loadApiKeys, loadConfig } from './config.js';
import { createApp } from './http/app.js';
import { buildAwsDeps, type SchedulerDeps } from './wiring.js';

export function createApiApp(deps: SchedulerDeps, apiKeys: string[]) {
  return createApp({ jobs: new JobService(deps), deadLetters: new DeadLetterService(deps), apiKeys, logger: deps.logger });
}

let lambdaHandler: ReturnType<typeof handle> | undefined;

/** Built on the first invocation, not at import, so tests can import freely. */
export const handler: ReturnType<typeof handle> = (event, context) => {
  lambdaHandler ??= handle(createApiApp(buildAwsDeps(loadConfig(process.env)), loadApiKeys(process.env)));
  return lambdaHandler(event, context);
};

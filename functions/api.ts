/** Lambda entry point for the HTTP API (function URL or API Gateway v2). */
import { handle } from 'hono/aws-lambda';
import { DeadLetterService } from '../core/execution/dead-letters.js';
import { HistoryService, type HistoryDeps } from '../core/service/history.js';
import { JobService, type JobServiceDeps } from '../core/service/job-service.js';
import { StatsService } from '../core/service/stats.js';
import { ConfigService } from '../core/service/config-service.js';
import { HealthService, StatusService } from '../core/service/status-service.js';
import { SchedulerControlService } from '../core/service/scheduler-control.js';
import { loadApiSettings, loadConfig, type ApiSettings } from './config.js';
import { createApp } from './http/app.js';
import { buildAwsDeps, type SchedulerDeps } from './wiring.js';

/** This scheduler's version, as package.json says (the bundler inlines it). */
export const VERSION = '0.1.0';

/** The services behind the API, over one set of adapters. */
export function apiServices(deps: JobServiceDeps & HistoryDeps & ConstructorParameters<typeof DeadLetterService>[0]) {
  return {
    jobs: new JobService(deps),
    deadLetters: new DeadLetterService(deps),
    history: new HistoryService(deps),
    stats: new StatsService(deps),
  };
}

/** Every service the app serves, the operations ones (config, status, health) included. */
export function allApiServices(deps: SchedulerDeps) {
  return {
    ...apiServices(deps),
    config: new ConfigService(deps),
    status: new StatusService({ ...deps, version: VERSION }),
    health: new HealthService(deps),
    control: new SchedulerControlService(deps),
  };
}

export function createApiApp(deps: SchedulerDeps, { apiKeys, corsOrigins }: ApiSettings) {
  return createApp({
    ...allApiServices(deps),
    apiKeys,
    corsOrigins,
    version: VERSION,
    logger: deps.logger,
  });
}

let lambdaHandler: ReturnType<typeof handle> | undefined;

/** Built on the first invocation, not at import, so tests can import freely. */
export const handler: ReturnType<typeof handle> = (event, context) => {
  lambdaHandler ??= handle(createApiApp(buildAwsDeps(loadConfig(process.env)), loadApiSettings(process.env)));
  return lambdaHandler(event, context);
};

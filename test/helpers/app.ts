/** The HTTP app on in-memory adapters and a fake clock, as the API tests need it. */
import { apiServices } from '../../functions/api.js';
import { JobService } from '../../core/service/job-service.js';
import { ConfigService } from '../../core/service/config-service.js';
import { HealthService, StatusService } from '../../core/service/status-service.js';
import { SchedulerControlService } from '../../core/service/scheduler-control.js';
import type { BundleClaims, ExecutionStore } from '../../core/execution/ports.js';
import type { DispatchLog, DueIndex, TickSchedule } from '../../core/dispatch/ports.js';
import type { JobStore } from '../../core/jobs/job-store.js';
import { createApp } from '../../functions/http/app.js';
import { memoryDeps } from './memory-deps.js';
import { withRetention } from '../../core/execution/retention.js';

export function testApp(options: { now?: string; apiKeys?: string[]; ids?: () => string; tickSchedule?: TickSchedule } = {}) {
  const deps = memoryDeps(options.now, { ids: options.ids });
  // Another adapter in place of the memory one (the tests of EventBridge's); typed as the default for the helpers' sake.
  const tickSchedule = (options.tickSchedule ?? deps.tickSchedule) as typeof deps.tickSchedule;
  return appOver({ ...deps, tickSchedule }, options.apiKeys ?? ['k']);
}

/** The app over the given deps, every service on them, as createApiApp builds it. */
function appOver<D extends Omit<ReturnType<typeof memoryDeps>, keyof StoreOverrides> & StoreOverrides>(deps: D, apiKeys: string[]) {
  const service = new JobService(deps);
  const app = createApp({
    ...apiServices(deps),
    jobs: service,
    config: new ConfigService(deps),
    status: new StatusService({ ...deps, version: '0.0.0-test' }),
    health: new HealthService(deps),
    control: new SchedulerControlService(deps),
    apiKeys,
    logger: deps.logger,
  });
  return { ...deps, app, service };
}

/** Stores a test may put in place of the in-memory ones (DynamoDB on an emulator); the queue and clock stay in memory. */
export interface StoreOverrides {
  jobs: JobStore;
  executions: ExecutionStore;
  due: DueIndex;
  dispatchLog: DispatchLog;
  claims: BundleClaims;
}

/** The same app over other stores. */
export function testAppOn(stores: StoreOverrides, options: { now?: string; ids?: () => string } = {}) {
  const base = memoryDeps(options.now, { ids: options.ids });
  const deps = { ...base, ...stores, executions: withRetention(stores.executions, base.runtimeSettings) };
  return appOver(deps, ['k']);
}

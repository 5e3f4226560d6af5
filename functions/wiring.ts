/** Builds the adapters the handlers need from configuration: the composition root. */
import { randomUUID } from 'node:crypto';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { type ClientOptions, createDynamoDocumentClient, createSqsClient } from '../adapters/aws/clients.js';
import { DynamoBundleClaims } from '../adapters/aws/dynamo-bundle-claims.js';
import { DynamoDueIndex } from '../adapters/aws/dynamo-due-index.js';
import { DynamoDispatchLog } from '../adapters/aws/dynamo-dispatch-log.js';
import { DynamoExecutionStore } from '../adapters/aws/dynamo-execution-store.js';
import { DynamoJobStore } from '../adapters/aws/dynamo-job-store.js';
import { SqsQueue } from '../adapters/aws/sqs-queue.js';
import { realSleep, systemClock } from '../adapters/system-clock.js';
import type { HandlerRegistry } from '../core/execution/handlers.js';
import type { BundleClaims, ExecutionStore, Queue } from '../core/execution/ports.js';
import type { Clock, Logger } from '../core/kernel/ports.js';
import type { DispatchLog, DueIndex } from '../core/dispatch/ports.js';
import type { JobStore } from '../core/jobs/job-store.js';
import { DEFAULT_TICK_SETTINGS, type TickSettings } from '../core/dispatch/tick.js';
import { createHandlers } from '../handlers/index.js';
import type { JobPolicy } from '../core/jobs/policies.js';
import type { SchedulerConfig } from './config.js';
import { withRetention } from '../core/execution/retention.js';
import { DEFAULT_RETENTION_DAYS, fixedSettings, type SettingsSource } from '../core/settings/runtime-settings.js';

export interface SchedulerDeps {
  jobs: JobStore;
  executions: ExecutionStore;
  queue: Queue;
  dispatchLog: DispatchLog;
  due: DueIndex;
  claims: BundleClaims;
  clock: Clock;
  logger: Logger;
  handlers: HandlerRegistry;
  settings: TickSettings;
  newId: () => string;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  jobDefaults: JobPolicy;
  /** What an operator changes at run time (retention, for now); fixed until the settings store reads them. */
  runtimeSettings: SettingsSource;
}

/** The runtime settings until the settings store serves them: the defaults, retention at DEFAULT_RETENTION_DAYS. */
export function fixedRuntimeSettings(jobDefaults: JobPolicy): SettingsSource {
  return fixedSettings({ maxConcurrency: null, jobDefaults, retentionDays: DEFAULT_RETENTION_DAYS });
}

/** Powertools' structured JSON logger behind the domain's Logger port: one line per event. */
export function createLogger(serviceName = 'scheduler'): Logger {
  const powertools = new PowertoolsLogger({ serviceName });
  const extra = (attributes?: Record<string, unknown>) => (attributes ? [attributes] : []) as [];
  return {
    debug: (message, attributes) => powertools.debug(message, ...extra(attributes)),
    info: (message, attributes) => powertools.info(message, ...extra(attributes)),
    warn: (message, attributes) => powertools.warn(message, ...extra(attributes)),
    error: (message, attributes) => powertools.error(message, ...extra(attributes)),
  };
}

export function buildAwsDeps(config: SchedulerConfig, options: { clients?: ClientOptions; logger?: Logger } = {}): SchedulerDeps {
  const db = createDynamoDocumentClient(options.clients);
  const runtimeSettings = fixedRuntimeSettings(config.jobDefaults);
  const sqs = createSqsClient(options.clients);
  return {
    jobs: new DynamoJobStore(db, config.jobsTable),
    due: new DynamoDueIndex(db, config.executionsTable, config.dueShards),
    claims: new DynamoBundleClaims(db, config.executionsTable),
    executions: withRetention(new DynamoExecutionStore(db, config.executionsTable), runtimeSettings),
    runtimeSettings,
    queue: new SqsQueue(sqs, config.queueUrl, config.deadLetterQueueUrl),
    dispatchLog: new DynamoDispatchLog(db, config.executionsTable),
    settings: { ...DEFAULT_TICK_SETTINGS, recovery: { ...DEFAULT_TICK_SETTINGS.recovery, staleAfterMs: config.recoverAfterMs } },
    clock: systemClock,
    logger: options.logger ?? createLogger(),
    handlers: createHandlers(),
    newId: randomUUID,
    sleep: realSleep,
    random: Math.random,
    jobDefaults: config.jobDefaults,
  };
}

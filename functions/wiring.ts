/** Builds the adapters the handlers need from configuration: the composition root. */
import { randomUUID } from 'node:crypto';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { type ClientOptions, createDynamoDocumentClient, createSchedulerClient, createSqsClient } from '../adapters/aws/clients.js';
import { DynamoBundleClaims } from '../adapters/aws/dynamo-bundle-claims.js';
import { DynamoDueIndex } from '../adapters/aws/dynamo-due-index.js';
import { DynamoDispatchLog } from '../adapters/aws/dynamo-dispatch-log.js';
import { DynamoExecutionStore } from '../adapters/aws/dynamo-execution-store.js';
import { DynamoJobStore } from '../adapters/aws/dynamo-job-store.js';
import { DynamoSettingsStore } from '../adapters/aws/dynamo-settings-store.js';
import { DynamoConcurrencySlots } from '../adapters/aws/dynamo-concurrency-slots.js';
import { DynamoTickLog } from '../adapters/aws/dynamo-tick-log.js';
import { DynamoSchedulerPauseStore } from '../adapters/aws/dynamo-scheduler-pause.js';
import { EventBridgeTickSchedule, UnconfiguredTickSchedule } from '../adapters/aws/eventbridge-tick-schedule.js';
import type { SchedulerPauseStore } from '../core/settings/scheduler-pause.js';
import { CachedSettings } from '../core/settings/cached-settings.js';
import { DEFAULT_RETENTION_DAYS, fixedSettings, type RuntimeSettings, type SettingsSource } from '../core/settings/runtime-settings.js';
import type { SettingsStore } from '../core/settings/settings-store.js';
import { SqsQueue } from '../adapters/aws/sqs-queue.js';
import { realSleep, systemClock } from '../adapters/system-clock.js';
import type { HandlerRegistry } from '../core/execution/handlers.js';
import type { BundleClaims, ConcurrencySlots, ExecutionStore, Queue } from '../core/execution/ports.js';
import type { Clock, Logger } from '../core/kernel/ports.js';
import type { DispatchLog, DueIndex, TickLog, TickSchedule } from '../core/dispatch/ports.js';
import type { JobStore } from '../core/jobs/job-store.js';
import { DEFAULT_TICK_SETTINGS, type TickSettings } from '../core/dispatch/tick.js';
import { createHandlers } from '../handlers/index.js';
import type { JobPolicy } from '../core/jobs/policies.js';
import type { SchedulerConfig } from './config.js';
import { withRetention } from '../core/execution/retention.js';

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
  settingsStore: SettingsStore;
  /** The global concurrency limit's slots; taken only while maxConcurrency is set. */
  slots: ConcurrencySlots;
  tickLog: TickLog;
  /** The schedule that invokes the tick: EventBridge Scheduler's on AWS, the local ticker's locally. */
  tickSchedule: TickSchedule;
  /** The scheduler's pause (POST /v1/scheduler/pause): the tick and the API's early sends obey it. */
  schedulerPause: SchedulerPauseStore;
  /** GET /health's cheap reads: a small item of the jobs table, the work queue's attributes. */
  probes: { store: () => Promise<unknown>; queue: () => Promise<unknown> };
  /** The runtime settings (PUT /v1/config), cached up to SETTINGS_MAX_AGE_MS, the configured ones underneath. */
  runtimeSettings: CachedSettings;
}

/** Settings that never change, for tests and tools: the given defaults, no limit, retention at DEFAULT_RETENTION_DAYS. */
export function fixedRuntimeSettings(jobDefaults: JobPolicy): SettingsSource {
  return fixedSettings({ maxConcurrency: null, jobDefaults, retentionDays: DEFAULT_RETENTION_DAYS });
}

/** What applies while no settings were ever stored: the environment's (functions/config.ts). */
export function configuredSettings(config: Pick<SchedulerConfig, 'jobDefaults' | 'maxConcurrency'>): RuntimeSettings {
  return { maxConcurrency: config.maxConcurrency, jobDefaults: config.jobDefaults, retentionDays: DEFAULT_RETENTION_DAYS };
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
  const sqs = createSqsClient(options.clients);
  const logger = options.logger ?? createLogger();
  const settingsStore = new DynamoSettingsStore(db, config.jobsTable);
  const queue = new SqsQueue(sqs, config.queueUrl, config.deadLetterQueueUrl);
  const runtimeSettings = new CachedSettings(settingsStore, configuredSettings(config), systemClock, logger);
  return {
    jobs: new DynamoJobStore(db, config.jobsTable),
    due: new DynamoDueIndex(db, config.executionsTable, config.dueShards),
    claims: new DynamoBundleClaims(db, config.executionsTable),
    executions: withRetention(new DynamoExecutionStore(db, config.executionsTable), runtimeSettings),
    queue,
    dispatchLog: new DynamoDispatchLog(db, config.executionsTable),
    settings: { ...DEFAULT_TICK_SETTINGS, recovery: { ...DEFAULT_TICK_SETTINGS.recovery, staleAfterMs: config.recoverAfterMs } },
    clock: systemClock,
    logger,
    handlers: createHandlers(),
    newId: randomUUID,
    sleep: realSleep,
    random: Math.random,
    jobDefaults: config.jobDefaults,
    settingsStore,
    slots: new DynamoConcurrencySlots(db, config.executionsTable),
    tickLog: new DynamoTickLog(db, config.executionsTable),
    // Unset (the local runtime, which puts its own ticker's schedule here): unknown, and a pause cannot disable it.
    tickSchedule: config.tickSchedule
      ? new EventBridgeTickSchedule(createSchedulerClient(options.clients), config.tickSchedule.name, logger, config.tickSchedule.group)
      : new UnconfiguredTickSchedule(),
    schedulerPause: new DynamoSchedulerPauseStore(db, config.jobsTable),
    probes: { store: () => settingsStore.get(), queue: () => queue.probe() },
    runtimeSettings,
  };
}

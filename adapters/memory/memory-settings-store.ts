/** In-memory SettingsStore: the reference the contract suite holds DynamoDB to. */
import type { JobPolicy } from '../../core/jobs/policies.js';
import type { Clock, Logger } from '../../core/kernel/ports.js';
import { MemoryConcurrencySlots } from './memory-concurrency-slots.js';
import { FixedTickSchedule, MemoryTickLog } from './memory-tick-log.js';
import { MemorySchedulerPauseStore } from './memory-scheduler-pause.js';
import { CachedSettings } from '../../core/settings/cached-settings.js';
import { DEFAULT_RETENTION_DAYS, type RuntimeSettings } from '../../core/settings/runtime-settings.js';
import { StaleSettingsError, UNSTORED_VERSION, type SettingsStore, type StoredSettings } from '../../core/settings/settings-store.js';

export class MemorySettingsStore implements SettingsStore {
  private stored: StoredSettings | undefined;
  /** For tests: make the next reads fail as an outage would. */
  failReads: (() => Error) | undefined;

  async get(): Promise<StoredSettings | undefined> {
    if (this.failReads) throw this.failReads();
    return this.stored && structuredClone(this.stored);
  }

  async put(settings: RuntimeSettings, options: { expectedVersion?: number; at: string }): Promise<StoredSettings> {
    const actual = this.stored?.version ?? UNSTORED_VERSION;
    if (options.expectedVersion !== undefined && options.expectedVersion !== actual)
      throw new StaleSettingsError(options.expectedVersion, actual);
    this.stored = { settings: structuredClone(settings), version: actual + 1, updatedAt: options.at };
    return structuredClone(this.stored);
  }
}

/**
 * The ports a process has beside its stores and queue, in memory: the settings (with
 * `jobDefaults` as the configured ones and no concurrency limit), the concurrency
 * slots, the tick's record and schedule, and health probes that always answer.
 */
export function memoryRuntimePorts(jobDefaults: JobPolicy, clock: Clock, logger: Logger = silent) {
  const settingsStore = new MemorySettingsStore();
  const configured: RuntimeSettings = { maxConcurrency: null, jobDefaults, retentionDays: DEFAULT_RETENTION_DAYS };
  return {
    settingsStore,
    slots: new MemoryConcurrencySlots(),
    runtimeSettings: new CachedSettings(settingsStore, configured, clock, logger),
    tickLog: new MemoryTickLog(),
    tickSchedule: new FixedTickSchedule('enabled'),
    schedulerPause: new MemorySchedulerPauseStore(),
    probes: { store: () => settingsStore.get(), queue: async () => undefined },
  };
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

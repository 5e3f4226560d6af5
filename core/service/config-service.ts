/**
 * The runtime settings behind GET and PUT /v1/config: what a request may say, the
 * form it is shown in (the same input form as a job's own fields, so a GET's body
 * can be edited and sent back as it is), and the conditional write.
 */
import { z } from 'zod';
import { policyInput, resolvePolicy, type JobPolicy } from '../jobs/policies.js';
import type { Clock } from '../kernel/ports.js';
import type { CachedSettings } from '../settings/cached-settings.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { SettingsStore, StoredSettings } from '../settings/settings-store.js';

export const MAX_CONCURRENCY_LIMIT = 10_000;
export const MAX_RETENTION_DAYS = 3_650;

/** The whole settings, every field required: a PUT replaces, it does not merge. */
export const settingsInput = z
  .object({
    maxConcurrency: z
      .number()
      .int('must be a whole number')
      .min(1, `must be from 1 to ${MAX_CONCURRENCY_LIMIT}, or null for no limit`)
      .max(MAX_CONCURRENCY_LIMIT, `must be from 1 to ${MAX_CONCURRENCY_LIMIT}, or null for no limit`)
      .nullable(),
    jobDefaults: policyInput,
    retentionDays: z
      .number()
      .int('must be a whole number')
      .min(1, `must be from 1 to ${MAX_RETENTION_DAYS}`)
      .max(MAX_RETENTION_DAYS, `must be from 1 to ${MAX_RETENTION_DAYS}`),
  })
  .strict();

export type SettingsInput = z.input<typeof settingsInput>;

/** A duration in the largest unit that writes it exactly: 90000 → "90s", 900000 → "15m". */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Every field of a policy's input form, given. */
export interface PolicyInputForm {
  retry: { maxAttempts: number; initialDelay: string; maxDelay: string; multiplier: number; jitter: 'full' | 'none' };
  timeout: string;
  misfire: { policy: 'skip' | 'once' | 'all'; grace: string; maxCatchUp: number };
  overlap: JobPolicy['overlap'];
}

/** A resolved policy in the form a job (or PUT /v1/config) writes it; resolving it again gives it back. */
export function policyAsInput(policy: JobPolicy): PolicyInputForm {
  return {
    retry: {
      maxAttempts: policy.retry.maxAttempts,
      initialDelay: formatDuration(policy.retry.initialDelayMs),
      maxDelay: formatDuration(policy.retry.maxDelayMs),
      multiplier: policy.retry.multiplier,
      jitter: policy.retry.jitter,
    },
    timeout: formatDuration(policy.timeoutMs),
    misfire: { policy: policy.misfire.policy, grace: formatDuration(policy.misfire.graceMs), maxCatchUp: policy.misfire.maxCatchUp },
    overlap: policy.overlap,
  };
}

export interface SettingsView {
  maxConcurrency: number | null;
  jobDefaults: PolicyInputForm;
  retentionDays: number;
  version: number;
  /** When they were last written; null while the configured defaults apply. */
  updatedAt: string | null;
}

export function settingsView(stored: StoredSettings): SettingsView {
  const { maxConcurrency, jobDefaults, retentionDays } = stored.settings;
  return {
    maxConcurrency,
    jobDefaults: policyAsInput(jobDefaults),
    retentionDays,
    version: stored.version,
    updatedAt: stored.updatedAt || null,
  };
}

export interface ConfigServiceDeps {
  settingsStore: SettingsStore;
  runtimeSettings: CachedSettings;
  clock: Clock;
}

export class ConfigService {
  constructor(private readonly deps: ConfigServiceDeps) {}

  get(): Promise<StoredSettings> {
    return this.deps.runtimeSettings.stored();
  }

  /**
   * `raw` has passed `settingsInput` at the edge. Job defaults left out of it come from
   * the configured ones (SCHEDULER_JOB_DEFAULTS, else built in), never from what was
   * stored before: the body is the whole settings.
   */
  async put(raw: z.output<typeof settingsInput>, options: { expectedVersion?: number }): Promise<StoredSettings> {
    const settings: RuntimeSettings = {
      maxConcurrency: raw.maxConcurrency,
      jobDefaults: resolvePolicy(raw.jobDefaults, this.deps.runtimeSettings.defaultSettings.jobDefaults),
      retentionDays: raw.retentionDays,
    };
    const stored = await this.deps.settingsStore.put(settings, { ...options, at: this.deps.clock.now().toISOString() });
    this.deps.runtimeSettings.remember(stored);
    return stored;
  }
}

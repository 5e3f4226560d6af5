/**
 * Runtime settings: what an operator changes over the API (PUT /v1/config) without
 * a redeploy. Stored once (see the settings store port); every process reads them
 * through a SettingsSource that may cache them for up to SETTINGS_MAX_AGE_MS, which
 * is what "takes effect within a minute" rests on.
 */
import type { JobPolicy } from '../jobs/policies.js';

/** How long a process may act on settings it read earlier. */
export const SETTINGS_MAX_AGE_MS = 30_000;

export interface RuntimeSettings {
  /** Handlers running at once across all workers; null: no limit beyond the queue's own. */
  maxConcurrency: number | null;
  /** Retry policy and timeout (and misfire, overlap) for jobs and enqueued tasks that do not set their own. */
  jobDefaults: JobPolicy;
  /** Finished history older than this many days expires by itself (DynamoDB TTL). */
  retentionDays: number;
}

export const DEFAULT_RETENTION_DAYS = 30;

/** The settings as they are now (possibly up to SETTINGS_MAX_AGE_MS old). */
export interface SettingsSource {
  current(): Promise<RuntimeSettings>;
}

/** Settings that never change: for tests and for processes given them at start. */
export function fixedSettings(settings: RuntimeSettings): SettingsSource {
  return { current: () => Promise.resolve(settings) };
}

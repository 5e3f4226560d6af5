/**
 * Where the runtime settings are kept: one record with a version, changed only by a
 * write that names the version it replaces (PUT /v1/config with If-Match), so two
 * operators editing at once cannot silently undo each other.
 */
import type { RuntimeSettings } from './runtime-settings.js';
import { SchedulerError } from '../kernel/errors.js';

/** The settings as stored, with the version every write bumps (1 for the first). */
export interface StoredSettings {
  settings: RuntimeSettings;
  version: number;
  updatedAt: string;
}

/** Version 0: nothing was ever stored; the configured defaults apply. */
export const UNSTORED_VERSION = 0;

export interface SettingsStore {
  /** The stored settings, or undefined when none were ever stored. A strongly consistent read. */
  get(): Promise<StoredSettings | undefined>;
  /**
   * Replaces the settings. With `expectedVersion` (0 for "never stored"), only if the
   * stored version is that one, else StaleSettingsError; without it, whatever is stored.
   */
  put(settings: RuntimeSettings, options: { expectedVersion?: number; at: string }): Promise<StoredSettings>;
}

/** A write named a version of the settings that is no longer the stored one. */
export class StaleSettingsError extends SchedulerError {
  constructor(
    readonly expected: number,
    readonly actual: number,
    options?: { cause?: unknown },
  ) {
    super(`the settings are at version ${actual}, not ${expected}`, options);
  }
}

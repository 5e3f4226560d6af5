/**
 * The SettingsSource every process reads: the stored settings, read again at most
 * every SETTINGS_MAX_AGE_MS. A read that fails keeps the last good value (or the
 * configured defaults, before any read worked) and says so in the log: a store
 * outage must not stop the worker or the API, and must not silently change a limit.
 */
import type { Clock, Logger } from '../kernel/ports.js';
import { SETTINGS_MAX_AGE_MS, type RuntimeSettings, type SettingsSource } from './runtime-settings.js';
import { UNSTORED_VERSION, type SettingsStore, type StoredSettings } from './settings-store.js';

/** After a failed read, try again this soon rather than after a whole max age. */
export const SETTINGS_RETRY_AFTER_FAILURE_MS = 5_000;

export class CachedSettings implements SettingsSource {
  private value: StoredSettings | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private nextReadAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<RuntimeSettings> | undefined;

  constructor(
    private readonly store: SettingsStore,
    /** The configured defaults (the environment): what applies while nothing is stored. */
    private readonly defaults: RuntimeSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly maxAgeMs = SETTINGS_MAX_AGE_MS,
  ) {}

  async current(): Promise<RuntimeSettings> {
    if (this.clock.now().getTime() < this.nextReadAt) return this.value?.settings ?? this.defaults;
    // One read at a time: a burst of deliveries shares it.
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** The settings with their version, read now (the API's GET answers what is stored, not a cached copy). */
  async stored(): Promise<StoredSettings> {
    const stored = await this.store.get();
    this.remember(stored);
    return stored ?? { settings: this.defaults, version: UNSTORED_VERSION, updatedAt: '' };
  }

  /** What this process itself just wrote applies here at once. */
  remember(stored: StoredSettings | undefined): void {
    this.value = stored;
    this.readAt = this.clock.now().getTime();
    this.nextReadAt = this.readAt + this.maxAgeMs;
  }

  get defaultSettings(): RuntimeSettings {
    return this.defaults;
  }

  private async read(): Promise<RuntimeSettings> {
    try {
      this.remember(await this.store.get());
    } catch (error) {
      this.nextReadAt = this.clock.now().getTime() + Math.min(this.maxAgeMs, SETTINGS_RETRY_AFTER_FAILURE_MS);
      this.logger.warn(
        this.value
          ? 'could not read the settings; keeping the last ones read'
          : 'could not read the settings; using the configured defaults',
        {
          lastReadAt: Number.isFinite(this.readAt) ? new Date(this.readAt).toISOString() : null,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        },
      );
    }
    return this.value?.settings ?? this.defaults;
  }
}

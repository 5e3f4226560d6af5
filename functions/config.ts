/**
 * Configuration, read once at the edge and loudly: a missing required variable
 * fails the cold start with its name, never later with an undefined.
 */
import { MAX_DUE_SHARDS } from '../adapters/aws/dynamo-due-index.js';
import { SchedulerError } from '../core/kernel/errors.js';
import { parseDuration } from '../core/kernel/duration.js';
import { zodProblems } from '../core/kernel/field-problems.js';
import { MAX_CONCURRENCY_LIMIT } from '../core/service/config-service.js';
import { BUILT_IN_POLICY, policyInput, resolvePolicy, type JobPolicy } from '../core/jobs/policies.js';

export class ConfigError extends SchedulerError {}

export interface SchedulerConfig {
  jobsTable: string;
  executionsTable: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** Partitions of the due index; more spreads the tick's reads wider. Default 4. */
  dueShards: number;
  /** Retry policy and timeout for jobs that do not set their own (SCHEDULER_JOB_DEFAULTS, JSON). */
  jobDefaults: JobPolicy;
  /** How long past due an unfinished occurrence must be before recovery sends it again (SCHEDULER_RECOVER_AFTER). */
  recoverAfterMs: number;
  /** Handlers at once across all workers until PUT /v1/config says otherwise (SCHEDULER_MAX_CONCURRENCY); null: no limit. */
  maxConcurrency: number | null;
  /**
   * The EventBridge Scheduler schedule that invokes the tick (SCHEDULER_TICK_SCHEDULE_NAME, and
   * SCHEDULER_TICK_SCHEDULE_GROUP, default the `default` group), which the scheduler's pause
   * disables. Unset locally: the local runtime's own ticker is the schedule.
   */
  tickSchedule?: { name: string; group?: string };
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`environment variable ${name} is required`);
  return value;
}

export function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`environment variable ${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** `{"retry":{"maxAttempts":5,"initialDelay":"30s"},"timeout":"10s"}`, validated like a job's own fields. */
function jobDefaults(env: Env): JobPolicy {
  const raw = env.SCHEDULER_JOB_DEFAULTS?.trim();
  if (!raw) return BUILT_IN_POLICY;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError('SCHEDULER_JOB_DEFAULTS must be JSON', { cause });
  }
  const parsed = policyInput.safeParse(json);
  if (!parsed.success) {
    const problems = zodProblems(parsed.error).map((p) => `${p.path}: ${p.message}`);
    throw new ConfigError(`SCHEDULER_JOB_DEFAULTS is not valid: ${problems.join('; ')}`);
  }
  return resolvePolicy(parsed.data, BUILT_IN_POLICY);
}

/** The same bounds as PUT /v1/config's. */
function maxConcurrency(env: Env): number | null {
  if (!env.SCHEDULER_MAX_CONCURRENCY?.trim()) return null;
  const limit = positiveInt(env, 'SCHEDULER_MAX_CONCURRENCY', 1);
  if (limit > MAX_CONCURRENCY_LIMIT)
    throw new ConfigError(`environment variable SCHEDULER_MAX_CONCURRENCY must be at most ${MAX_CONCURRENCY_LIMIT}, got ${limit}`);
  return limit;
}

function dueShards(env: Env): number {
  const shards = positiveInt(env, 'SCHEDULER_DUE_SHARDS', 4);
  if (shards > MAX_DUE_SHARDS)
    throw new ConfigError(`environment variable SCHEDULER_DUE_SHARDS must be at most ${MAX_DUE_SHARDS}, got ${shards}`);
  return shards;
}

/** The settings that have defaults; the local runtime names its own resources. */
export function loadTuning(env: Env): Pick<SchedulerConfig, 'dueShards' | 'jobDefaults' | 'recoverAfterMs' | 'maxConcurrency'> {
  const recoverAfter = env.SCHEDULER_RECOVER_AFTER?.trim() || '5m';
  const recoverAfterMs = parseDuration(recoverAfter);
  if (recoverAfterMs === undefined || recoverAfterMs < 1_000)
    throw new ConfigError(`SCHEDULER_RECOVER_AFTER must be a duration of at least 1s, like "5m", got "${recoverAfter}"`);
  return {
    dueShards: dueShards(env),
    jobDefaults: jobDefaults(env),
    recoverAfterMs,
    maxConcurrency: maxConcurrency(env),
  };
}

export function loadConfig(env: Env): SchedulerConfig {
  return {
    jobsTable: required(env, 'SCHEDULER_JOBS_TABLE'),
    executionsTable: required(env, 'SCHEDULER_EXECUTIONS_TABLE'),
    queueUrl: required(env, 'SCHEDULER_QUEUE_URL'),
    deadLetterQueueUrl: required(env, 'SCHEDULER_DEAD_LETTER_QUEUE_URL'),
    ...loadTuning(env),
    ...tickSchedule(env),
  };
}

function tickSchedule(env: Env): Pick<SchedulerConfig, 'tickSchedule'> {
  const name = env.SCHEDULER_TICK_SCHEDULE_NAME?.trim();
  const group = env.SCHEDULER_TICK_SCHEDULE_GROUP?.trim();
  if (!name) {
    if (group) throw new ConfigError('SCHEDULER_TICK_SCHEDULE_GROUP is set but SCHEDULER_TICK_SCHEDULE_NAME is not');
    return {};
  }
  return { tickSchedule: { name, ...(group ? { group } : {}) } };
}

export interface ApiSettings {
  apiKeys: string[];
  corsOrigins: string[];
}

/**
 * SCHEDULER_API_KEYS (several at once, for rotation) and SCHEDULER_CORS_ORIGINS
 * (comma-separated origins like `https://admin.example.com`; none by default, so no
 * browser page of another origin may call the API).
 */
export function loadApiSettings(env: Env): ApiSettings {
  return { apiKeys: loadApiKeys(env), corsOrigins: loadCorsOrigins(env) };
}

export function loadCorsOrigins(env: Env): string[] {
  const origins = (env.SCHEDULER_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      throw new ConfigError(`SCHEDULER_CORS_ORIGINS: "${origin}" is not an origin like https://admin.example.com (no path, no wildcard)`);
    }
  }
  return origins;
}

/** API keys, comma-separated; at least one is required for the API to start. */
export function loadApiKeys(env: Env): string[] {
  const keys = required(env, 'SCHEDULER_API_KEYS')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.length === 0) throw new ConfigError('SCHEDULER_API_KEYS names no key');
  return keys;
}

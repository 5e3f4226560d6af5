/**
 * Configuration, read once at the edge and loudly: a missing required variable
 * fails the cold start with its name, never later with an undefined.
 */
import { SchedulerError } from '../core/errors.js';
import { CLAIM_LEASE_SECONDS } from '../core/limits.js';

export class ConfigError extends SchedulerError {}

export interface SchedulerConfig {
  jobsTable: string;
  executionsTable: string;
  queueUrl: string;
  /** Partitions of the due index; more spreads the tick's reads wider. Default 4. */
  dueShards: number;
  /** How long a running claim is honoured before a redelivery may take it over; see core/limits.ts. */
  leaseMs: number;
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

/** The settings that have defaults; the local runtime names its own resources. */
export function loadTuning(env: Env): Pick<SchedulerConfig, 'dueShards' | 'leaseMs'> {
  return {
    dueShards: positiveInt(env, 'SCHEDULER_DUE_SHARDS', 4),
    leaseMs: positiveInt(env, 'SCHEDULER_LEASE_SECONDS', CLAIM_LEASE_SECONDS) * 1000,
  };
}

export function loadConfig(env: Env): SchedulerConfig {
  return {
    jobsTable: required(env, 'SCHEDULER_JOBS_TABLE'),
    executionsTable: required(env, 'SCHEDULER_EXECUTIONS_TABLE'),
    queueUrl: required(env, 'SCHEDULER_QUEUE_URL'),
    ...loadTuning(env),
  };
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

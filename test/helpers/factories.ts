/** Builders for the objects tests need, with defaults that can be overridden. */
import type { Job } from '../../core/jobs/job.js';
import type { Logger } from '../../core/kernel/ports.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';

let counter = 0;

export function aJob(overrides: Partial<Job> = {}): Job {
  counter++;
  return {
    id: `job-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    name: `job-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    schedule: { cron: '* * * * *', timezone: 'UTC' },
    handler: 'log',
    payload: { n: counter },
    status: 'active',
    policy: BUILT_IN_POLICY,
    runs: 0,
    rev: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    nextRunAt: '2026-01-01T00:01:00.000Z',
    ...overrides,
  };
}

export function anOccurrence(overrides: Partial<Occurrence> = {}): Occurrence {
  return {
    jobId: 'job-1',
    jobName: 'job-one',
    handler: 'log',
    payload: { hello: 'world' },
    scheduledFor: '2026-01-01T00:01:00.000Z',
    maxAttempts: 3,
    retry: { initialDelayMs: 10_000, maxDelayMs: 900_000, multiplier: 2, jitter: 'none' },
    timeoutMs: 30_000,
    overlap: 'allow',
    ...overrides,
  };
}

/** A logger that keeps what it was told, for assertions and quiet test output. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  debug(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'debug', message, attributes });
  }
  info(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, attributes });
  }
  warn(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, attributes });
  }
  error(message: string, attributes?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, attributes });
  }
}

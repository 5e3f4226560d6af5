/**
 * A job's policies: retry, timeout, misfire and overlap, their input and the
 * built-in defaults. The backoff they ask for is computed in execution/backoff.ts.
 */
import { z } from 'zod';
import { parseDuration } from '../kernel/duration.js';
import { MAX_ATTEMPTS, MAX_HANDLER_TIMEOUT_SECONDS } from '../kernel/limits.js';

/** SQS cannot hide a message for longer than 12 hours. */
export const MAX_RETRY_DELAY_MS = 12 * 3_600_000;

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  jitter: 'full' | 'none';
}

/**
 * What to do with occurrences missed while the scheduler was down: `skip` them
 * all, run `once` (the latest), or run `all` of them (the latest `maxCatchUp`).
 * An occurrence is missed when the tick finds it more than `graceMs` late. Every
 * one not run is recorded as skipped.
 */
export interface MisfirePolicy {
  policy: 'skip' | 'once' | 'all';
  graceMs: number;
  maxCatchUp: number;
}

/**
 * While an occurrence of the job runs, another one may: `allow` (start anyway),
 * `skip` (record it as skipped), `queue-one` (run it once after the current run
 * ends; any further one meanwhile is skipped).
 */
export type OverlapPolicy = 'allow' | 'skip' | 'queue-one';

export interface JobPolicy {
  retry: RetryPolicy;
  timeoutMs: number;
  misfire: MisfirePolicy;
  overlap: OverlapPolicy;
}

export const BUILT_IN_POLICY: JobPolicy = {
  retry: { maxAttempts: 3, initialDelayMs: 10_000, maxDelayMs: 15 * 60_000, multiplier: 2, jitter: 'full' },
  timeoutMs: 30_000,
  misfire: { policy: 'once', graceMs: 60_000, maxCatchUp: 100 },
  overlap: 'allow',
};

const duration = (max: number, label: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms > max) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like "500ms", "10s" or "5m", at most ${label}` });
      return z.NEVER;
    }
    return ms;
  });

/** What a job (or SCHEDULER_JOB_DEFAULTS) may say; every field optional. */
export const policyInput = z
  .object({
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS).optional(),
        initialDelay: duration(MAX_RETRY_DELAY_MS, '12h').optional(),
        maxDelay: duration(MAX_RETRY_DELAY_MS, '12h').optional(),
        multiplier: z.number().min(1).max(10).optional(),
        jitter: z.enum(['full', 'none']).optional(),
      })
      .strict()
      .optional(),
    timeout: duration(MAX_HANDLER_TIMEOUT_SECONDS * 1000, `${MAX_HANDLER_TIMEOUT_SECONDS}s`)
      .refine((ms) => ms >= 1_000, 'must be at least 1s')
      .optional(),
    misfire: z
      .object({
        policy: z.enum(['skip', 'once', 'all']).optional(),
        grace: duration(7 * 86_400_000, '7d').optional(),
        maxCatchUp: z.number().int().min(1).max(1_000).optional(),
      })
      .strict()
      .optional(),
    overlap: z.enum(['allow', 'skip', 'queue-one']).optional(),
  })
  .strict();

export type PolicyInput = z.infer<typeof policyInput>;

/** Fills what the input leaves out from the defaults. */
export function resolvePolicy(input: PolicyInput | undefined, defaults: JobPolicy): JobPolicy {
  const r = input?.retry ?? {};
  const retry: RetryPolicy = {
    maxAttempts: r.maxAttempts ?? defaults.retry.maxAttempts,
    initialDelayMs: r.initialDelay ?? defaults.retry.initialDelayMs,
    maxDelayMs: r.maxDelay ?? defaults.retry.maxDelayMs,
    multiplier: r.multiplier ?? defaults.retry.multiplier,
    jitter: r.jitter ?? defaults.retry.jitter,
  };
  retry.maxDelayMs = Math.max(retry.maxDelayMs, retry.initialDelayMs);
  const m = input?.misfire ?? {};
  return {
    retry,
    timeoutMs: input?.timeout ?? defaults.timeoutMs,
    misfire: {
      policy: m.policy ?? defaults.misfire.policy,
      graceMs: m.grace ?? defaults.misfire.graceMs,
      maxCatchUp: m.maxCatchUp ?? defaults.misfire.maxCatchUp,
    },
    overlap: input?.overlap ?? defaults.overlap,
  };
}

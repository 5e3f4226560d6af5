/**
 * Backoff between attempts. Exponential, capped, with full jitter by default (a
 * uniformly random delay between 0 and the capped exponential value), so that many
 * failing jobs do not retry in lockstep.
 */
import type { RetryPolicy } from '../jobs/policies.js';

/**
 * The delay before attempt `failedAttempt + 1`: initialDelay * multiplier^(n-1),
 * capped at maxDelay; with full jitter, uniformly random below that.
 */
export function backoffMs(failedAttempt: number, policy: RetryPolicy, random: () => number): number {
  const exponential = policy.initialDelayMs * policy.multiplier ** Math.max(0, failedAttempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return policy.jitter === 'full' ? Math.floor(random() * capped) : capped;
}

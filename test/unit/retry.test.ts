import { describe, expect, it } from 'vitest';
import { BUILT_IN_POLICY, policyInput, resolvePolicy, type RetryPolicy } from '../../core/jobs/policies.js';
import { backoffMs } from '../../core/execution/backoff.js';

const policy: RetryPolicy = { maxAttempts: 10, initialDelayMs: 1_000, maxDelayMs: 30_000, multiplier: 2, jitter: 'none' };

describe('backoff', () => {
  it('grows exponentially from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, policy, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('with full jitter, draws uniformly below the capped value', () => {
    const full = { ...policy, jitter: 'full' as const };
    expect(backoffMs(3, full, () => 0)).toBe(0);
    expect(backoffMs(3, full, () => 0.25)).toBe(1_000);
    expect(backoffMs(3, full, () => 0.999999)).toBe(3_999);
    expect(backoffMs(20, full, () => 0.5)).toBe(15_000);
  });
});

describe('policy input', () => {
  it('fills what a job leaves out from the defaults', () => {
    const parsed = policyInput.parse({ retry: { maxAttempts: 5, initialDelay: '500ms' }, timeout: '10s' });
    expect(resolvePolicy(parsed, BUILT_IN_POLICY)).toEqual({
      retry: { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 900_000, multiplier: 2, jitter: 'full' },
      timeoutMs: 10_000,
      misfire: { policy: 'once', graceMs: 60_000, maxCatchUp: 100 },
      overlap: 'allow',
    });
    expect(resolvePolicy(undefined, BUILT_IN_POLICY)).toEqual(BUILT_IN_POLICY);
  });

  it('never lets the cap fall below the initial delay', () => {
    expect(resolvePolicy(policyInput.parse({ retry: { initialDelay: '1h', maxDelay: '1m' } }), BUILT_IN_POLICY).retry.maxDelayMs).toBe(
      3_600_000,
    );
  });

  it.each([
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    [{ retry: { maxAttempts: 21 } }, 'retry.maxAttempts'],
    [{ retry: { initialDelay: '13h' } }, 'retry.initialDelay'],
    [{ retry: { initialDelay: 'soon' } }, 'retry.initialDelay'],
    [{ retry: { multiplier: 0.5 } }, 'retry.multiplier'],
    [{ retry: { jitter: 'some' } }, 'retry.jitter'],
    [{ timeout: '61s' }, 'timeout'],
    [{ timeout: '500ms' }, 'timeout'],
  ])('rejects %j at %s', (input, path) => {
    const parsed = policyInput.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path.join('.')).toBe(path);
  });
});

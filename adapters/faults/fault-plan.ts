/**
 * What to break, how often: probabilities per request (or per message, for the
 * queue's send faults), drawn from one seeded PRNG so that a run replays.
 */
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { mulberry32 } from './prng.js';

export interface FaultPlan {
  seed: number;
  /** A request fails before it reaches the store (a throttle, an outage). */
  fail: number;
  /** A request hangs for `timeoutMs`, then fails (it never reached the store). */
  timeout: number;
  /** A request reaches the store and succeeds, but the caller sees an error: the ambiguous failure. */
  failAfter: number;
  /** Queue: a message is dropped while the send reports success. */
  loseSend: number;
  /** Queue: a message goes out twice. */
  duplicate: number;
  /** Queue: a message reaches the queue `delayMs` late; the send returns at once. */
  delay: number;
  timeoutMs: number;
  delayMs: number;
}

export type FaultKind = 'fail' | 'timeout' | 'failAfter' | 'loseSend' | 'duplicate' | 'delay';

export const NO_FAULTS: Omit<FaultPlan, 'seed'> = {
  fail: 0,
  timeout: 0,
  failAfter: 0,
  loseSend: 0,
  duplicate: 0,
  delay: 0,
  timeoutMs: 2_000,
  delayMs: 5_000,
};

/** Thrown by an injected fault; a StoreUnavailableError, so callers treat it as they treat an outage. */
export class InjectedFaultError extends StoreUnavailableError {}

/** Rolls the dice for the decorators. `enabled` switches every fault off and on (a simulation's quiet period). */
export class FaultInjector {
  enabled = true;
  readonly counts: Record<FaultKind, number> = { fail: 0, timeout: 0, failAfter: 0, loseSend: 0, duplicate: 0, delay: 0 };
  private readonly random: () => number;

  constructor(
    readonly plan: FaultPlan,
    random?: () => number,
  ) {
    this.random = random ?? mulberry32(plan.seed);
  }

  /** True when the fault of `kind` should happen now; counts it. */
  roll(kind: FaultKind): boolean {
    const p = this.plan[kind];
    if (!this.enabled || p <= 0) return false;
    if (this.random() >= p) return false;
    this.counts[kind]++;
    return true;
  }
}

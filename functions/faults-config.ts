/**
 * SCHEDULER_FAULTS: fault injection for the local runtime, read once and loudly.
 * `seed=42,fail=0.01,timeout=0.01,fail-after=0.01,lose-send=0.01,duplicate=0.02,delay=0.01,timeout-ms=2000,delay-ms=5000`;
 * probabilities in [0, 1], every key optional, an unknown key is an error. Without
 * a seed one is drawn and logged, so a run can be replayed.
 */
import { randomInt } from 'node:crypto';
import { FaultInjector, injectFaults, NO_FAULTS, type FaultablePorts, type FaultPlan, type Sleep } from '../adapters/faults/index.js';
import type { Logger } from '../core/kernel/ports.js';
import { ConfigError } from './config.js';

const PROBABILITIES = {
  fail: 'fail',
  timeout: 'timeout',
  'fail-after': 'failAfter',
  'lose-send': 'loseSend',
  duplicate: 'duplicate',
  delay: 'delay',
} as const;
const DURATIONS = { 'timeout-ms': 'timeoutMs', 'delay-ms': 'delayMs' } as const;

export function parseFaultPlan(raw: string | undefined, drawSeed: () => number = () => randomInt(2 ** 31)): FaultPlan | undefined {
  const text = raw?.trim();
  if (!text || text === '0' || text === 'off') return undefined;
  const plan: Partial<FaultPlan> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    const number = Number(value);
    if (!key || value === undefined || value === '' || rest.length > 0 || !Number.isFinite(number)) {
      throw new ConfigError(`SCHEDULER_FAULTS: "${part}" is not key=number`);
    }
    if (key === 'seed') {
      if (!Number.isInteger(number) || number < 0) throw new ConfigError(`SCHEDULER_FAULTS: seed must be a whole number, got "${value}"`);
      plan.seed = number;
    } else if (key in PROBABILITIES) {
      if (number < 0 || number > 1) throw new ConfigError(`SCHEDULER_FAULTS: ${key} is a probability between 0 and 1, got "${value}"`);
      plan[PROBABILITIES[key as keyof typeof PROBABILITIES]] = number;
    } else if (key in DURATIONS) {
      if (!Number.isInteger(number) || number < 1)
        throw new ConfigError(`SCHEDULER_FAULTS: ${key} is a whole number of milliseconds, got "${value}"`);
      plan[DURATIONS[key as keyof typeof DURATIONS]] = number;
    } else {
      const known = ['seed', ...Object.keys(PROBABILITIES), ...Object.keys(DURATIONS)].join(', ');
      throw new ConfigError(`SCHEDULER_FAULTS: unknown key "${key}"; known: ${known}`);
    }
  }
  return { ...NO_FAULTS, seed: plan.seed ?? drawSeed(), ...plan };
}

/** The deps with faults injected when SCHEDULER_FAULTS asks for them (logged loudly), else as they were. */
export function withConfiguredFaults<D extends FaultablePorts & { sleep: Sleep }>(
  deps: D,
  env: Record<string, string | undefined>,
  logger: Logger,
): D {
  const plan = parseFaultPlan(env.SCHEDULER_FAULTS);
  if (!plan) return deps;
  logger.warn('SCHEDULER_FAULTS: injecting faults into every store and the queue', { ...plan });
  return injectFaults(deps, new FaultInjector(plan), deps.sleep);
}

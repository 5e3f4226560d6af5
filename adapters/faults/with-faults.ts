/**
 * A fault-injecting decorator over any port: every method call may fail before
 * it reaches the port, time out, or fail after the port did its work. Generic over
 * the port's type, so it fits JobStore, ExecutionStore, BundleClaims, DueIndex,
 * DispatchLog and Queue alike, and keeps fitting when they grow a method.
 */
import { InjectedFaultError, type FaultInjector } from './fault-plan.js';

export type Sleep = (ms: number) => Promise<void>;

type AnyMethod = (...args: unknown[]) => unknown;

export function withFaults<T extends object>(port: T, name: string, faults: FaultInjector, sleep: Sleep): T {
  const wrapped = new Map<PropertyKey, AnyMethod>();
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      let method = wrapped.get(property);
      if (!method) {
        const call = `${name}.${String(property)}`;
        method = async (...args: unknown[]) => {
          if (faults.roll('fail')) throw new InjectedFaultError(`${call}: injected failure`);
          if (faults.roll('timeout')) {
            await sleep(faults.plan.timeoutMs);
            throw new InjectedFaultError(`${call}: injected timeout after ${faults.plan.timeoutMs} ms`);
          }
          const result = await (value as AnyMethod).apply(target, args);
          if (faults.roll('failAfter')) throw new InjectedFaultError(`${call}: injected failure after the call succeeded`);
          return result;
        };
        wrapped.set(property, method);
      }
      return method;
    },
  });
}

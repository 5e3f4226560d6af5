/** Fault injection at the ports: wraps every store and the queue of a set of deps. */
import type { BundleClaims, ExecutionStore, Queue } from '../../core/execution/ports.js';
import type { DispatchLog, DueIndex } from '../../core/dispatch/ports.js';
import type { JobStore } from '../../core/jobs/job-store.js';
import type { FaultInjector } from './fault-plan.js';
import { faultyQueue } from './faulty-queue.js';
import { withFaults, type Sleep } from './with-faults.js';

export { FaultInjector, InjectedFaultError, NO_FAULTS, type FaultKind, type FaultPlan } from './fault-plan.js';
export { faultyQueue } from './faulty-queue.js';
export { mulberry32 } from './prng.js';
export { withFaults, type Sleep } from './with-faults.js';

export interface FaultablePorts {
  jobs: JobStore;
  executions: ExecutionStore;
  queue: Queue;
  dispatchLog: DispatchLog;
  due: DueIndex;
  claims: BundleClaims;
}

/** The same deps with every port behind the injector; everything else (clock, handlers, ...) as it was. */
export function injectFaults<D extends FaultablePorts>(deps: D, faults: FaultInjector, sleep: Sleep): D {
  return {
    ...deps,
    jobs: withFaults(deps.jobs, 'jobs', faults, sleep),
    executions: withFaults(deps.executions, 'executions', faults, sleep),
    queue: faultyQueue(deps.queue, faults, sleep),
    dispatchLog: withFaults(deps.dispatchLog, 'dispatchLog', faults, sleep),
    due: withFaults(deps.due, 'due', faults, sleep),
    claims: withFaults(deps.claims, 'claims', faults, sleep),
  };
}

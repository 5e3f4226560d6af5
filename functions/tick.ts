/** Lambda entry point for the per-minute tick (EventBridge Scheduler target). */
import { runTick, type TickResult } from '../core/dispatch/tick.js';
import { loadConfig } from './config.js';
import { buildAwsDeps, type SchedulerDeps } from './wiring.js';

export function createTickHandler(deps: SchedulerDeps): () => Promise<TickResult> {
  return () => runTick(deps);
}

let tick: (() => Promise<TickResult>) | undefined;

export const handler = (): Promise<TickResult> => {
  tick ??= createTickHandler(buildAwsDeps(loadConfig(process.env)));
  return tick();
};

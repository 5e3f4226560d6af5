/**
 * The local runtime: everything `npm run dev` runs, as one start/stop pair so the
 * end-to-end tests can drive the same code. It plays AWS's parts (API Gateway,
 * EventBridge Scheduler, the SQS event source mapping) and calls the same Lambda
 * handlers that run in AWS.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createDynamoClient, createSqsClient, type ClientOptions } from '../adapters/aws/clients.js';
import { JobService } from '../core/service/job-service.js';
import { recoverFreshQueue, recoverLost } from '../core/dispatch/recovery.js';
import type { Logger } from '../core/kernel/ports.js';
import type { JobPolicy } from '../core/jobs/policies.js';
import { createDeadLetterHandler } from '../functions/dead-letter.js';
import { createApiApp } from '../functions/api.js';
import { createTickHandler } from '../functions/tick.js';
import { buildAwsDeps } from '../functions/wiring.js';
import { withConfiguredFaults } from '../functions/faults-config.js';
import { createWorkerHandler } from '../functions/worker.js';
import { lockDataFolder } from './data-lock.js';
import { javaAvailable, startDynalite, startDynamoDbLocal, startSqsEmulator, type RunningEmulator } from './emulators.js';
import { DEFAULT_NAMES, DEFAULT_QUEUE_SETTINGS, provisionQueues, provisionTables } from './provision.js';
import { startSqsPoller } from './sqs-poller.js';
import { LOCAL_HEARTBEAT, VisibilityHeartbeat } from './visibility-heartbeat.js';
import { LocalTickSchedule, startTicker } from './ticker.js';
import { answerClientErrorsAsJson } from './client-errors.js';
import type { ConfiguredEndpoint, ServiceName } from './configured-endpoints.js';

/** How long a request (its headers and body) may take to arrive: API Gateway's 30 s. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface LocalRuntimeOptions {
  port: number;
  hostname: string;
  apiKeys: string[];
  /** Origins a browser page may call the API from (SCHEDULER_CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
  /** Throw-away stores (tests); otherwise data lives under dataDir. */
  inMemory: boolean;
  dataDir: string;
  /** `auto`: DynamoDB Local when Java is present, else dynalite. */
  dynamoEmulator: 'auto' | 'dynamodb-local' | 'dynalite';
  /** Batches the worker runs at once, like the event source's maximum concurrency. */
  maxConcurrency: number;
  jobDefaults: JobPolicy;
  /** Handlers at once across all workers until PUT /v1/config says otherwise (SCHEDULER_MAX_CONCURRENCY). */
  handlerConcurrency?: number | null;
  recoverAfterMs: number;
  dueShards: number;
  seedExample: boolean;
  /**
   * Endpoints the AWS SDK's configuration names (local/configured-endpoints.ts decided they
   * are safe): the SDK finds them itself, and this runtime starts no emulator. Absent: the
   * embedded emulators.
   */
  endpoints?: { endpoints: Record<ServiceName, ConfiguredEndpoint>; region: string | undefined };
  /** The process environment (fault injection, the region for the emulators). */
  env: Record<string, string | undefined>;
  logger: Logger;
}

export interface LocalRuntime {
  url: string;
  /** Where the stores live: the emulators this runtime started, or the configured endpoints. */
  backends: string[];
  stop(): Promise<void>;
}

async function startEmulators(options: LocalRuntimeOptions): Promise<RunningEmulator[]> {
  const useJava = options.dynamoEmulator === 'dynamodb-local' || (options.dynamoEmulator === 'auto' && javaAvailable());
  const dataDir = options.inMemory ? undefined : join(options.dataDir, useJava ? 'dynamodb-local' : 'dynalite');
  const dynamo = useJava ? await startDynamoDbLocal({ dataDir }) : await startDynalite({ dataDir });
  try {
    return [dynamo, await startSqsEmulator()];
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = options.logger;
  const startedAt = new Date();
  const external = options.endpoints !== undefined;
  const unlock = external || options.inMemory ? () => undefined : lockDataFolder(options.dataDir);
  const emulators = await (external ? Promise.resolve([]) : startEmulators(options)).catch((error: unknown) => {
    unlock();
    throw error;
  });
  const stopEmulators = async () => {
    await Promise.all(emulators.map((e) => e.stop()));
    unlock();
  };
  try {
    const clients: ClientOptions = options.endpoints
      ? { region: options.endpoints.region, configuredEndpoints: true }
      : {
          region: options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION ?? 'us-east-1',
          dynamoEndpoint: emulators[0]!.endpoint,
          sqsEndpoint: emulators[1]!.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        };

    // Bounded like every client (core/kernel/limits.ts): an endpoint that never answers fails the start, it does not hang it.
    const dynamo = createDynamoClient(clients);
    const sqs = createSqsClient(clients);
    if (options.endpoints) await checkSdkEndpoints(options.endpoints.endpoints, { DynamoDB: dynamo, SQS: sqs });
    const region = await dynamo.config.region();
    log.info('stores', {
      backends: options.endpoints
        ? [
            `endpoints from AWS SDK configuration: ${Object.entries(options.endpoints.endpoints)
              .map(([name, e]) => `${name} ${e.url} (${e.from})`)
              .join(', ')}`,
          ]
        : emulators.map((e) => `${e.name} ${e.endpoint}`),
      region,
    });
    await provisionTables(dynamo, DEFAULT_NAMES);
    const { queueUrl, deadLetterQueueUrl } = await provisionQueues(sqs, DEFAULT_NAMES, DEFAULT_QUEUE_SETTINGS);
    const arnOf = async (url: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

    const deps = withConfiguredFaults(
      buildAwsDeps(
        {
          jobsTable: DEFAULT_NAMES.jobsTable,
          executionsTable: DEFAULT_NAMES.executionsTable,
          queueUrl,
          deadLetterQueueUrl,
          dueShards: options.dueShards,
          jobDefaults: options.jobDefaults,
          recoverAfterMs: options.recoverAfterMs,
          maxConcurrency: options.handlerConcurrency ?? null,
        },
        { clients, logger: log },
      ),
      options.env,
      log,
    );
    // No EventBridge here: the tick schedule is this runtime's own ticker, which the scheduler's
    // pause turns off and on. A runtime started while paused starts with it off.
    const tickSchedule = new LocalTickSchedule();
    deps.tickSchedule = tickSchedule;
    const pausedAtStart = await deps.schedulerPause.get();
    if (pausedAtStart) {
      await tickSchedule.setState('disabled');
      log.warn('the scheduler is paused: no tick runs until POST /v1/scheduler/resume', { ...pausedAtStart });
    }
    if (options.seedExample) await seedExampleJob(new JobService(deps), log);

    const app = createApiApp(deps, { apiKeys: options.apiKeys, corsOrigins: options.corsOrigins ?? [] });
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }, () => resolve(s));
      s.once('error', reject);
    });
    answerClientErrorsAsJson(server as unknown as Server);
    // As API Gateway does in front of Lambda: a request whose body drips in is cut off, not held open.
    (server as unknown as Server).requestTimeout = REQUEST_TIMEOUT_MS;
    const url = `http://${options.hostname}:${options.port}`;
    if (!external && !pausedAtStart) {
      // The embedded SQS emulator starts empty: what the last run sent and did not finish is
      // gone. Decided now, before the first tick, as late as that, so that what is on time now
      // is still on time when the workers start right after.
      try {
        const decidedAt = new Date();
        const recovered = await recoverFreshQueue(deps, deps.settings.recovery, startedAt, decidedAt);
        // The first tick comes a while later: it weighs what was missed as of the same instant.
        deps.settings.judgedAsOf = decidedAt.toISOString();
        if (recovered.lost > 0) {
          log.warn('the queue started empty: what the last run had sent and not finished is sent again or decided', {
            decidedAt: decidedAt.toISOString(),
            ...recovered,
          });
        }
      } catch (error) {
        // Not fatal: recovery in every tick finds the same occurrences, a little later.
        log.error('recovery at start failed; the ticks recover instead', {
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    }
    // Paused at start: what the last run left is found by the ticks' recovery after the resume.
    if (!external) deps.settings.recovery = { ...deps.settings.recovery, queueEmptiedBefore: startedAt.toISOString() };
    const ticker = startTicker(createTickHandler(deps), log, undefined, undefined, tickSchedule);
    // Locally the queue forgets on restart, so lost occurrences are looked for more
    // often than once a tick: every half of the staleness window, at most a minute.
    const recoveryMs = Math.min(60_000, Math.max(1_000, options.recoverAfterMs / 2));
    const recovery = setInterval(() => {
      // Like the tick, it sends nothing while the scheduler is paused.
      if (!tickSchedule.isEnabled) return;
      deps.schedulerPause
        .get()
        .then((pause) => (pause ? undefined : recoverLost(deps, deps.settings.recovery)))
        .catch((error: unknown) => log.error('recovery failed', { error: String(error) }));
    }, recoveryMs);
    // A restarted runtime's predecessor is gone: its messages show again within seconds, not 90 s.
    const heartbeat = new VisibilityHeartbeat(sqs, queueUrl, log, LOCAL_HEARTBEAT);
    const poller = startSqsPoller({
      sqs,
      queueUrl,
      queueArn: await arnOf(queueUrl),
      region,
      handler: createWorkerHandler({ ...deps, queue: heartbeat.releasing(deps.queue) }),
      logger: log,
      maxConcurrency: options.maxConcurrency,
      heartbeat,
    });
    const deadLetterPoller = startSqsPoller({
      sqs,
      queueUrl: deadLetterQueueUrl,
      queueArn: await arnOf(deadLetterQueueUrl),
      region,
      handler: createDeadLetterHandler(deps),
      logger: log,
      maxConcurrency: 1,
    });
    log.info('scheduler running', { url, queueUrl });

    return {
      url,
      backends: emulators.map((e) => e.endpoint),
      stop: async () => {
        log.info('stopping: no new work; waiting for running handlers');
        // The API stops taking connections at once; a client holding a request open gets a grace, not a veto.
        const apiClosed = closeServer(server as Server, HTTP_GRACE_MS);
        clearInterval(recovery);
        await ticker.stop();
        await Promise.all([poller.stop(), deadLetterPoller.stop()]);
        await apiClosed;
        await stopEmulators();
        log.info('stopped');
      },
    };
  } catch (error) {
    await stopEmulators();
    throw error;
  }
}

/**
 * The endpoints the SDK will use are the ones judged safe: a difference (an SDK whose
 * rules changed) would send requests somewhere unchecked, AWS itself at worst.
 */
async function checkSdkEndpoints(
  expected: Record<ServiceName, ConfiguredEndpoint>,
  clients: Record<ServiceName, { config: { serviceConfiguredEndpoint?: () => Promise<string | undefined> } }>,
): Promise<void> {
  for (const [name, client] of Object.entries(clients) as [ServiceName, (typeof clients)[ServiceName]][]) {
    // Internal to the SDK but how its endpoint middleware finds the configured endpoint; when gone, trust the plan.
    const provider = client.config.serviceConfiguredEndpoint;
    if (!provider) continue;
    const actual = await provider();
    if (actual !== expected[name].url) {
      throw new Error(
        `the AWS SDK resolves the ${name} endpoint to ${actual ?? "AWS's own"}, not ${expected[name].url} (${expected[name].from}); not starting`,
      );
    }
  }
}

/** How long requests in flight may take to finish once the runtime stops; then their connections are closed. */
export const HTTP_GRACE_MS = 3_000;

/**
 * Stops accepting connections, closes the idle ones, and after `graceMs` closes the
 * rest: `server.close()` alone waits for every open request, so one client that sent
 * half a request (headers, never the body) would hold the stop forever.
 */
async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}

/** On a first start with nothing stored, one job shows a newcomer that it works. */
async function seedExampleJob(jobs: JobService, log: Logger): Promise<void> {
  const existing = await jobs.list({ limit: 1 });
  if (existing.items.length > 0) return;
  const job = await jobs.create({
    name: 'heartbeat',
    schedule: { cron: '* * * * *' },
    handler: 'log',
    payload: { message: 'the scheduler is alive' },
  });
  log.info('created the example job "heartbeat" (every minute, log handler)', { jobId: job.id });
}

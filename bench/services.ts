/**
 * Redis and PostgreSQL for the peers, from Debian's packages, installed when
 * missing and started on free ports in throw-away folders. Each step says plainly
 * when it cannot be done.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../local/emulators.js';

export class ServiceUnavailable extends Error {
  override name = 'ServiceUnavailable';
}

export interface Service {
  url: string;
  version: string;
  stop(): Promise<void>;
}

function run(command: string, args: string[]): { ok: boolean; output: string } {
  const out = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: out.status === 0, output: `${out.stdout ?? ''}${out.stderr ?? ''}`.trim() };
}

export function ensureDebianPackage(pkg: string, probe: () => boolean): void {
  if (probe()) return;
  const update = run('apt-get', ['update', '-qq']);
  const install = update.ok ? run('apt-get', ['install', '-y', '-qq', pkg]) : update;
  if (!install.ok || !probe())
    throw new ServiceUnavailable(`could not install ${pkg} from Debian's packages: ${install.output.slice(-300)}`);
}

function stopper(child: ChildProcess, cleanup: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, delay(10_000).then(() => child.kill('SIGKILL'))]);
    }
    cleanup();
  };
}

export async function startRedis(): Promise<Service> {
  ensureDebianPackage('redis-server', () => run('redis-server', ['--version']).ok);
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 50; i++) {
    if (run('redis-cli', ['-p', String(port), 'ping']).output === 'PONG') {
      const version = /v=(\S+)/.exec(run('redis-server', ['--version']).output)?.[1] ?? 'unknown';
      return { url: `redis://127.0.0.1:${port}`, version, stop: stopper(child, () => {}) };
    }
    await delay(100);
  }
  child.kill('SIGKILL');
  throw new ServiceUnavailable('redis-server did not answer');
}

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  return version ? join(root, version, 'bin') : undefined;
}

export async function startPostgres(): Promise<Service> {
  ensureDebianPackage('postgresql', () => postgresBin() !== undefined);
  const bin = postgresBin()!;
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  // PostgreSQL refuses to run as root: run it as the postgres user the package creates.
  const asPostgres = (args: string[]) =>
    (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0]!, args.slice(1)]) as [string, string[]];
  const [initCmd, initArgs] = asPostgres([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres']);
  const init = run(initCmd, initArgs);
  if (!init.ok) throw new ServiceUnavailable(`initdb failed: ${init.output.slice(-300)}`);
  const port = await freePort();
  const [cmd, args] = asPostgres([
    join(bin, 'postgres'),
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    '-c',
    'fsync=off',
  ]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).ok) {
      const version = /\(PostgreSQL\) (\S+)/.exec(run(join(bin, 'postgres'), ['--version']).output)?.[1] ?? 'unknown';
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        version,
        stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })),
      };
    }
    await delay(200);
  }
  child.kill('SIGKILL');
  throw new ServiceUnavailable('postgres did not become ready');
}

/** Installs the peers from npm into bench/.peers (not the project's dependencies). */
export function installPeers(dir: string, packages: string[]): void {
  const missing = packages.filter((p) => !existsSync(join(dir, 'node_modules', p.replace(/@[^@/]+$/, ''))));
  if (missing.length === 0) return;
  const out = run('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--engine-strict=false', ...packages]);
  if (!out.ok) throw new ServiceUnavailable(`npm could not install ${missing.join(', ')}: ${out.output.slice(-300)}`);
}

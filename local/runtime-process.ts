/** Starts `local/main.ts` (what `npm run dev` runs) as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './emulators.js';

export interface RuntimeProcess {
  url: string;
  key: string;
  /** The process id of the runtime (the leader of its process group). */
  pid: number;
  output: () => string;
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** Sends the signal to the runtime's process group and resolves with the exit code (null when killed). */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * `env` is laid over this process's environment; a variable given as undefined is removed.
 * `options.args` follow the script, as after `npm run dev --`.
 */
export async function startRuntimeProcess(
  env: Record<string, string | undefined> = {},
  options: { cwd?: string; args?: string[] } = {},
): Promise<RuntimeProcess> {
  const port = await freePort();
  const key = `e2e-key-${port}`;
  const root = resolve(import.meta.dirname, '..');
  const childEnv: Record<string, string | undefined> = { ...process.env, PORT: String(port), SCHEDULER_API_KEYS: key, ...env };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(root, 'local/main.ts'), ...(options.args ?? [])],
    {
      cwd: options.cwd ?? root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, as in a terminal: a signal goes to the whole group.
      detached: true,
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  // 'close', not 'exit': by then its output is all read, including what it wrote just before a kill -9.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`runtime exited with ${child.exitCode} while starting:\n${output}`);
    try {
      if ((await fetch(`${url}/health`)).ok && output.includes('scheduler running')) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`runtime did not become healthy within 60 s:\n${output}`);
    }
    await delay(200);
  }

  return {
    url,
    key,
    pid: child.pid!,
    output: () => output,
    api: (path, init = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      }),
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      process.kill(-child.pid!, signal);
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(200);
  }
}

/** The JSON log lines a runtime wrote (its output also holds plain lines, like the generated key). */
export function logEntries(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return []; // a line cut short by kill -9
      }
    });
}

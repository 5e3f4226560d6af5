/**
 * `npm run dev` neither hangs at start against an endpoint that never answers, nor
 * at stop while a client holds a half-sent request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/emulators.js';
import { HTTP_GRACE_MS } from '../../local/runtime.js';
import { startHungEndpoint, type HungEndpoint } from '../helpers/hung-endpoint.js';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/runtime-process.js';

const root = resolve(import.meta.dirname, '../..');
const MARGIN_MS = 10_000;

let hung: HungEndpoint | undefined;
let runtime: RuntimeProcess | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await runtime?.stop('SIGKILL');
  await hung?.close();
  runtime = hung = child = undefined;
});

describe('the local runtime', () => {
  it('exits non-zero, naming the endpoint, when the configured endpoint takes connections and never answers', async () => {
    hung = await startHungEndpoint('silent');
    child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'local/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(await freePort()),
        SCHEDULER_API_KEYS: 'k',
        SCHEDULER_SEED_EXAMPLE: '0',
        AWS_ENDPOINT_URL: hung.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Before the fix it waited forever: the test's own timeout is the failure.
    const code = await new Promise<number | null>((done) => child!.once('exit', (c) => done(c)));
    expect(code, output).not.toBe(0);
    expect(output).toContain('could not start');
    expect(output).toContain(hung.endpoint);
    expect(output).not.toContain('scheduler running');
  });

  it('exits on SIGTERM within the grace while a client holds a half-sent request', async () => {
    runtime = await startRuntimeProcess({ SCHEDULER_IN_MEMORY: '1', SCHEDULER_DYNAMODB_EMULATOR: 'dynalite', SCHEDULER_SEED_EXAMPLE: '0' });
    const { hostname, port } = new URL(runtime.url);
    const socket = connect(Number(port), hostname);
    const socketClosed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    // Headers that promise a body which never comes.
    await new Promise<void>((done) =>
      socket.write(
        `POST /v1/jobs HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${runtime!.key}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":',
        () => done(),
      ),
    );
    // The API has the request in hand once it has answered another one after it on a second connection.
    expect((await fetch(`${runtime.url}/health`)).ok).toBe(true);

    const exited = runtime.stop('SIGTERM');
    const outcome = await Promise.race([
      exited,
      new Promise<'still running'>((done) => setTimeout(() => done('still running'), HTTP_GRACE_MS + MARGIN_MS)),
    ]);
    expect(outcome, runtime.output()).toBe(0);
    await socketClosed;
  });
});

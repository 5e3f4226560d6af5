/**
 * The LocalStack profile's code path without Docker: an AWS shared-config profile whose
 * services section points at emulators this test starts, each behind a proxy that notes
 * the credentials, region and operation of every request that reaches it. The SDK must
 * take the endpoints, region and credentials from the profile, and SQS must keep to the
 * profile's endpoint though the emulator's queue URLs name its own port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDynalite, startSqsEmulator, type RunningEmulator } from '../../local/emulators.js';
import { startRuntimeProcess, waitFor, type RuntimeProcess } from '../../local/runtime-process.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';

const SECRET = 'profile-secret-never-logged';

describe('the local runtime with an AWS shared-config profile', () => {
  let emulators: RunningEmulator[] = [];
  let dynamoProxy: RecordingProxy;
  let sqsProxy: RecordingProxy;
  let dir: string;
  let runtime: RuntimeProcess | undefined;
  /** Only the profile's files: nothing from the shell running the tests. */
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    emulators = [await startDynalite(), await startSqsEmulator()];
    dynamoProxy = await startRecordingProxy(emulators[0]!.endpoint);
    sqsProxy = await startRecordingProxy(emulators[1]!.endpoint);
    dir = mkdtempSync(join(tmpdir(), 'scheduler-profile-'));
    const unanswered = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(
      join(dir, 'config'),
      [
        '[profile work]',
        'region = eu-central-1',
        'aws_access_key_id = AKIDWORK',
        'aws_secret_access_key = work-secret',
        '',
        '[profile e2e]',
        'region = eu-west-2',
        'aws_access_key_id = AKIDPROFILE',
        `aws_secret_access_key = ${SECRET}`,
        'services = e2e-emulators',
        '',
        '[services e2e-emulators]',
        'dynamodb =',
        `  endpoint_url = ${dynamoProxy.endpoint}`,
        'sqs =',
        `  endpoint_url = ${sqsProxy.endpoint}`,
        '',
        '[profile half]',
        'services = only-dynamodb',
        '[services only-dynamodb]',
        'dynamodb =',
        `  endpoint_url = ${dynamoProxy.endpoint}`,
        '',
        '[profile down]',
        `endpoint_url = ${unanswered}`,
        'aws_access_key_id = a',
        'aws_secret_access_key = b',
        '',
      ].join('\n'),
    );
    env = {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_PROFILE: undefined,
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_DYNAMODB: undefined,
      AWS_ENDPOINT_URL_SQS: undefined,
      SCHEDULER_SEED_EXAMPLE: '0',
    };
  });

  afterAll(async () => {
    await runtime?.stop('SIGKILL');
    await Promise.all([dynamoProxy?.close(), sqsProxy?.close()]);
    await Promise.all(emulators.map((e) => e.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function expectOnlyTheProfile() {
    const scopes = [...dynamoProxy.requests, ...sqsProxy.requests].map((r) => r.credentialScope?.replace(/\/\d{8}\//, '/DATE/'));
    expect(new Set(scopes)).toEqual(
      new Set(['AKIDPROFILE/DATE/eu-west-2/dynamodb/aws4_request', 'AKIDPROFILE/DATE/eu-west-2/sqs/aws4_request']),
    );
  }

  it('with AWS_PROFILE: starts no emulator, provisions through the profile endpoints and runs a job', async () => {
    runtime = await startRuntimeProcess({ ...env, AWS_PROFILE: 'e2e' });
    const output = runtime.output();
    expect(output).toContain('"message":"AWS profile","timestamp"');
    expect(output).toContain(`"profile":"e2e","from":"AWS_PROFILE","configFile":"${join(dir, 'config')}"`);
    expect(output).toContain('endpoints from AWS SDK configuration');
    expect(output).toContain('"region":"eu-west-2"');
    expect(output).not.toMatch(/dynalite http|DynamoDB Local http|local-aws-sqs http/);
    // Provisioning went through the proxies: the tables and the queues.
    expect(dynamoProxy.requests.map((r) => r.target)).toContain('DynamoDB_20120810.CreateTable');
    expect(sqsProxy.requests.map((r) => r.target)).toContain('AmazonSQS.CreateQueue');

    const res = await runtime.api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ name: 'via-profile', schedule: { at: new Date(Date.now() + 1_500).toISOString() }, handler: 'log' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await waitFor(
      async () => {
        const list = (await (await runtime!.api(`/v1/jobs/${id}/executions`)).json()) as { executions: { status: string }[] };
        return list.executions.some((e) => e.status === 'succeeded') ? true : undefined;
      },
      10_000,
      'the run',
    );
    // The queue URLs name the emulator's own port: had the SDK followed them, sends and
    // receives would have gone round the proxy (and the SDK would have warned).
    const sqsTargets = sqsProxy.requests.map((r) => r.target);
    expect(sqsTargets).toEqual(expect.arrayContaining(['AmazonSQS.ReceiveMessage', 'AmazonSQS.DeleteMessageBatch']));
    expect(sqsTargets.some((t) => t === 'AmazonSQS.SendMessage' || t === 'AmazonSQS.SendMessageBatch')).toBe(true);
    expect(runtime.output()).not.toContain('differs from SQSClient resolved endpoint');
    expectOnlyTheProfile();
    expect(runtime.output()).not.toContain(SECRET);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    runtime = undefined;
  });

  it('with --profile, which beats an AWS_PROFILE set in the shell', async () => {
    dynamoProxy.requests.length = sqsProxy.requests.length = 0;
    runtime = await startRuntimeProcess({ ...env, AWS_PROFILE: 'work' }, { args: ['--profile', 'e2e'] });
    expect(runtime.output()).toContain('"profile":"e2e","from":"--profile"');
    expect((await runtime.api('/v1/jobs')).status).toBe(200);
    expect(dynamoProxy.requests.length).toBeGreaterThan(0);
    expect(sqsProxy.requests.length).toBeGreaterThan(0);
    expectOnlyTheProfile();
    expect(await runtime.stop('SIGTERM')).toBe(0);
    runtime = undefined;
  });

  it('ignores an AWS_PROFILE naming no endpoints: it starts its own emulators and says so', async () => {
    dynamoProxy.requests.length = sqsProxy.requests.length = 0;
    runtime = await startRuntimeProcess({ ...env, AWS_PROFILE: 'work', SCHEDULER_IN_MEMORY: '1', SCHEDULER_DYNAMODB_EMULATOR: 'dynalite' });
    expect(runtime.output()).toContain('AWS_PROFILE=work names no endpoints');
    expect(runtime.output()).toMatch(/dynalite http:\/\/127\.0\.0\.1:\d+/);
    expect((await runtime.api('/v1/jobs')).status).toBe(200);
    expect(dynamoProxy.requests).toEqual([]);
    expect(sqsProxy.requests).toEqual([]);
    expect(await runtime.stop('SIGTERM')).toBe(0);
    runtime = undefined;
  });

  it('refuses a profile with an endpoint for DynamoDB only (SQS would go to AWS), with exit code 2', async () => {
    const error = await startRuntimeProcess({ ...env }, { args: ['--profile', 'half'] }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('runtime exited with 2 while starting');
    expect((error as Error).message).toContain('none for SQS, which would go to AWS itself');
    expect((error as Error).message).not.toMatch(/\n\s+at /);
  });

  it('exits non-zero naming the endpoint when the profile endpoint does not answer', async () => {
    const error = await startRuntimeProcess({ ...env }, { args: ['--profile', 'down'] }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('runtime exited with 1 while starting');
    expect(message).toContain('could not start');
    expect(message).toMatch(/"endpoints":\["DynamoDB http:\/\/127\.0\.0\.1:\d+ \(profile \\"down\\"/);
  });
});

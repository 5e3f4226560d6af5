/**
 * The same runtime pointed at endpoints through the AWS SDK's ordinary settings
 * (the LocalStack profile works the same way, with one AWS_ENDPOINT_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, startSqsEmulator, type RunningEmulator } from '../../local/emulators.js';
import { startRuntimeProcess, waitFor, type RuntimeProcess } from '../../local/runtime-process.js';

describe('the local runtime with AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SQS set', () => {
  let emulators: RunningEmulator[] = [];
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    emulators = [await startDynalite(), await startSqsEmulator()];
    runtime = await startRuntimeProcess({
      AWS_ENDPOINT_URL_DYNAMODB: emulators[0]!.endpoint,
      AWS_ENDPOINT_URL_SQS: emulators[1]!.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
    });
  });

  afterAll(async () => {
    await runtime?.stop('SIGKILL');
    await Promise.all(emulators.map((e) => e.stop()));
  });

  it('starts no emulator of its own and runs jobs against the configured ones', async () => {
    expect(runtime.output()).toContain('endpoints from AWS SDK configuration');
    expect(runtime.output()).not.toContain('DynamoDB Local http');
    const res = await runtime.api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ name: 'via-config', schedule: { at: new Date(Date.now() + 1_500).toISOString() }, handler: 'log' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await waitFor(
      async () => {
        const list = (await (await runtime.api(`/v1/jobs/${id}/executions`)).json()) as { executions: { status: string }[] };
        return list.executions.some((e) => e.status === 'succeeded') ? true : undefined;
      },
      10_000,
      'the run',
    );
    expect(await runtime.stop('SIGTERM')).toBe(0);
  });
});

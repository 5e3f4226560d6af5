/**
 * Where `npm run dev` puts its stores: the embedded emulators or the endpoints a profile or
 * AWS_ENDPOINT_URL* names, and never AWS itself by accident. Files are parsed by the SDK's own
 * loader from intercepted contents (no disk), and the SDK's own endpoint resolution is asked
 * to agree with the plan.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { externalDataInterceptor } from '@smithy/core/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqsClient } from '../../adapters/aws/clients.js';
import { ConfigError } from '../../functions/config.js';
import {
  applyEnvChanges,
  planLocalTarget,
  profileArgument,
  readSharedConfigFiles,
  REPO_CONFIG_FILE,
  type LocalTarget,
} from '../../local/configured-endpoints.js';

const REPO_FILE = `
[profile localstack]
endpoint_url = http://localhost:4566
region = us-east-1
aws_access_key_id = test
aws_secret_access_key = test
`;

const WORK_PROFILE = `
[profile work]
region = eu-central-1
sso_session = corp
`;

const SERVICES_PROFILE = `
[profile emulators]
region = eu-west-2
services = emu

[services emu]
dynamodb =
  endpoint_url = http://127.0.0.1:8000
sqs =
  endpoint_url = http://127.0.0.1:9324
`;

let n = 0;
/** Fresh paths per test: the SDK caches what it read by path. */
function files(contents: { config?: string; credentials?: string; repo?: string } = {}) {
  const dir = `/intercepted/${++n}`;
  const paths = { config: `${dir}/config`, credentials: `${dir}/credentials`, repo: `${dir}/aws-config` };
  externalDataInterceptor.interceptFile(paths.config, contents.config ?? '');
  externalDataInterceptor.interceptFile(paths.credentials, contents.credentials ?? '');
  externalDataInterceptor.interceptFile(paths.repo, contents.repo ?? REPO_FILE);
  return paths;
}

async function plan(args: string[], env: Record<string, string | undefined>, contents?: Parameters<typeof files>[0]) {
  const paths = files(contents);
  const fullEnv = { AWS_CONFIG_FILE: paths.config, AWS_SHARED_CREDENTIALS_FILE: paths.credentials, ...env };
  return { target: planLocalTarget(args, fullEnv, await readSharedConfigFiles(fullEnv, paths.repo)), paths, env: fullEnv };
}

function endpointsOf(target: LocalTarget) {
  if (target.kind !== 'endpoints') throw new Error(`expected endpoints, got ${target.kind}`);
  return { DynamoDB: target.endpoints.DynamoDB.url, SQS: target.endpoints.SQS.url };
}

async function refusal(args: string[], env: Record<string, string | undefined>, contents?: Parameters<typeof files>[0]): Promise<string> {
  const error = await plan(args, env, contents).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe('profileArgument', () => {
  it('reads --profile NAME and --profile=NAME, the last one winning', () => {
    expect(profileArgument([])).toBeUndefined();
    expect(profileArgument(['--in-memory'])).toBeUndefined();
    expect(profileArgument(['--profile', 'localstack'])).toBe('localstack');
    expect(profileArgument(['--profile=localstack', '--in-memory'])).toBe('localstack');
    expect(profileArgument(['--profile', 'a', '--profile', 'b'])).toBe('b');
  });

  it('refuses --profile without a name', () => {
    expect(() => profileArgument(['--profile'])).toThrow(ConfigError);
    expect(() => profileArgument(['--profile', '--in-memory'])).toThrow('--profile needs a profile name');
    expect(() => profileArgument(['--profile='])).toThrow(ConfigError);
  });
});

describe('planLocalTarget', () => {
  it('starts the embedded emulators when nothing names a profile or an endpoint', async () => {
    const { target } = await plan([], {});
    expect(target).toEqual({ kind: 'emulators', envChanges: {}, warnings: [] });
  });

  it("uses the repository's file for a profile in none of the user's files, through AWS_CONFIG_FILE", async () => {
    const { target, paths } = await plan([], { AWS_PROFILE: 'localstack' });
    expect(endpointsOf(target)).toEqual({ DynamoDB: 'http://localhost:4566', SQS: 'http://localhost:4566' });
    expect(target.envChanges).toEqual({ AWS_CONFIG_FILE: paths.repo });
    if (target.kind !== 'endpoints') throw new Error('unreachable');
    expect(target.profile).toEqual({ name: 'localstack', from: 'AWS_PROFILE', configFile: paths.repo, repoFile: true });
    // The profile has a region: the SDK reads it, nothing is passed over it.
    expect(target.region).toBeUndefined();
  });

  it("prefers the user's own profile of that name to the repository's", async () => {
    const { target, paths } = await plan(
      ['--profile', 'localstack'],
      {},
      { config: '[profile localstack]\nendpoint_url = http://localhost:4599\n' },
    );
    expect(endpointsOf(target)).toEqual({ DynamoDB: 'http://localhost:4599', SQS: 'http://localhost:4599' });
    expect(target.envChanges).toEqual({ AWS_PROFILE: 'localstack' });
    if (target.kind !== 'endpoints') throw new Error('unreachable');
    expect(target.profile).toMatchObject({ configFile: paths.config, repoFile: false });
    // No region anywhere: the SDK would have none, so the plan gives one.
    expect(target.region).toBe('us-east-1');
  });

  it('counts a profile that is only in the credentials file as the user’s', async () => {
    const message = await refusal(
      ['--profile', 'localstack'],
      {},
      { credentials: '[localstack]\naws_access_key_id = a\naws_secret_access_key = b\n' },
    );
    // Found in the user's files, so the repository's endpoint_url does not apply: it names none.
    expect(message).toContain('names no endpoint');
  });

  it('reads a profile from the credentials file merged under the config file, as the SDK does', async () => {
    const { target } = await plan(
      [],
      { AWS_PROFILE: 'p' },
      { credentials: '[p]\nendpoint_url = http://localhost:4566\n', config: '[profile p]\nregion = eu-north-1\n' },
    );
    expect(endpointsOf(target)).toEqual({ DynamoDB: 'http://localhost:4566', SQS: 'http://localhost:4566' });
  });

  it('lets --profile beat AWS_PROFILE, and sets AWS_PROFILE for the process', async () => {
    const { target } = await plan(['--profile=localstack'], { AWS_PROFILE: 'work' }, { config: WORK_PROFILE });
    expect(endpointsOf(target).SQS).toBe('http://localhost:4566');
    expect(target.envChanges.AWS_PROFILE).toBe('localstack');
  });

  it('refuses a profile found nowhere, naming it and every file looked in', async () => {
    const message = await refusal([], { AWS_PROFILE: 'lcoalstack' });
    expect(message).toMatch(
      /AWS profile "lcoalstack" \(from AWS_PROFILE\) is not in \/intercepted\/\d+\/config, \/intercepted\/\d+\/credentials or \/intercepted\/\d+\/aws-config/,
    );
    expect(await refusal(['--profile', 'nope'], {})).toContain('"nope" (from --profile)');
  });

  it("ignores an AWS_PROFILE that names no endpoints (a shell's habit): the emulators, with AWS_PROFILE removed and a warning", async () => {
    const { target } = await plan([], { AWS_PROFILE: 'work' }, { config: WORK_PROFILE });
    expect(target.kind).toBe('emulators');
    // Removed, not left alone: nothing of that profile may reach the SDK.
    expect(Object.entries(target.envChanges)).toEqual([['AWS_PROFILE', undefined]]);
    expect(target.warnings).toHaveLength(1);
    expect(target.warnings[0]).toContain('AWS_PROFILE=work names no endpoints');
  });

  it('refuses --profile naming a profile without endpoints: a deliberate choice it cannot honour', async () => {
    const message = await refusal(['--profile', 'work'], {}, { config: WORK_PROFILE });
    expect(message).toContain('AWS profile "work" (from --profile');
    expect(message).toContain('does not run against AWS itself');
  });

  it("takes per-service endpoints from the profile's services section", async () => {
    const { target } = await plan(['--profile', 'emulators'], {}, { config: SERVICES_PROFILE });
    expect(endpointsOf(target)).toEqual({ DynamoDB: 'http://127.0.0.1:8000', SQS: 'http://127.0.0.1:9324' });
    if (target.kind !== 'endpoints') throw new Error('unreachable');
    expect(target.endpoints.SQS.from).toContain('[services emu] sqs');
    expect(target.region).toBeUndefined();
  });

  it("falls back to the profile's endpoint_url for a service its section leaves out, as the SDK does", async () => {
    const config =
      '[profile p]\nendpoint_url = http://localhost:4566\nservices = s\n[services s]\ndynamodb =\n  endpoint_url = http://localhost:8000\n';
    const { target } = await plan(['--profile', 'p'], {}, { config });
    expect(endpointsOf(target)).toEqual({ DynamoDB: 'http://localhost:8000', SQS: 'http://localhost:4566' });
  });

  it('refuses a profile with an endpoint for one service only, naming both', async () => {
    const config = '[profile p]\nservices = s\n[services s]\ndynamodb =\n  endpoint_url = http://localhost:8000\n';
    const message = await refusal(['--profile', 'p'], {}, { config });
    expect(message).toContain('DynamoDB at http://localhost:8000');
    expect(message).toContain('none for SQS, which would go to AWS itself');
  });

  it('refuses one endpoint variable without the other', async () => {
    const message = await refusal([], { AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000' });
    expect(message).toContain('DynamoDB at http://localhost:8000 (AWS_ENDPOINT_URL_DYNAMODB)');
    expect(message).toContain('none for SQS');
  });

  it('refuses one endpoint variable beside an AWS_PROFILE naming none (it does not quietly drop the profile then)', async () => {
    const message = await refusal([], { AWS_PROFILE: 'work', AWS_ENDPOINT_URL_SQS: 'http://localhost:9324' }, { config: WORK_PROFILE });
    expect(message).toContain('none for DynamoDB');
  });

  it('refuses a services name with no such section (the SDK would fall back to AWS)', async () => {
    const message = await refusal(['--profile', 'p'], {}, { config: '[profile p]\nservices = missing\n' });
    expect(message).toContain('no [services missing] section');
  });

  it('lets the endpoint variables beat the profile, per service first', async () => {
    const { target } = await plan(
      ['--profile', 'emulators'],
      { AWS_ENDPOINT_URL_SQS: 'http://localhost:1111' },
      { config: SERVICES_PROFILE },
    );
    expect(endpointsOf(target)).toEqual({ DynamoDB: 'http://127.0.0.1:8000', SQS: 'http://localhost:1111' });
    const both = await plan([], {
      AWS_ENDPOINT_URL: 'http://localhost:2222',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:3333',
      AWS_DEFAULT_REGION: 'ap-south-1',
    });
    expect(endpointsOf(both.target)).toEqual({ DynamoDB: 'http://localhost:3333', SQS: 'http://localhost:2222' });
    if (both.target.kind !== 'endpoints') throw new Error('unreachable');
    expect(both.target.region).toBe('ap-south-1');
    expect(both.target.profile).toBeUndefined();
  });

  it('honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: then nothing names an endpoint, and it refuses', async () => {
    const message = await refusal(['--profile', 'localstack'], { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' });
    expect(message).toContain('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS');
  });

  it('refuses an endpoint that is not an http(s) URL', async () => {
    const message = await refusal(['--profile', 'p'], {}, { config: '[profile p]\nendpoint_url = localhost:4566\n' });
    expect(message).toContain('"localhost:4566"');
  });

  it("reads the repository's own file as shipped", async () => {
    const shipped = await readSharedConfigFiles({ AWS_CONFIG_FILE: '/intercepted/none', AWS_SHARED_CREDENTIALS_FILE: '/intercepted/none' });
    expect(shipped.repo.path).toBe(REPO_CONFIG_FILE);
    expect(shipped.repo.configFile.localstack).toEqual({
      endpoint_url: 'http://localhost:4566',
      region: 'us-east-1',
      aws_access_key_id: 'test',
      aws_secret_access_key: 'test',
    });
  });
});

describe("the plan agrees with the SDK's own endpoint resolution", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  });
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, saved);
  });

  const cases: [string, string[], Record<string, string>, Parameters<typeof files>[0]][] = [
    ['the repository profile', ['--profile', 'localstack'], {}, {}],
    ['a services section', [], { AWS_PROFILE: 'emulators' }, { config: SERVICES_PROFILE }],
    [
      'a variable over a section',
      ['--profile', 'emulators'],
      { AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:5555' },
      { config: SERVICES_PROFILE },
    ],
    ['AWS_ENDPOINT_URL alone', [], { AWS_ENDPOINT_URL: 'http://localhost:4566' }, {}],
    ['the credentials file', [], { AWS_PROFILE: 'p' }, { credentials: '[p]\nendpoint_url = http://localhost:4566\n' }],
    [
      'a section over endpoint_url',
      ['--profile', 'p'],
      {},
      {
        config: '[profile p]\nendpoint_url = http://localhost:1\nservices = s\n[services s]\nsqs =\n  endpoint_url = http://localhost:2\n',
      },
    ],
  ];

  it.each(cases)('%s', async (_name, args, env, contents) => {
    const { target, env: planned } = await plan(args, env, contents);
    Object.assign(process.env, planned);
    applyEnvChanges(process.env, target.envChanges);
    const sdk = {
      DynamoDB: await new DynamoDBClient({}).config.serviceConfiguredEndpoint?.(),
      SQS: await new SQSClient({}).config.serviceConfiguredEndpoint?.(),
    };
    expect(sdk).toEqual(endpointsOf(target));
  });
});

describe('applyEnvChanges', () => {
  it('sets and removes', () => {
    const env: Record<string, string | undefined> = { AWS_PROFILE: 'work', KEEP: '1' };
    applyEnvChanges(env, { AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/f' });
    expect(env).toEqual({ KEEP: '1', AWS_CONFIG_FILE: '/f' });
  });
});

describe('the SQS client and queue URLs', () => {
  it('keeps to an endpoint the SDK configuration names, not the host a queue URL names', () => {
    expect(createSqsClient({ configuredEndpoints: true }).config.useQueueUrlAsEndpoint).toBe(false);
    expect(createSqsClient({ sqsEndpoint: 'http://localhost:1' }).config.useQueueUrlAsEndpoint).toBe(false);
    // On AWS, with no endpoint configured, the SDK's default stands.
    expect(createSqsClient({}).config.useQueueUrlAsEndpoint).toBe(true);
  });
});

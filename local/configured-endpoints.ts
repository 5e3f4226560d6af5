/**
 * Which stores `npm run dev` uses: the emulators it starts itself, or endpoints the
 * AWS SDK's ordinary configuration names (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SQS, or a shared-config profile's `endpoint_url` and `services`
 * section, as LocalStack users set up).
 *
 * The SDK itself reads the files and resolves the endpoints, region and credentials;
 * this module only decides, before anything is sent, whether what it will resolve is
 * safe for a local runtime. The local runtime never talks to AWS itself:
 *
 * - No profile named and no AWS_ENDPOINT_URL*: the embedded emulators.
 * - A profile named (`--profile`, which beats AWS_PROFILE) that is in neither of the
 *   user's files but is in this repository's `local/aws-config`: that file, through
 *   AWS_CONFIG_FILE for this process. A profile found nowhere stops the start.
 * - Endpoints for both DynamoDB and SQS: those, and no emulator.
 * - An endpoint for only one of them: the other would go to AWS; the start stops.
 * - None: AWS_PROFILE set in the shell by habit (a real account's profile) is
 *   ignored, with a warning, and the embedded emulators start; `--profile` naming such
 *   a profile is a deliberate choice that cannot be honoured, and stops the start.
 *
 * Resolution mirrors the SDK's (@smithy/core/endpoints, getEndpointUrlConfig):
 * AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the profile's services
 * section, then its endpoint_url; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or
 * ignore_configured_endpoint_urls turn all of them off. The runtime checks the
 * SDK's own answer against this one before it provisions anything.
 */
import { join, resolve } from 'node:path';
import { getHomeDir, loadSharedConfigFiles, type ParsedIniData } from '@smithy/core/config';
import { ConfigError } from '../functions/config.js';

type Env = Record<string, string | undefined>;

/** The shared-config file that ships with the repository (`[profile localstack]`). */
export const REPO_CONFIG_FILE = resolve(import.meta.dirname, 'aws-config');

/** The services the runtime needs, as the SDK names them in variables and config keys. */
export const SERVICES = [
  { name: 'DynamoDB', envName: 'AWS_ENDPOINT_URL_DYNAMODB', configKey: 'dynamodb' },
  { name: 'SQS', envName: 'AWS_ENDPOINT_URL_SQS', configKey: 'sqs' },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

/** The shared-config files as the SDK parses them (profile names without `profile `, `services.x` sections). */
export interface SharedConfigFiles {
  user: { configPath: string; credentialsPath: string; configFile: ParsedIniData; credentialsFile: ParsedIniData };
  repo: { path: string; configFile: ParsedIniData };
}

export interface NamedProfile {
  name: string;
  from: '--profile' | 'AWS_PROFILE';
  /** The config file the SDK reads it from. */
  configFile: string;
  /** True when it comes from the repository's file (AWS_CONFIG_FILE is set for this process). */
  repoFile: boolean;
}

export interface ConfiguredEndpoint {
  url: string;
  /** Where it was found, for the log and for error messages. */
  from: string;
}

export type LocalTarget =
  | {
      kind: 'emulators';
      /** Variables to set (a string) or remove (undefined) in this process before the SDK reads them. */
      envChanges: Env;
      warnings: string[];
    }
  | {
      kind: 'endpoints';
      endpoints: Record<ServiceName, ConfiguredEndpoint>;
      profile?: NamedProfile;
      /** Undefined: the SDK's own (AWS_REGION, then the profile's region); else what to pass it. */
      region: string | undefined;
      envChanges: Env;
      warnings: string[];
    };

/** `--profile NAME` or `--profile=NAME` among the command's arguments (after the script). */
export function profileArgument(args: readonly string[]): string | undefined {
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--profile') {
      name = args[i + 1];
      if (name === undefined || name.startsWith('--') || name.trim() === '') throw new ConfigError('--profile needs a profile name');
      i++;
    } else if (arg.startsWith('--profile=')) {
      name = arg.slice('--profile='.length);
      if (name.trim() === '') throw new ConfigError('--profile needs a profile name');
    }
  }
  return name;
}

/** The SDK's boolean setting: "true" or "false"; anything else is treated as unset here (the SDK refuses it). */
function flag(value: string | undefined): boolean | undefined {
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

function checkedUrl(endpoint: ConfiguredEndpoint, service: ServiceName): ConfiguredEndpoint {
  let url: URL | undefined;
  try {
    url = new URL(endpoint.url);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`the ${service} endpoint "${endpoint.url}" (${endpoint.from}) is not an http:// or https:// URL`);
  }
  return endpoint;
}

/** Decides where the local runtime's stores are; throws a ConfigError whose message says why it cannot start. */
export function planLocalTarget(args: readonly string[], env: Env, files: SharedConfigFiles): LocalTarget {
  const flagName = profileArgument(args);
  const requested =
    flagName !== undefined
      ? { name: flagName, from: '--profile' as const }
      : env.AWS_PROFILE
        ? { name: env.AWS_PROFILE, from: 'AWS_PROFILE' as const }
        : undefined;
  const envChanges: Env = {};
  const warnings: string[] = [];

  let profile: NamedProfile | undefined;
  let configFile = files.user.configFile;
  if (requested) {
    if (requested.from === '--profile') envChanges.AWS_PROFILE = requested.name;
    const inUserFiles = files.user.configFile[requested.name] !== undefined || files.user.credentialsFile[requested.name] !== undefined;
    if (inUserFiles) {
      profile = { ...requested, configFile: files.user.configPath, repoFile: false };
    } else if (files.repo.configFile[requested.name] !== undefined) {
      profile = { ...requested, configFile: files.repo.path, repoFile: true };
      configFile = files.repo.configFile;
      envChanges.AWS_CONFIG_FILE = files.repo.path;
    } else {
      throw new ConfigError(
        `AWS profile "${requested.name}" (from ${requested.from}) is not in ${files.user.configPath}, ` +
          `${files.user.credentialsPath} or ${files.repo.path}`,
      );
    }
  }

  // As the SDK merges them: the config file's keys over the credentials file's.
  const profileName = requested?.name ?? 'default';
  const settings = { ...files.user.credentialsFile[profileName], ...configFile[profileName] };
  const where = `profile "${profileName}" in ${profile?.configFile ?? files.user.configPath}`;
  const ignored = flag(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) ?? flag(settings.ignore_configured_endpoint_urls) ?? false;

  let servicesSection: Record<string, string | undefined> | undefined;
  if (settings.services !== undefined) {
    servicesSection = configFile[`services.${settings.services}`];
    if (!servicesSection) {
      // The SDK would fail to read the section and fall back to AWS's own endpoints.
      throw new ConfigError(`${where} names services = ${settings.services}, but that file has no [services ${settings.services}] section`);
    }
  }

  const found: Partial<Record<ServiceName, ConfiguredEndpoint>> = {};
  if (!ignored) {
    for (const service of SERVICES) {
      const fromServicesSection = servicesSection?.[`${service.configKey}.endpoint_url`];
      const endpoint: ConfiguredEndpoint | undefined = env[service.envName]
        ? { url: env[service.envName]!, from: service.envName }
        : env.AWS_ENDPOINT_URL
          ? { url: env.AWS_ENDPOINT_URL, from: 'AWS_ENDPOINT_URL' }
          : fromServicesSection
            ? { url: fromServicesSection, from: `${where}, [services ${settings.services}] ${service.configKey}` }
            : settings.endpoint_url
              ? { url: settings.endpoint_url, from: `${where}, endpoint_url` }
              : undefined;
      if (endpoint) found[service.name] = checkedUrl(endpoint, service.name);
    }
  }

  const anyEndpointVariable = !!env.AWS_ENDPOINT_URL || SERVICES.some((s) => !!env[s.envName]);
  if (!requested && !anyEndpointVariable) return { kind: 'emulators', envChanges, warnings };

  const missing = SERVICES.filter((s) => !found[s.name]).map((s) => s.name);
  if (missing.length === SERVICES.length) {
    if (requested?.from === 'AWS_PROFILE' && !anyEndpointVariable) {
      // Most likely a shell that always has a work profile set: the local runtime must not use that account.
      envChanges.AWS_PROFILE = undefined;
      warnings.push(
        `AWS_PROFILE=${requested.name} names no endpoints (${where}), so it would reach AWS itself: ignored here, ` +
          'starting the embedded emulators. For LocalStack use --profile localstack; see "Run against LocalStack" in the README',
      );
      return { kind: 'emulators', envChanges, warnings };
    }
    const because = ignored ? ' (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or ignore_configured_endpoint_urls is true)' : '';
    throw new ConfigError(
      `${requested ? `AWS profile "${requested.name}" (from ${requested.from}, ${where})` : 'the configuration'} names no endpoint ` +
        `for DynamoDB or SQS${because}: the local runtime does not run against AWS itself. Give the profile an endpoint_url ` +
        '(LocalStack: http://localhost:4566) or a services section with both',
    );
  }
  if (missing.length > 0) {
    const present = SERVICES.filter((s) => found[s.name]).map((s) => `${s.name} at ${found[s.name]!.url} (${found[s.name]!.from})`);
    throw new ConfigError(
      `an endpoint is configured for ${present.join(', ')} but none for ${missing.join(', ')}, which would go to AWS itself: ` +
        `the local runtime needs endpoints for both DynamoDB and SQS (${SERVICES.map((s) => s.envName).join(', ')}, ` +
        'AWS_ENDPOINT_URL, or a profile with endpoint_url or a services section naming both)',
    );
  }

  // The SDK reads AWS_REGION, then the profile's region; else it has none, and a local runtime
  // does not mind which: AWS_DEFAULT_REGION (as the CLI reads it) or us-east-1.
  const region = env.AWS_REGION || settings.region ? undefined : env.AWS_DEFAULT_REGION || 'us-east-1';
  return { kind: 'endpoints', endpoints: found as Record<ServiceName, ConfiguredEndpoint>, profile, region, envChanges, warnings };
}

/** The files the SDK would read, parsed by the SDK's own loader (a missing file is empty). */
export async function readSharedConfigFiles(env: Env, repoPath = REPO_CONFIG_FILE): Promise<SharedConfigFiles> {
  const home = (path: string) => (path.startsWith('~/') ? join(getHomeDir(), path.slice(2)) : path);
  const configPath = home(env.AWS_CONFIG_FILE || join(getHomeDir(), '.aws', 'config'));
  const credentialsPath = home(env.AWS_SHARED_CREDENTIALS_FILE || join(getHomeDir(), '.aws', 'credentials'));
  const user = await loadSharedConfigFiles({ configFilepath: configPath, filepath: credentialsPath, ignoreCache: true });
  const repo = await loadSharedConfigFiles({ configFilepath: repoPath, filepath: credentialsPath, ignoreCache: true });
  return {
    user: { configPath, credentialsPath, configFile: user.configFile, credentialsFile: user.credentialsFile },
    repo: { path: repoPath, configFile: repo.configFile },
  };
}

/** Sets and removes the plan's variables, in this process only, before any AWS client exists. */
export function applyEnvChanges(env: Env, changes: Env): void {
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
}

/**
 * docker-compose.yml cannot be run here (no Docker): it is parsed and held to the shape
 * Compose takes, and to what the repository's LocalStack profile expects of it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { REPO_CONFIG_FILE } from '../../local/configured-endpoints.js';

const text = readFileSync(resolve(import.meta.dirname, '../../docker-compose.yml'), 'utf8');

interface Service {
  image: string;
  ports: string[];
  environment: string[];
}

/** The keys of the Compose specification this file may use (top level, and a service's). */
const TOP_LEVEL = ['name', 'services', 'volumes', 'networks', 'configs', 'secrets'];
const SERVICE_KEYS = ['image', 'ports', 'environment', 'volumes', 'healthcheck', 'restart', 'container_name', 'networks', 'depends_on'];

function compose(): { services: Record<string, Service> } {
  const document = parseDocument(text, { uniqueKeys: true, strict: true });
  expect(document.errors).toEqual([]);
  expect(document.warnings).toEqual([]);
  return document.toJS() as { services: Record<string, Service> };
}

describe('docker-compose.yml', () => {
  it('is YAML Compose takes: known keys, short-syntax ports, KEY=VALUE environment', () => {
    const file = compose();
    expect(Object.keys(file).filter((k) => !TOP_LEVEL.includes(k) && !k.startsWith('x-'))).toEqual([]);
    expect(Object.keys(file.services).length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(file.services)) {
      expect(name).toMatch(/^[a-z0-9][a-z0-9_.-]*$/);
      expect(Object.keys(service).filter((k) => !SERVICE_KEYS.includes(k))).toEqual([]);
      expect(service.image).toMatch(/^[a-z0-9./_-]+:[\w.-]+$/);
      for (const port of service.ports) expect(port).toMatch(/^((\d{1,3}\.){3}\d{1,3}:)?\d{1,5}:\d{1,5}$/);
      for (const variable of service.environment) expect(variable).toMatch(/^[A-Z_][A-Z0-9_]*=/);
    }
  });

  it('runs LocalStack 4.14.0 (the last without an auth token) with DynamoDB, SQS and Scheduler', () => {
    const localstack = compose().services.localstack!;
    expect(localstack.image).toBe('localstack/localstack:4.14.0');
    const services = localstack.environment
      .find((v) => v.startsWith('SERVICES='))!
      .slice('SERVICES='.length)
      .split(',');
    expect(services.sort()).toEqual(['dynamodb', 'scheduler', 'sqs']);
  });

  it('passes LOCALSTACK_AUTH_TOKEN through, and says how to use a newer image with it', () => {
    expect(compose().services.localstack!.environment).toContain('LOCALSTACK_AUTH_TOKEN=${LOCALSTACK_AUTH_TOKEN:-}');
    const comments = text
      .split('\n')
      .filter((line) => line.trimStart().startsWith('#'))
      .join('\n');
    expect(comments).toContain('LOCALSTACK_AUTH_TOKEN');
    expect(comments).toMatch(/change the tag/);
  });

  it("publishes the port the repository's localstack profile points at", async () => {
    const { configFile } = await loadSharedConfigFiles({ configFilepath: REPO_CONFIG_FILE, filepath: REPO_CONFIG_FILE, ignoreCache: true });
    const endpoint = new URL(configFile.localstack!.endpoint_url!);
    const published = compose().services.localstack!.ports.map((p) => p.split(':').slice(-2));
    expect(published).toContainEqual([endpoint.port, '4566']);
  });
});

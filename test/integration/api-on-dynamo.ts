/**
 * The whole API app on fresh DynamoDB tables of an emulator, as the Lambda builds it
 * (buildAwsDeps), with the queue in memory so that what was sent can be read back.
 */
import { MemoryQueue } from '../../adapters/memory/memory-queue.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { allApiServices } from '../../functions/api.js';
import { createApp } from '../../functions/http/app.js';
import { buildAwsDeps } from '../../functions/wiring.js';
import { MemoryLogger } from '../helpers/factories.js';
import { freshTables } from './backends.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function apiOnDynamo(endpoint: string) {
  const { names } = await freshTables(endpoint);
  const config = {
    ...names,
    queueUrl: 'unused',
    deadLetterQueueUrl: 'unused',
    dueShards: 4,
    jobDefaults: BUILT_IN_POLICY,
    recoverAfterMs: 60_000,
    maxConcurrency: null,
  };
  const aws = buildAwsDeps(config, { clients: { region: 'us-east-1', dynamoEndpoint: endpoint, credentials }, logger: new MemoryLogger() });
  const queue = new MemoryQueue(aws.clock);
  // The queue is in memory here, so is its health probe (/health would answer 503 for the unused URL).
  const deps = { ...aws, queue, probes: { ...aws.probes, queue: () => Promise.resolve() } };
  return { app: createApp({ ...allApiServices(deps), apiKeys: ['k'], logger: deps.logger }), deps, queue };
}

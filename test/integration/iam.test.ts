/**
 * Least privilege that still works: each function's flows run on the emulators
 * through metered clients, and every AWS action they called must be one infra
 * grants that function. A new call path without its permission fails here, not
 * in a deployed Lambda.
 */
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { createSqsClient } from '../../adapters/aws/clients.js';
import { AwsMeter } from '../../adapters/aws/metering.js';
import { recoverLost } from '../../core/dispatch/recovery.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { runTick } from '../../core/dispatch/tick.js';
import { createDeadLetterHandler } from '../../functions/dead-letter.js';
import { allApiServices } from '../../functions/api.js';
import { createApp } from '../../functions/http/app.js';
import { buildAwsDeps } from '../../functions/wiring.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { MemoryLogger } from '../helpers/factories.js';
import { FixedTickSchedule } from '../../adapters/memory/memory-tick-log.js';
import { loadInfra } from '../helpers/sst-stand-ins.js';
import { dynamoBackends, freshQueue, freshTables } from './backends.js';

const backend = dynamoBackends().find((b) => b.endpoint !== null)!;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The IAM action an SDK operation needs: SQS's batch calls are granted by their single forms. */
const actionOf = (operation: string) => {
  const [service, name] = operation.split('.') as [string, string];
  return service === 'SQS' ? `sqs:${name.replace(/Batch$/, '')}` : `dynamodb:${name}`;
};

const event = (messages: Message[]): SQSEvent => ({
  Records: messages.map(
    (m) =>
      ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: { ApproximateReceiveCount: '1' },
      }) as unknown as SQSRecord,
  ),
});

describe(`IAM on ${backend.name} and local-aws-sqs`, () => {
  it('grants each function every action its code calls', async () => {
    const { names } = await freshTables(backend.endpoint!);
    const { queueUrl, deadLetterQueueUrl } = await freshQueue({ visibilityTimeoutSeconds: 30, maxReceiveCount: 50 });
    const config = {
      ...names,
      queueUrl,
      deadLetterQueueUrl,
      dueShards: 4,
      jobDefaults: BUILT_IN_POLICY,
      recoverAfterMs: 1_000,
      maxConcurrency: null,
    };
    const meters = { api: new AwsMeter(), tick: new AwsMeter(), worker: new AwsMeter(), deadLetters: new AwsMeter() };
    const depsFor = (meter: AwsMeter) =>
      buildAwsDeps(config, {
        clients: { region: 'us-east-1', dynamoEndpoint: backend.endpoint!, sqsEndpoint: inject('sqsEndpoint'), credentials, meter },
        logger: new MemoryLogger(),
      });
    const sqs = createSqsClient({ region: 'us-east-1', sqsEndpoint: inject('sqsEndpoint'), credentials });
    const receive = async (url: string) =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];

    const api = depsFor(meters.api);
    // EventBridge Scheduler is not metered here (no emulator); its actions are listed in the README.
    api.tickSchedule = new FixedTickSchedule();
    const app = createApp({ ...allApiServices(api), apiKeys: ['k'], logger: api.logger });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>);
    };
    const soon = new Date(Date.now() + 1_500).toISOString();
    const steady = (await call('POST', '/v1/jobs', { name: 'steady', schedule: { cron: '* * * * * *' }, handler: 'noop' })) as
      { id: string } | undefined;
    await call('POST', '/v1/jobs', { name: 'dies', schedule: { at: soon }, handler: 'fail', retry: { maxAttempts: 1 } });
    await call('POST', '/v1/jobs', {
      name: 'retries',
      schedule: { at: soon },
      handler: 'fail',
      retry: { maxAttempts: 3, initialDelay: '1s' },
    });
    await call('GET', '/v1/jobs');
    await call('GET', `/v1/jobs/${steady!.id}`);
    await call('GET', `/v1/jobs/${steady!.id}/preview`);
    await call('POST', '/v1/preview', { schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' }, count: 2 });
    await call('PATCH', `/v1/jobs/${steady!.id}`, { status: 'paused' });
    await call('PATCH', `/v1/jobs/${steady!.id}`, { status: 'active' });
    // A limit makes the worker below take concurrency slots.
    await call('PUT', '/v1/config', { maxConcurrency: 50, jobDefaults: {}, retentionDays: 30 });
    await call('GET', '/v1/config');
    await call('GET', '/health');
    await call('POST', '/v1/scheduler/pause', { by: 'iam' });
    await call('POST', '/v1/jobs', { name: 'while-paused', schedule: { every: '1h' }, handler: 'noop' });
    await call('POST', '/v1/scheduler/resume');

    const tick = depsFor(meters.tick);
    await runTick(tick);
    const later = { now: () => new Date(Date.now() + 10 * 60_000) };
    await recoverLost({ ...tick, clock: later }, tick.settings.recovery);

    // The worker as the event source runs it: bundles, a dead one, a retry that comes back early.
    const worker = createWorkerHandler(depsFor(meters.worker));
    // Until the dead one is parked (behind the every-second job's bundles), within bounds.
    let dead: Message[] = [];
    for (let round = 0; round < 40 && dead.length === 0; round++) {
      const messages = await receive(queueUrl);
      if (messages.length > 0) await worker(event(messages));
      dead = await sqs
        .send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
        .then((o) => o.Messages ?? []);
    }
    expect(dead.length).toBeGreaterThan(0);
    await createDeadLetterHandler(depsFor(meters.deadLetters))(event(dead));

    const letters = (await call('GET', '/v1/dead-letters'))!.deadLetters as { id: string }[];
    expect(letters.length).toBeGreaterThan(0);
    await call('POST', '/v1/dead-letters/redrive', { ids: [String(letters[0]!.id)] });
    await call('GET', `/v1/jobs/${steady!.id}/executions`);
    const listed = (await call('GET', '/v1/executions?limit=5'))!.executions as { id: string }[];
    if (listed[0]) await call('GET', `/v1/executions/${listed[0].id}`);
    await call('GET', '/v1/stats');
    await call('POST', '/v1/cleanup', { before: new Date(Date.now() + 86_400_000).toISOString() });
    await call('DELETE', `/v1/jobs/${steady!.id}`);
    await call('GET', '/v1/status');

    const { find } = await loadInfra();
    const granted = (fn: { permissions: { actions: string[] }[] }) => new Set(fn.permissions.flatMap((p) => p.actions));
    const functions = {
      api: find('Function', 'Api').args,
      tick: find('CronV2', 'Tick').args.function,
      worker: find('Queue', 'Work').subscription!.subscriber,
      deadLetters: find('Queue', 'WorkDeadLetters').subscription!.subscriber,
    };
    for (const [name, meter] of Object.entries(meters) as [keyof typeof meters, AwsMeter][]) {
      const used = [...new Set(Object.keys(meter.snapshot().requests).map(actionOf))].sort();
      expect(used.length, `${name} called AWS`).toBeGreaterThan(0);
      const allowed = granted(functions[name]);
      expect(
        used.filter((a) => !allowed.has(a)),
        `${name}: actions it calls without a grant`,
      ).toEqual([]);
    }
  }, 60_000);
});

/**
 * Breaking things on purpose, on the real emulators (DynamoDB Local when Java is
 * present, else dynalite; local-aws-sqs). Each test counts handler runs per
 * occurrence and reads the ledger: nothing lost, nothing run twice.
 */
import { memoryRuntimePorts } from '../../adapters/memory/memory-settings-store.js';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDispatchLog } from '../../adapters/aws/dynamo-dispatch-log.js';
import { DynamoBundleClaims } from '../../adapters/aws/dynamo-bundle-claims.js';
import { DynamoDueIndex } from '../../adapters/aws/dynamo-due-index.js';
import { DynamoExecutionStore } from '../../adapters/aws/dynamo-execution-store.js';
import { DynamoJobStore } from '../../adapters/aws/dynamo-job-store.js';
import { SqsQueue } from '../../adapters/aws/sqs-queue.js';
import { realSleep, systemClock } from '../../adapters/system-clock.js';
import { HandlerRegistry } from '../../core/execution/handlers.js';
import { BUILT_IN_POLICY } from '../../core/jobs/policies.js';
import { DEFAULT_TICK_SETTINGS, runTick } from '../../core/dispatch/tick.js';
import type { SchedulerDeps } from '../../functions/wiring.js';
import { createWorkerHandler } from '../../functions/worker.js';
import { aJob, MemoryLogger } from '../helpers/factories.js';
import { addJob } from '../helpers/memory-deps.js';
import { dynamoBackends, freshQueue, freshTables } from './backends.js';

const backend = dynamoBackends().find((b) => b.endpoint !== null)!;
const hanging: (() => void)[] = [];
afterEach(() => hanging.splice(0).forEach((release) => release()));

async function realDeps(options: { visibilityTimeoutSeconds?: number } = {}) {
  const { db, names } = await freshTables(backend.endpoint!);
  const { sqs, queueUrl, deadLetterQueueUrl } = await freshQueue({
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    maxReceiveCount: 50,
  });
  const runs = new Map<string, number>();
  const handlers = new HandlerRegistry({
    count: (_payload, ctx) => void runs.set(`${ctx.jobId}@${ctx.scheduledFor}`, (runs.get(`${ctx.jobId}@${ctx.scheduledFor}`) ?? 0) + 1),
  });
  const deps: SchedulerDeps = {
    jobs: new DynamoJobStore(db, names.jobsTable),
    due: new DynamoDueIndex(db, names.executionsTable, 4),
    claims: new DynamoBundleClaims(db, names.executionsTable),
    executions: new DynamoExecutionStore(db, names.executionsTable),
    queue: new SqsQueue(sqs, queueUrl, deadLetterQueueUrl),
    dispatchLog: new DynamoDispatchLog(db, names.executionsTable),
    clock: systemClock,
    logger: new MemoryLogger(),
    handlers,
    newId: () => crypto.randomUUID(),
    sleep: realSleep,
    random: Math.random,
    jobDefaults: BUILT_IN_POLICY,
    ...memoryRuntimePorts(BUILT_IN_POLICY, systemClock),
    settings: DEFAULT_TICK_SETTINGS,
  };
  const receive = async (waitSeconds = 0): Promise<Message[]> =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }))).Messages ??
    [];
  const event = (messages: Message[]): SQSEvent => ({
    Records: messages.map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }) as SQSRecord),
  });
  const acknowledge = async (messages: Message[], response: SQSBatchResponse) => {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };
  /** Plays the event source: delivers until the queue stays empty. */
  const drain = async (worker = createWorkerHandler(deps)) => {
    for (let empty = 0; empty < 3;) {
      const messages = await receive(0);
      if (messages.length === 0) {
        empty++;
        await realSleep(100);
        continue;
      }
      empty = 0;
      await acknowledge(messages, await worker(event(messages)));
    }
  };
  return { deps, runs, receive, event, acknowledge, drain };
}

/** Jobs that are due now, each with one occurrence in the window (hourly, 10 s overdue). */
async function dueJobs(deps: SchedulerDeps, count: number, policy = BUILT_IN_POLICY) {
  const due = Date.now() - 10_000;
  const jobs = Array.from({ length: count }, () =>
    aJob({
      schedule: { every: '1h' },
      handler: 'count',
      policy,
      nextRunAt: new Date(due).toISOString(),
      createdAt: new Date(due - 3_600_000).toISOString(),
    }),
  );
  for (const job of jobs) await addJob(deps, job);
  return jobs;
}

describe(`crash tests on ${backend.name} and local-aws-sqs`, () => {
  it('a tick killed between sending and moving its progress, then run again: each occurrence runs exactly once', async () => {
    const { deps, runs, drain } = await realDeps();
    const jobs = await dueJobs(deps, 12);
    const killed = {
      ...deps,
      due: Object.assign(Object.create(deps.due), {
        advance: async () => {
          throw new Error('killed');
        },
      }),
    };

    await expect(runTick(killed)).rejects.toThrow('killed');
    const again = await runTick(deps);
    expect(again.sent).toBe(12); // sent a second time: the progress never moved
    await drain();

    expect([...runs.values()]).toEqual(Array(12).fill(1));
    for (const job of jobs) {
      const { items } = await deps.executions.listForJob(job.id, { limit: 10 });
      expect(items.map((e) => [e.status, e.attempt])).toEqual([['succeeded', 1]]);
    }
  });

  it.each([2, 3])('%i ticks at the same instant: each occurrence runs once', async (ticks) => {
    const { deps, runs, drain } = await realDeps();
    await dueJobs(deps, 10);
    const results = await Promise.all(Array.from({ length: ticks }, () => runTick(deps)));
    // Every tick that read the slot before another moved the progress sent it too.
    expect(results.some((r) => r.sent === 10)).toBe(true);
    await drain();
    expect(runs.size).toBe(10);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it('the same message delivered twice at once runs its handler once', async () => {
    const { deps, runs, receive, event, acknowledge } = await realDeps();
    const [job] = await dueJobs(deps, 1);
    await runTick(deps);
    const [message] = await receive(1);
    const worker = createWorkerHandler(deps);
    const responses = await Promise.all([worker(event([message!])), worker(event([message!]))]);
    expect(runs.get(`${job!.id}@${job!.nextRunAt}`)).toBe(1);
    // The other delivery found it running (and asked to come back) or finished (and was dropped).
    expect(responses.filter((r) => r.batchItemFailures.length === 0).length).toBeGreaterThanOrEqual(1);
    expect(await deps.executions.get(job!.id, job!.nextRunAt!)).toMatchObject({ status: 'succeeded', attempt: 1 });
    await acknowledge([message!], responses[0]);
  });

  it('a worker killed while its handler runs: the message comes back after the visibility timeout and runs as attempt 2', async () => {
    const { deps, runs, receive, event, acknowledge } = await realDeps({ visibilityTimeoutSeconds: 2 });
    const [job] = await dueJobs(deps, 1, { ...BUILT_IN_POLICY, timeoutMs: 1_000 });
    const key = `${job!.id}@${job!.nextRunAt}`;
    await runTick(deps);

    // Worker 1 starts the handler and dies: it never records an outcome, never deletes the message.
    const dying = () => new Promise<never>(() => hanging.push(() => undefined));
    const killed = { ...deps, executions: Object.assign(Object.create(deps.executions), { complete: dying, recordOutcomes: dying }) };
    const [message] = await receive(1);
    void createWorkerHandler(killed)(event([message!]));
    const started = Date.now();
    while (!runs.has(key)) await realSleep(20);
    expect(await deps.executions.get(job!.id, job!.nextRunAt!)).toBeUndefined();

    // SQS shows the message again every 2 s; while worker 1's claim (timeout 1 s + 5 s margin) lives, it is put back.
    const worker = createWorkerHandler(deps);
    let putBack = 0;
    for (let finished = false; !finished && Date.now() - started < 20_000;) {
      const messages = await receive(1);
      if (messages.length === 0) continue;
      const response = await worker(event(messages));
      await acknowledge(messages, response);
      finished = response.batchItemFailures.length === 0;
      if (!finished) putBack++;
    }
    expect(putBack).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(6_000);
    // Run once by the worker that died, and once more after the lease: attempt 2 succeeded.
    expect(runs.get(key)).toBe(2);
    expect(await deps.executions.get(job!.id, job!.nextRunAt!)).toMatchObject({ status: 'succeeded', attempt: 2 });
  }, 30_000);
});

/**
 * What one execution costs, end to end on the emulators: the tick sends due
 * occurrences, a worker (as the Lambda event source would) runs them, recovery
 * later checks and clears what the tick logged, and the meter counts every AWS
 * request and capacity unit. Priced with the list prices
 * in shared/design.md (us-east-1).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { requestCount } from '../adapters/aws/metering.js';
import { recoverLost } from '../core/dispatch/recovery.js';
import { runTick } from '../core/dispatch/tick.js';
import { createWorkerHandler } from '../functions/worker.js';
import { parseBundle } from '../core/execution/messages.js';
import { benchJob, loadJobs, type BenchEnvironment } from './environment.js';

export const PRICES = {
  sqsPerMillionRequests: 0.4,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  lambdaPerMillionRequests: 0.2,
  /** 128 MB: $0.0000166667 per GB-second. */
  lambdaPerMs128Mb: 0.0000166667 / 8 / 1000,
};

export interface CostFigures {
  executions: number;
  usdPerMillionExecutions: number;
  requestsPerExecution: number;
  writeUnitsPerExecution: number;
  readUnitsPerExecution: number;
  /** USD per million executions, by what it pays for. */
  breakdown: Record<string, number>;
  requestsByOperation: Record<string, number>;
  workerMsPerBatch: number;
  /** Set when the cost was measured alone (`--only cost`), after the rest of the results. */
  measuredAt?: string;
}

/**
 * `executions` hourly jobs whose occurrences fall evenly over the coming minute
 * (one tick sends them all), run as they come due: bundles as full as a steady
 * load of that size makes them, not as full as a burst would.
 */
export async function measureCost(env: BenchEnvironment, executions: number): Promise<CostFigures> {
  const start = Math.floor(Date.now() / 1000) * 1000 - 1_000;
  await loadJobs(
    env,
    Array.from({ length: executions }, (_, i) => benchJob(new Date(start + (i % 60) * 1000))),
  );
  env.meter.reset();

  const tick = await runTick(env.deps);
  const worker = createWorkerHandler(env.deps);
  let done = 0;
  let batches = 0;
  let workerMs = 0;
  const deadline = Date.now() + 180_000;
  while (done < tick.sent && Date.now() < deadline) {
    // A short long-poll, as the event source's pollers do: empty receives are billed too.
    const out = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: env.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) continue;
    const started = performance.now();
    const response = await worker({
      Records: messages.map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }) as SQSRecord),
    });
    workerMs += performance.now() - started;
    batches++;
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const finished = messages.filter((m) => !failed.has(m.MessageId!));
    // The event source deletes what the worker finished; AWS bills these as SQS requests too.
    if (finished.length > 0) {
      await env.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: env.queueUrl,
          Entries: finished.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    // A message is one occurrence, or a bundle of them.
    done += finished.reduce((n, m) => n + (parseBundle(m.Body!)?.occurrences.length ?? 1), 0);
  }
  if (done < tick.sent) throw new Error(`only ${done} of ${tick.sent} executions finished`);
  // Minutes later recovery reads the dispatch log's entries, checks the ledger and removes them: part of each execution's cost.
  const recovery = env.deps.settings.recovery;
  const later = { now: () => new Date(Date.now() + recovery.staleAfterMs + 60_000) };
  while ((await recoverLost({ ...env.deps, clock: later }, recovery)).entries > 0);

  const usage = env.meter.reset();
  const sqsRequests = requestCount(usage, 'SQS.');
  const dynamoRequests = requestCount(usage, 'DynamoDB.');
  const perMillion = 1_000_000 / done;
  const workerMsPerBatch = workerMs / batches;
  const breakdown = {
    sqs: sqsRequests * perMillion * (PRICES.sqsPerMillionRequests / 1_000_000),
    dynamoWrites: usage.writeUnits * perMillion * (PRICES.dynamoPerMillionWriteUnits / 1_000_000),
    dynamoReads: usage.readUnits * perMillion * (PRICES.dynamoPerMillionReadUnits / 1_000_000),
    // One worker invocation per batch; its duration as measured here (the tick's minute-ly run is negligible per execution).
    lambdaRequests: batches * perMillion * (PRICES.lambdaPerMillionRequests / 1_000_000),
    lambdaDuration: batches * perMillion * workerMsPerBatch * PRICES.lambdaPerMs128Mb,
  };
  const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    executions: done,
    usdPerMillionExecutions: round(Object.values(breakdown).reduce((a, b) => a + b, 0)),
    requestsPerExecution: round((sqsRequests + dynamoRequests) / done),
    writeUnitsPerExecution: round(usage.writeUnits / done),
    readUnitsPerExecution: round(usage.readUnits / done),
    breakdown: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, round(v)])),
    requestsByOperation: usage.requests,
    workerMsPerBatch: round(workerMsPerBatch, 1),
  };
}

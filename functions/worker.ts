/**
 * Lambda entry point for the SQS worker. Each record is one occurrence; the ones
 * that fail go back in `batchItemFailures` so SQS redelivers only them.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { executeOccurrence } from '../core/executor.js';
import { occurrenceSchema } from '../core/occurrence.js';
import { loadConfig } from './config.js';
import { buildAwsDeps, type SchedulerDeps } from './wiring.js';

/** How long the worker waits for a message that SQS released before its instant. */
const MAX_EARLY_WAIT_MS = 5_000;

export function createWorkerHandler(deps: SchedulerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const processRecord = async (record: SQSRecord): Promise<boolean> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const occurrence = occurrenceSchema.safeParse(body);
    if (!occurrence.success) {
      // Left to fail until the redrive policy parks it in the DLQ, where people can see it.
      deps.logger.error('message is not an occurrence', { messageId: record.messageId });
      return false;
    }
    try {
      const result = await executeOccurrence(occurrence.data, { ...deps, maxEarlyWaitMs: MAX_EARLY_WAIT_MS });
      return result === 'succeeded' || result === 'duplicate';
    } catch (error) {
      deps.logger.error('occurrence could not be processed', {
        messageId: record.messageId,
        jobId: occurrence.data.jobId,
        scheduledFor: occurrence.data.scheduledFor,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      return false;
    }
  };

  return async (event) => {
    const results = await Promise.all(event.Records.map(processRecord));
    return {
      batchItemFailures: event.Records.filter((_, i) => !results[i]).map((r) => ({ itemIdentifier: r.messageId })),
    };
  };
}

let worker: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  worker ??= createWorkerHandler(buildAwsDeps(loadConfig(process.env)));
  return worker(event);
};

/**
 * Lambda entry point for the dead-letter queue's consumer. Whatever reaches the
 * DLQ ends up in the ledger as dead: the worker's own dead letters are there
 * already; messages SQS moved itself (maxReceiveCount, for example after workers
 * died mid-attempt) are recorded here. Unreadable messages stay in the DLQ.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { encodeOccurrence } from '../core/execution/occurrence.js';
import { loadConfig } from './config.js';
import { buildAwsDeps, type SchedulerDeps } from './wiring.js';
import { parseBundle, parseOccurrence } from '../core/execution/messages.js';

export function createDeadLetterHandler(
  deps: Pick<SchedulerDeps, 'executions' | 'clock' | 'logger'>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const failures: string[] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        // A bundle that reached the DLQ is recorded member by member; finished ones are left alone.
        const single = parseOccurrence(record.body);
        const occurrences = single ? [single] : (parseBundle(record.body)?.occurrences ?? []);
        if (occurrences.length === 0) {
          deps.logger.error('dead-letter message is not an occurrence; left in the DLQ', { messageId: record.messageId });
          failures.push(record.messageId);
          return;
        }
        try {
          for (const occurrence of occurrences) {
            const recorded = await deps.executions.recordArrivalInDeadLetters({
              jobId: occurrence.jobId,
              scheduledFor: occurrence.scheduledFor,
              jobName: occurrence.jobName,
              handler: occurrence.handler,
              at: deps.clock.now().toISOString(),
              occurrence: encodeOccurrence(occurrence),
            });
            const log = { jobId: occurrence.jobId, jobName: occurrence.jobName, scheduledFor: occurrence.scheduledFor };
            if (recorded) deps.logger.warn('occurrence reached the dead-letter queue; recorded as dead', log);
            else deps.logger.info('dead letter already recorded', log);
          }
        } catch (error) {
          deps.logger.error('dead letter could not be recorded', { messageId: record.messageId, error: String(error) });
          failures.push(record.messageId);
        }
      }),
    );
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let consumer: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  consumer ??= createDeadLetterHandler(buildAwsDeps(loadConfig(process.env)));
  return consumer(event);
};

/**
 * Lambda entry point for the SQS worker. A record is a bundle of first attempts
 * (see core/execution/bundle-executor.ts) or one occurrence (a retry, a redrive, one queued
 * behind a running one). A failed single attempt hides its message for the
 * backoff and goes back in `batchItemFailures`, so SQS redelivers only it, when the
 * backoff ends; a dead one is parked in the dead-letter queue and acknowledged.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { looksLikeBundle, type Bundle } from '../core/execution/bundle.js';
import { parseBundle, parseOccurrence } from '../core/execution/messages.js';
import { executeBundle, type BundleDelivery } from '../core/execution/bundle-executor.js';
import { executeOccurrence, type ExecutionResult } from '../core/execution/occurrence-executor.js';
import { waitForSlot } from '../core/execution/concurrency.js';
import { MAX_EARLY_WAIT_SECONDS, RESEND_AFTER_RECEIVES } from '../core/kernel/limits.js';
import type { Occurrence } from '../core/execution/occurrence.js';
import { StoreUnavailableError } from '../core/kernel/errors.js';
import { loadConfig } from './config.js';
import { buildAwsDeps, type SchedulerDeps } from './wiring.js';

/** How soon a message comes back when the store was unavailable for it. */
export const RETRY_UNAVAILABLE_SECONDS = 5;

/** Tells two deliveries of one message apart (each receive has its own receipt handle), in a few bytes. */
function deliveryOf(record: SQSRecord): BundleDelivery {
  return {
    id: createHash('sha256').update(record.receiptHandle).digest('base64url').slice(0, 12),
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1,
  };
}

export interface WorkerOptions {
  /** Receives after which a message waiting for a concurrency slot goes out again as a fresh copy (tests lower it). */
  resendAfterReceives?: number;
}

export function createWorkerHandler(deps: SchedulerDeps, options: WorkerOptions = {}): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const executorDeps = { ...deps, maxEarlyWaitMs: MAX_EARLY_WAIT_SECONDS * 1000 };

  /**
   * No concurrency slot was free: no attempt was made. Comes back after a short
   * backoff; after many receives, as a fresh copy instead (see core/execution/concurrency.ts),
   * so that SQS's maxReceiveCount never parks a message that only waited.
   */
  const awaitSlot = async (record: SQSRecord, sendCopy: () => Promise<void>): Promise<boolean> => {
    const wait = waitForSlot(deliveryOf(record).receiveCount ?? 1, deps.random, options.resendAfterReceives ?? RESEND_AFTER_RECEIVES);
    if (wait.resend) {
      try {
        await sendCopy();
        deps.logger.info('still no concurrency slot; sent the message again as a fresh copy', { messageId: record.messageId });
        return true;
      } catch (error) {
        deps.logger.warn('could not send a fresh copy; postponing this one', { messageId: record.messageId, error: String(error) });
      }
    }
    await deps.queue
      .postpone(record.receiptHandle, wait.delaySeconds)
      .catch((error: unknown) =>
        deps.logger.warn('could not postpone; the visibility timeout applies', { messageId: record.messageId, error: String(error) }),
      );
    return false;
  };

  /** True when the message is done with (acknowledge it); false to have SQS deliver it again. */
  const settle = async (record: SQSRecord, occurrence: Occurrence, result: ExecutionResult): Promise<boolean> => {
    switch (result.kind) {
      case 'succeeded':
      case 'duplicate':
      case 'skipped':
      case 'queued':
        return true;
      case 'in-progress':
        return false;
      case 'no-slot':
        return awaitSlot(record, () => deps.queue.send([{ ...occurrence, delaySeconds: 0 }]));
      case 'retry':
        // If this fails, the message still comes back, after the queue's visibility timeout.
        await deps.queue.postpone(record.receiptHandle, result.delayMs / 1000).catch((error: unknown) =>
          deps.logger.warn('could not set the backoff; the visibility timeout applies', {
            messageId: record.messageId,
            error: String(error),
          }),
        );
        return false;
      case 'dead':
        await deps.queue.sendToDeadLetters(occurrence, result.reason);
        return true;
    }
  };

  /**
   * The store was unavailable (throttled, overloaded, timed out): try again in a few
   * seconds rather than after the whole visibility timeout. Whatever this delivery had
   * claimed stays held under its lease, so an early return changes nothing for it.
   */
  const comeBackSoon = async (record: SQSRecord, error: unknown): Promise<void> => {
    if (!(error instanceof StoreUnavailableError)) return;
    await deps.queue.postpone(record.receiptHandle, RETRY_UNAVAILABLE_SECONDS).catch(() => undefined);
  };

  const processBundle = async (record: SQSRecord, bundle: Bundle): Promise<boolean> => {
    try {
      const result = await executeBundle(bundle, deliveryOf(record), executorDeps);
      if (result.waitingForSlots > 0) return await awaitSlot(record, () => deps.queue.sendBundles([bundle]));
      return !result.comeBack;
    } catch (error) {
      deps.logger.error('bundle could not be processed', {
        messageId: record.messageId,
        group: bundle.group,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      await comeBackSoon(record, error);
      return false;
    }
  };

  const processRecord = async (record: SQSRecord): Promise<boolean> => {
    const bundle = looksLikeBundle(record.body) ? parseBundle(record.body) : undefined;
    if (bundle) return processBundle(record, bundle);
    const occurrence = parseOccurrence(record.body);
    if (!occurrence) {
      // Left to fail until the redrive policy parks it in the DLQ, where people can see it.
      deps.logger.error('message is not an occurrence', { messageId: record.messageId });
      return false;
    }
    try {
      return await settle(record, occurrence, await executeOccurrence(occurrence, executorDeps, { slotHolder: deliveryOf(record).id }));
    } catch (error) {
      await comeBackSoon(record, error);
      deps.logger.error('occurrence could not be processed', {
        messageId: record.messageId,
        jobId: occurrence.jobId,
        scheduledFor: occurrence.scheduledFor,
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

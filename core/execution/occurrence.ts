/** One occurrence of a job: the unit the tick sends and the worker runs. */
import { z } from 'zod';
import { jsonValue } from '../kernel/json-value.js';
import { plainText } from '../kernel/text.js';
import { escapeForSqs } from '../kernel/queue-limits.js';

/** Who asked for a manual run and why, as free text. */
export const manualTrigger = z
  .object({
    by: plainText(200).optional(),
    reason: plainText(500).optional(),
  })
  .strict();

export type ManualTrigger = z.infer<typeof manualTrigger>;

export const occurrenceSchema = z.object({
  jobId: z.string().min(1),
  jobName: z.string().min(1),
  handler: z.string().min(1),
  /** Kept as the user gave it, `__proto__` keys included (see json-value.ts). */
  payload: jsonValue,
  /** The instant this occurrence is for (UTC ISO); with jobId, the occurrence key. */
  scheduledFor: z.iso.datetime(),
  /** The job's policy when the occurrence was sent: how often to try, how long each try may take. */
  maxAttempts: z.number().int().min(1),
  retry: z.object({
    initialDelayMs: z.number().min(0),
    maxDelayMs: z.number().min(0),
    multiplier: z.number().min(1),
    jitter: z.enum(['full', 'none']),
  }),
  timeoutMs: z.number().int().min(1),
  overlap: z.enum(['allow', 'skip', 'queue-one']).default('allow'),
  /** Set on a manual run (POST /v1/jobs/{id}/trigger): who asked and why, kept on its ledger record. */
  trigger: manualTrigger.optional(),
  /** Set on a redriven dead letter: the token the ledger expects before it runs it again. */
  redriveId: z.string().optional(),
});

export type Occurrence = z.input<typeof occurrenceSchema> & {
  /**
   * Not part of the message body. 0 asks the queue to deliver at once (a retry, a
   * redrive); otherwise the queue hides the message until `scheduledFor`, and this is
   * the delay the planner reckoned when it planned (kept for tests and logs).
   */
  delaySeconds?: number;
};

export function occurrenceKey(o: { jobId: string; scheduledFor: string }): string {
  return `${o.jobId}@${o.scheduledFor}`;
}

/** The message body: everything but the transport's delay, in characters SQS takes (see escapeForSqs). */
export function encodeOccurrence(o: Occurrence): string {
  const { delaySeconds: _delay, ...body } = o;
  return escapeForSqs(JSON.stringify(body));
}

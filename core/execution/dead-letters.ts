/**
 * Dead letters: occurrences that ran out of attempts. Listed from the ledger;
 * redriven by arming the ledger record with a token and then sending the message
 * with it, so a redrive that dies half-way leaves the dead letter listed (and
 * redrivable again), never lost and never run twice.
 */
import { z } from 'zod';
import type { HandlerRegistry } from './handlers.js';
import { ValidationError } from '../kernel/errors.js';
import { deadLetterId, parseDeadLetterId, type Execution } from './ledger-record.js';
import { payloadSizeProblem } from '../jobs/job.js';
import { zodProblems } from '../kernel/field-problems.js';
import { jsonValue } from '../kernel/json-value.js';
import { occurrenceSchema, type Occurrence } from './occurrence.js';
import type { Clock, Logger, Page } from '../kernel/ports.js';
import type { ExecutionStore, Queue } from './ports.js';

export interface DeadLetter {
  id: string;
  jobId: string;
  jobName: string;
  handler: string;
  scheduledFor: string;
  attempts: number;
  diedAt: string;
  reason: string;
  error?: { name: string; message: string };
  payload: unknown;
}

export const MAX_REDRIVE_PER_REQUEST = 1_000;
/** A request sends for at most this long (the API's Lambda has 29 s); the rest is returned as `remaining`. */
export const REDRIVE_SECONDS_PER_REQUEST = 20;

export const redriveRequest = z
  .object({
    // A dead letter's id is the base64url of its key, never this long (DynamoDB refuses keys over 2 KiB).
    ids: z.array(z.string().min(1).max(1024)).min(1).max(MAX_REDRIVE_PER_REQUEST).optional(),
    all: z.literal(true).optional(),
    /** Replaces the payload of every redriven occurrence. */
    payload: jsonValue.optional(),
    /** Messages sent per second at most. */
    ratePerSecond: z.number().int().min(1).max(500).default(50),
  })
  .strict()
  .refine((r) => (r.ids === undefined) !== (r.all === undefined), { message: 'give either "ids" or "all": true', path: [] });

export interface RedriveResult {
  redriven: string[];
  notFound: string[];
  /** Ids not attempted in this request (the rate allows only so many); send them again. */
  remaining: string[];
  /** True when `all` stopped at the per-request limit and more dead letters remain. */
  more: boolean;
}

export interface DeadLetterDeps {
  executions: ExecutionStore;
  queue: Queue;
  clock: Clock;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  newId: () => string;
  /** To check a replacement payload against each dead letter's handler before anything is sent. */
  handlers?: Pick<HandlerRegistry, 'payloadProblems'>;
}

function storedOccurrence(record: Execution): Occurrence | undefined {
  if (!record.occurrence) return undefined;
  const parsed = occurrenceSchema.safeParse(JSON.parse(record.occurrence));
  return parsed.success ? parsed.data : undefined;
}

function toDeadLetter(record: Execution): DeadLetter {
  return {
    id: deadLetterId(record),
    jobId: record.jobId,
    jobName: record.jobName,
    handler: record.handler,
    scheduledFor: record.scheduledFor,
    attempts: record.attempt - (record.attemptBase ?? 0),
    diedAt: record.diedAt ?? record.finishedAt ?? record.startedAt,
    reason: record.deadReason ?? 'attempts-exhausted',
    ...(record.error ? { error: record.error } : {}),
    payload: storedOccurrence(record)?.payload ?? null,
  };
}

export class DeadLetterService {
  constructor(private readonly deps: DeadLetterDeps) {}

  async list(options: { limit: number; next?: string }): Promise<Page<DeadLetter>> {
    const page = await this.deps.executions.listDead(options);
    return { items: page.items.map(toDeadLetter), ...(page.next ? { next: page.next } : {}) };
  }

  async discard(id: string): Promise<boolean> {
    const key = parseDeadLetterId(id);
    return key ? this.deps.executions.discard(key, this.deps.clock.now().toISOString()) : false;
  }

  async redrive(raw: unknown): Promise<RedriveResult> {
    const parsed = redriveRequest.safeParse(raw);
    if (!parsed.success) throw new ValidationError('the redrive request is not valid', zodProblems(parsed.error));
    const request = parsed.data;
    const tooLarge = request.payload === undefined ? undefined : payloadSizeProblem(request.payload);
    if (tooLarge) throw new ValidationError('the redrive request is not valid', [tooLarge]);
    const result: RedriveResult = { redriven: [], notFound: [], remaining: [], more: false };

    let ids = request.ids ?? [];
    if (request.all) {
      const page = await this.deps.executions.listDead({ limit: MAX_REDRIVE_PER_REQUEST });
      ids = page.items.map(deadLetterId);
      result.more = page.next !== undefined;
    }
    const budget = request.ratePerSecond * REDRIVE_SECONDS_PER_REQUEST;
    result.remaining = ids.slice(budget);
    ids = ids.slice(0, budget);
    if (result.remaining.length > 0) result.more = true;
    if (request.payload !== undefined) await this.checkPayload(ids, request.payload);
    const intervalMs = 1000 / request.ratePerSecond;
    const startedAt = this.deps.clock.now().getTime();
    for (const [i, id] of ids.entries()) {
      // Bounded rate: the i-th message goes no sooner than i / rate seconds after the first.
      const wait = startedAt + i * intervalMs - this.deps.clock.now().getTime();
      if (wait > 0) await this.deps.sleep(wait);
      if (await this.redriveOne(id, request.payload)) result.redriven.push(id);
      else result.notFound.push(id);
    }
    this.deps.logger.info('dead letters redriven', { redriven: result.redriven.length, notFound: result.notFound.length });
    return result;
  }

  /**
   * A replacement payload must fit the handler of every dead letter it goes to, as a
   * job's must: one that does not would go dead again at once (PayloadInvalidError).
   * Refused as a whole, before anything is sent.
   */
  private async checkPayload(ids: string[], payload: unknown): Promise<void> {
    const { handlers } = this.deps;
    if (!handlers) return;
    const keys = ids.map(parseDeadLetterId).filter((k) => k !== undefined);
    const records = await this.deps.executions.getMany(keys);
    const byHandler = new Map([...records.values()].map((r) => [r.handler, r]));
    const problems = [...byHandler.keys()].flatMap((handler) =>
      handlers.payloadProblems(handler, payload).map((p) => ({ path: p.path, message: `${p.message} (handler "${handler}")` })),
    );
    if (problems.length > 0) throw new ValidationError('the replacement payload does not fit', problems);
  }

  private async redriveOne(id: string, payload: unknown): Promise<boolean> {
    const key = parseDeadLetterId(id);
    if (!key) return false;
    const redriveId = this.deps.newId();
    const record = await this.deps.executions.armRedrive(key, redriveId);
    const occurrence = record && storedOccurrence(record);
    if (!occurrence) return false;
    await this.deps.queue.send([{ ...occurrence, ...(payload !== undefined ? { payload: payload } : {}), redriveId, delaySeconds: 0 }]);
    return true;
  }
}

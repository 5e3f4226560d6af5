/**
 * Plays Lambda's SQS event source over the queue model: receives batches of up to
 * 10 as soon as messages are visible, invokes the handler with SQS records whose
 * `attributes.ApproximateReceiveCount` is the model's count (as Lambda passes
 * them), deletes what succeeded and leaves the `batchItemFailures` (or a whole
 * batch whose invocation threw) to come back after the visibility timeout. At
 * most `concurrency` invocations at once; one past the worker timeout is killed,
 * as Lambda kills it; and now and then one dies half-way (`fate`).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { VISIBILITY_TIMEOUT_SECONDS, WORKER_TIMEOUT_SECONDS } from '../../core/kernel/limits.js';
import { Life } from './mortal.js';
import type { Received, SqsModel } from './sqs-model.js';
import type { SimTime } from './sim-time.js';

export type Invoke = (event: SQSEvent, life: Life) => Promise<SQSBatchResponse>;

export interface EventSourceOptions {
  name: string;
  concurrency: number;
  invoke: Invoke;
  /** How this invocation is to die, if it is (see Life). */
  fate: () => ConstructorParameters<typeof Life>[1];
  onDeath?: (life: Life) => void;
}

function toRecord(m: Received): SQSRecord {
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: 'simulation',
      ApproximateFirstReceiveTimestamp: String(m.sentAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:sim:000000000000:queue',
    awsRegion: 'sim',
  };
}

export class EventSource {
  private running = false;
  private readonly inFlight = new Set<Life>();
  private wake: ReturnType<typeof setTimeout> | undefined;
  private wakeAt: number | undefined;
  private pumpQueued = false;
  private invocations = 0;
  deaths = 0;

  constructor(
    private readonly model: SqsModel,
    private readonly time: SimTime,
    private readonly options: EventSourceOptions,
  ) {
    model.onChange = () => this.schedulePump();
  }

  start(): void {
    this.running = true;
    this.schedulePump();
  }

  /** The runtime is gone: every invocation in flight dies with it. */
  stop(): void {
    this.running = false;
    for (const life of [...this.inFlight]) this.die(life);
    if (this.wake) clearTimeout(this.wake);
    this.wake = this.wakeAt = undefined;
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.running) return;
    while (this.inFlight.size < this.options.concurrency) {
      const batch = this.model.receive(10, VISIBILITY_TIMEOUT_SECONDS);
      if (batch.length === 0) break;
      this.invoke(batch);
    }
    const next = this.model.nextVisibleAt();
    const now = this.time.nowMs();
    // Visible but no free slot: a finishing invocation pumps again.
    if (next === undefined || next <= now || next === this.wakeAt) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAt = next;
    this.wake = this.time.at(next, () => {
      this.wake = this.wakeAt = undefined;
      this.pump();
    });
  }

  private die(life: Life): void {
    if (!this.inFlight.has(life)) return;
    this.inFlight.delete(life);
    life.kill();
    this.deaths++;
    this.options.onDeath?.(life);
    this.schedulePump();
  }

  private invoke(batch: Received[]): void {
    const life = new Life(`${this.options.name}-${++this.invocations}`, this.options.fate(), () => this.die(life));
    this.inFlight.add(life);
    const timeout = this.time.at(this.time.nowMs() + WORKER_TIMEOUT_SECONDS * 1000, () => this.die(life));
    const records = batch.map(toRecord);
    this.options
      .invoke({ Records: records }, life)
      .then(
        (response) => {
          if (life.dead) return;
          const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          for (const r of records) if (!failed.has(r.messageId)) this.model.delete(r.receiptHandle);
        },
        () => {}, // as in Lambda: an invocation that throws fails the whole batch
      )
      .finally(() => {
        clearTimeout(timeout);
        if (life.dead) return;
        this.inFlight.delete(life);
        this.schedulePump();
      });
  }
}

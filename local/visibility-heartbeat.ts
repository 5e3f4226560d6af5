/**
 * The local poller's visibility heartbeat. Lambda's event source receives with
 * the queue's visibility timeout (90 s), so a message whose worker died stays
 * hidden that long. The local runtime knows better when it restarts: it receives
 * with a short visibility and extends it while the batch runs, so a killed
 * runtime's messages come back within seconds. A message is never hidden longer
 * than the queue itself would hide it (`maxSeconds` after its receive).
 *
 * The worker sets a message's visibility itself for a backoff (Queue.postpone);
 * `releasing()` wraps the queue so that the heartbeat lets go of a message, and
 * waits out any extension of it on the way, before the backoff is set.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { VISIBILITY_TIMEOUT_SECONDS } from '../core/kernel/limits.js';
import type { Logger } from '../core/kernel/ports.js';
import type { Queue } from '../core/execution/ports.js';

export interface HeartbeatSettings {
  /** Visibility at receive, and the least any extension grants. */
  initialSeconds: number;
  /** Never hidden longer than this after its receive: the queue's own visibility timeout. */
  maxSeconds: number;
}

/**
 * The local runtime's: a batch that ends within 5 s (most do, early wait included)
 * costs no extension; a killed runtime's messages show again within 10 s of the kill,
 * or twice as long as their batch had run, and never later than on AWS.
 */
export const LOCAL_HEARTBEAT: HeartbeatSettings = { initialSeconds: 10, maxSeconds: VISIBILITY_TIMEOUT_SECONDS };

interface Tracked {
  receivedAt: number;
  hiddenUntil: number;
  timer?: NodeJS.Timeout;
  /** The extension on its way, if any: a postpone must land after it. */
  inFlight: Promise<void>;
  released: boolean;
}

export class VisibilityHeartbeat {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly logger: Logger,
    readonly settings: HeartbeatSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts extending a message the poller has just received. */
  track(receiptHandle: string, receivedAt = this.now()): void {
    const state: Tracked = {
      receivedAt,
      hiddenUntil: receivedAt + this.settings.initialSeconds * 1000,
      inFlight: Promise.resolve(),
      released: false,
    };
    this.tracked.set(receiptHandle, state);
    this.schedule(receiptHandle, state, (this.settings.initialSeconds * 1000) / 2);
  }

  /** Stops extending the message; resolves when no extension of it is still on its way. */
  async release(receiptHandle: string): Promise<void> {
    const state = this.tracked.get(receiptHandle);
    if (!state) return;
    state.released = true;
    clearTimeout(state.timer);
    this.tracked.delete(receiptHandle);
    await state.inFlight;
  }

  /** How many messages it is extending now (for tests and logs). */
  get size(): number {
    return this.tracked.size;
  }

  /** The queue, with a postpone that first takes the message off the heartbeat. */
  releasing<Q extends Pick<Queue, 'postpone'>>(queue: Q): Q {
    const postpone = async (deliveryHandle: string, delaySeconds: number) => {
      await this.release(deliveryHandle);
      await queue.postpone(deliveryHandle, delaySeconds);
    };
    return new Proxy(queue, {
      get: (target, key) => {
        if (key === 'postpone') return postpone;
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private schedule(handle: string, state: Tracked, inMs: number): void {
    state.timer = setTimeout(
      () => {
        state.inFlight = state.inFlight.then(() => this.extend(handle, state));
      },
      Math.max(0, inMs),
    );
  }

  /**
   * Grants twice as long as the batch has run (at least the initial visibility),
   * up to `maxSeconds` after the receive, and comes back when half the grant has
   * passed: a long batch costs a few calls, and a message of a runtime killed
   * after running t seconds comes back within about 2t.
   */
  private async extend(handle: string, state: Tracked): Promise<void> {
    if (state.released) return;
    const now = this.now();
    const elapsedS = (now - state.receivedAt) / 1000;
    const grantS = Math.floor(Math.min(Math.max(this.settings.initialSeconds, 2 * elapsedS), this.settings.maxSeconds - elapsedS));
    if (now + grantS * 1000 <= state.hiddenUntil) return; // at the cap: the queue's timeout decides from here
    try {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: handle, VisibilityTimeout: grantS }),
      );
      state.hiddenUntil = now + grantS * 1000;
    } catch (error) {
      // The message may show again while its batch runs; the claim keeps a second delivery from running it.
      this.logger.warn('could not extend a message while its batch runs', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!state.released && this.now() < state.hiddenUntil - 1_000) this.schedule(handle, state, 1_000);
      return;
    }
    if (!state.released) this.schedule(handle, state, (state.hiddenUntil - this.now()) / 2);
  }
}

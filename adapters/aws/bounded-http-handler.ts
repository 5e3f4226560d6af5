/**
 * The SDK's Node HTTP handler with one deadline per attempt, from the request to
 * the answer's last byte. The handler's own `requestTimeout` stops at the answer's
 * headers and its socket timeout at the first silence, so a body that stalls, or
 * a request queued for a socket, could each take a timeout of their own; one
 * deadline makes an attempt's longest time a single number (core/kernel/limits.ts).
 * A call that asks the server to wait (an SQS long poll) gets its wait on top.
 */
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { Readable } from 'node:stream';

type HandleArgs = Parameters<NodeHttpHandler['handle']>;
type HandleResult = Awaited<ReturnType<NodeHttpHandler['handle']>>;

/**
 * The wait an SQS ReceiveMessage asks for (JSON protocol, as this SDK speaks it).
 * Without WaitTimeSeconds the queue's own default applies, which may be the maximum.
 */
export function sqsLongPollWaitMs(request: HandleArgs[0], maxWaitSeconds: number): number {
  if (request.headers['x-amz-target'] !== 'AmazonSQS.ReceiveMessage') return 0;
  const body: unknown = request.body;
  const text =
    typeof body === 'string'
      ? body
      : body instanceof Uint8Array
        ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
        : '';
  try {
    const wait = (JSON.parse(text) as { WaitTimeSeconds?: unknown }).WaitTimeSeconds;
    return (typeof wait === 'number' && wait >= 0 ? Math.min(wait, maxWaitSeconds) : maxWaitSeconds) * 1000;
  } catch {
    return maxWaitSeconds * 1000;
  }
}

/**
 * One attempt got no (complete) answer in time. Named `TimeoutError` with code
 * `ETIMEDOUT`, as the SDK's own time-outs are, so that its retry strategy treats it
 * as transient and adapters/aws/aws-errors.ts as an unavailable store.
 */
export class AttemptTimeoutError extends Error {
  override name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`no complete answer from ${endpoint} within ${timeoutMs} ms`, options);
  }
}

export interface BoundedHttpHandlerOptions extends Pick<NodeHttpHandlerOptions, 'connectionTimeout'> {
  /** How long the server may rightly hold this request before answering (a long poll's wait). */
  serverWaitMs?: (request: HandleArgs[0]) => number;
}

export class BoundedHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly inner: NodeHttpHandler;
  private readonly serverWaitMs: (request: HandleArgs[0]) => number;

  /** Each attempt gets `attemptMs` (plus the server's wait), or the `requestTimeout` a call passes. */
  constructor(
    private readonly attemptMs: number,
    options: BoundedHttpHandlerOptions = {},
  ) {
    this.serverWaitMs = options.serverWaitMs ?? (() => 0);
    // No socket timeout of the handler's own: the deadline covers silences, and a long poll is one.
    this.inner = new NodeHttpHandler({ connectionTimeout: options.connectionTimeout });
  }

  async handle(request: HandleArgs[0], options: HandleArgs[1] = {}): Promise<HandleResult> {
    const limitMs = options.requestTimeout ?? this.attemptMs + this.serverWaitMs(request);
    const endpoint = `${request.protocol}//${request.hostname}:${request.port ?? ''}`;
    const deadline = new AbortController();
    const caller = options.abortSignal as AbortSignal | undefined;
    const signal = caller ? AbortSignal.any([caller, deadline.signal]) : deadline.signal;
    // The response body, once there is one: the timer destroys it if the read stalls.
    const reading: { body?: Readable } = {};
    const timer = setTimeout(() => {
      // Destroyed with our error before the abort tears the request down, so the reader sees a time-out.
      reading.body?.destroy(new AttemptTimeoutError(endpoint, limitMs));
      deadline.abort();
    }, limitMs);

    let out: HandleResult;
    try {
      out = await this.inner.handle(request, { abortSignal: signal });
    } catch (error) {
      clearTimeout(timer);
      if (deadline.signal.aborted && !caller?.aborted) throw new AttemptTimeoutError(endpoint, limitMs, { cause: error });
      throw error;
    }
    const stream = out.response.body as Readable | undefined;
    if (!stream || typeof stream.once !== 'function' || stream.destroyed) {
      clearTimeout(timer);
      return out;
    }
    reading.body = stream;
    stream.once('close', () => clearTimeout(timer));
    return out;
  }

  updateHttpClientConfig(key: Parameters<NodeHttpHandler['updateHttpClientConfig']>[0], value: never): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}

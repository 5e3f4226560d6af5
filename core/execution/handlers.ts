/** Named handlers, defined in code and looked up by the name a job stores. */
import { UnknownHandlerError } from '../kernel/errors.js';
import type { Logger } from '../kernel/ports.js';

export interface HandlerContext {
  jobId: string;
  jobName: string;
  /** The instant this occurrence was scheduled for (UTC ISO). */
  scheduledFor: string;
  attempt: number;
  logger: Logger;
  /** Aborted when the run must stop (timeout, shutdown). */
  signal: AbortSignal;
}

/** Throw from a handler to fail for good: the occurrence is dead at once, no retry. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
}

/** Throw from a handler to retry after a delay of its choosing instead of the backoff. */
export class RetryAfterError extends Error {
  override name = 'RetryAfterError';
  constructor(
    readonly delayMs: number,
    message = `retry requested in ${delayMs} ms`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type Handler = (payload: unknown, context: HandlerContext) => Promise<void> | void;

export class HandlerRegistry {
  private readonly handlers = new Map<string, Handler>();

  constructor(entries: Record<string, Handler> = {}) {
    for (const [name, handler] of Object.entries(entries)) this.register(name, handler);
  }

  register(name: string, handler: Handler): this {
    this.handlers.set(name, handler);
    return this;
  }

  get(name: string): Handler {
    const handler = this.handlers.get(name);
    if (!handler) throw new UnknownHandlerError(name);
    return handler;
  }

  names(): ReadonlySet<string> {
    return new Set(this.handlers.keys());
  }
}

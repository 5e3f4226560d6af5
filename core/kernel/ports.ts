/** Ports every part of the domain uses: time, logs, and pages of results. */

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  next?: string;
}

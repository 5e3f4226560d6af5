/**
 * What a handler threw, as the ledger stores it. A handler can throw anything:
 * an Error, a string, `undefined`, an object with no prototype (no toString), a
 * Proxy whose traps throw, an error whose message is megabytes long. None of that
 * may break the bookkeeping of the occurrence, or of the others in its bundle:
 * describing never throws, and what it returns is small enough to store (a
 * DynamoDB item holds 400 KB; a bundle's outcomes go out in one batch).
 */
import type { ExecutionError } from './ledger-record.js';

export const MAX_ERROR_NAME_CHARS = 200;
export const MAX_ERROR_MESSAGE_CHARS = 8_192;

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (cut: ${text.length} characters in all)`;
}

/** Reads a property without letting a getter or a Proxy trap throw at us. */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  try {
    if (value === undefined) return undefined;
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) return JSON.stringify(value) ?? undefined;
    if (value === null) return 'null';
    // Its own toString (an object's may be custom; a primitive's is what String() gives).
    return (value as { toString(): string }).toString();
  } catch {
    return undefined;
  }
}

export function describeThrown(thrown: unknown): ExecutionError {
  let name = 'Error';
  let message: string | undefined;
  if (typeof thrown === 'object' && thrown !== null) {
    const ownName = read(thrown, 'name');
    const ownMessage = read(thrown, 'message');
    if (typeof ownName === 'string' && ownName.length > 0) name = ownName;
    message = typeof ownMessage === 'string' ? ownMessage : text(thrown);
  } else {
    message = text(thrown);
  }
  return {
    name: cut(name, MAX_ERROR_NAME_CHARS),
    message: cut(
      message ?? `a handler threw ${thrown === undefined ? 'undefined' : 'a value that cannot be shown'}`,
      MAX_ERROR_MESSAGE_CHARS,
    ),
  };
}

/** `instanceof` that a Proxy with a throwing getPrototypeOf trap cannot turn into an exception. */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/**
 * Named handlers, defined in code and looked up by the name a job stores. A handler
 * may declare the payload it takes as a zod schema: the API can then refuse a job
 * whose payload does not fit, the catalogue can show it as JSON Schema, and the
 * worker hands `run` the payload as the schema parses it.
 */
import { z } from 'zod';
import { DuplicateHandlerError, UnknownHandlerError, type FieldProblem } from '../kernel/errors.js';
import { zodProblems } from '../kernel/field-problems.js';
import { jsonProblem, type JsonValue } from '../kernel/json-value.js';
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

/**
 * A payload its handler's schema refuses when the occurrence is about to run (the
 * job was made before the schema changed). Non-retryable: the same payload fails
 * the same way on every attempt, so it goes dead at once and waits for a redrive
 * with a fixed payload.
 */
export class PayloadInvalidError extends NonRetryableError {
  override name = 'PayloadInvalidError';
  constructor(
    readonly handlerName: string,
    readonly problems: FieldProblem[],
  ) {
    super(`the payload does not fit handler "${handlerName}": ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
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

/**
 * What a handler's author writes. `payload` must be synchronous (no async refinements):
 * the API checks it while it answers a create. Without it any JSON value is taken as is.
 */
export interface HandlerSpec<S extends z.ZodType> {
  name: string;
  description?: string;
  payload?: S;
  /** A property, not a method, so that a `run` taking some other payload type is a compile error. */
  run: (payload: z.output<S>, context: HandlerContext) => Promise<void> | void;
}

export interface HandlerDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly payload: S | undefined;
  /** A method, so that a definition of any schema fits in a `HandlerDefinition[]`. */
  run(payload: z.output<S>, context: HandlerContext): Promise<void> | void;
}

/** Declares a handler; `run` is typed by what `payload` parses to (any JSON value without one). */
export function defineHandler<S extends z.ZodType = z.ZodType<JsonValue>>(spec: HandlerSpec<S>): HandlerDefinition<S> {
  return Object.freeze({ name: spec.name, description: spec.description ?? '', payload: spec.payload, run: spec.run });
}

/** A JSON Schema, as an object that serialises as it is. */
export type JsonSchema = Record<string, unknown>;

export interface HandlerCatalogueEntry {
  name: string;
  description: string;
  /** JSON Schema draft 2020-12 (OpenAPI 3.1's dialect) of the payload a job may give; `{}` takes any. */
  payloadSchema: JsonSchema;
}

/**
 * The input side (what a job's payload may be, before defaults and transforms),
 * with anything JSON Schema cannot say left open. Never throws: a schema zod cannot
 * render (two parts sharing a meta id, say) must not take the catalogue down with it.
 */
function payloadJsonSchema(schema: z.ZodType | undefined): JsonSchema {
  if (!schema) return {};
  try {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
    return rest;
  } catch {
    return { description: 'the payload schema could not be rendered as JSON Schema' };
  }
}

export class HandlerRegistry {
  private readonly definitions = new Map<string, HandlerDefinition>();

  constructor(entries: Record<string, Handler> | readonly HandlerDefinition[] = {}) {
    if (Array.isArray(entries)) for (const definition of entries as readonly HandlerDefinition[]) this.add(definition);
    else for (const [name, handler] of Object.entries(entries as Record<string, Handler>)) this.register(name, handler);
  }

  /**
   * A plain function, taking the payload as stored. Replaces a handler of the same
   * name, as it always has: tests swap a built-in for a spy this way.
   */
  register(name: string, handler: Handler): this {
    this.definitions.set(name, { name, description: '', payload: undefined, run: handler });
    return this;
  }

  /** Refuses a name already taken: two definitions under one name are a mistake, not an override. */
  add(definition: HandlerDefinition): this {
    if (this.definitions.has(definition.name)) throw new DuplicateHandlerError(definition.name);
    this.definitions.set(definition.name, definition);
    return this;
  }

  /** The handler's code; give it `parsePayload`'s result, not the stored payload. */
  get(name: string): Handler {
    const definition = this.definition(name);
    return (payload, context) => definition.run(payload, context);
  }

  /** The payload as the handler's schema parses it (as it is without one); throws PayloadInvalidError. */
  parsePayload(name: string, payload: unknown): unknown {
    const schema = this.definition(name).payload;
    if (!schema) return payload;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new PayloadInvalidError(name, zodProblems(parsed.error, ['payload']));
    return parsed.data;
  }

  /** Why `payload` does not fit the handler, path first (`payload.to`); none for an unknown name, which `names()` is for. */
  payloadProblems(name: string, payload: unknown): FieldProblem[] {
    const definition = this.definitions.get(name);
    if (!definition) return [];
    const notJson = jsonProblem(payload);
    if (notJson) return [{ path: 'payload', message: notJson }];
    const parsed = definition.payload?.safeParse(payload);
    return parsed && !parsed.success ? zodProblems(parsed.error, ['payload']) : [];
  }

  names(): ReadonlySet<string> {
    return new Set(this.definitions.keys());
  }

  /** Every handler, sorted by name (by UTF-16 code units, so the order does not depend on a locale). */
  catalogue(): HandlerCatalogueEntry[] {
    return [...this.definitions.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((d) => ({ name: d.name, description: d.description, payloadSchema: payloadJsonSchema(d.payload) }));
  }

  private definition(name: string): HandlerDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new UnknownHandlerError(name);
    return definition;
  }
}

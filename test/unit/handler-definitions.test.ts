/** Handlers declared with a payload schema: typing, the registry, payload problems, the catalogue, and the worker's parse. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { claimGroupOf } from '../../core/execution/bundle.js';
import { executeBundle, type BundleDeps } from '../../core/execution/bundle-executor.js';
import {
  defineHandler,
  HandlerRegistry,
  NonRetryableError,
  PayloadInvalidError,
  type HandlerContext,
  type HandlerDefinition,
} from '../../core/execution/handlers.js';
import { executeOccurrence } from '../../core/execution/occurrence-executor.js';
import { DuplicateHandlerError, UnknownHandlerError } from '../../core/kernel/errors.js';
import type { JsonValue } from '../../core/kernel/json-value.js';
import { createHandlers, FailHandlerError } from '../../handlers/index.js';
import { anOccurrence, MemoryLogger } from '../helpers/factories.js';
import { memoryDeps } from '../helpers/memory-deps.js';

const email = defineHandler({
  name: 'email',
  description: 'Sends an email.',
  payload: z.object({
    to: z.string(),
    subject: z.string().default('(no subject)'),
    retries: z.coerce.number().int(),
    address: z.object({ city: z.string() }).optional(),
  }),
  run: () => {},
});

const context = (): HandlerContext => ({
  jobId: 'job-1',
  jobName: 'job-one',
  scheduledFor: '2026-01-01T00:01:00.000Z',
  attempt: 1,
  logger: new MemoryLogger(),
  signal: new AbortController().signal,
});

describe('defineHandler', () => {
  it('types run by what the schema parses to, and any JSON value without a schema', () => {
    defineHandler({
      name: 'typed',
      payload: z.object({ n: z.coerce.number(), tag: z.string().default('x') }),
      run: (payload) => {
        expectTypeOf(payload).toEqualTypeOf<{ n: number; tag: string }>();
      },
    });
    defineHandler({
      name: 'transformed',
      payload: z.string().transform((s) => s.length),
      run: (payload) => void expectTypeOf(payload).toEqualTypeOf<number>(),
    });
    defineHandler({ name: 'any', run: (payload) => void expectTypeOf(payload).toEqualTypeOf<JsonValue>() });
    defineHandler({
      name: 'wrong',
      payload: z.object({ n: z.number() }),
      // @ts-expect-error: the schema gives a number, not a string
      run: (_payload: { n: string }) => {},
    });
    // The definition keeps its schema's type: a client can type a job's payload from it.
    expectTypeOf<z.input<NonNullable<typeof email.payload>>>().toHaveProperty('to').toEqualTypeOf<string>();
    expectTypeOf(email).toExtend<HandlerDefinition>();
  });

  it('keeps what it was given, with an empty description and no schema by default, frozen', () => {
    const run = () => {};
    const bare = defineHandler({ name: 'bare', run });
    expect(bare).toEqual({ name: 'bare', description: '', payload: undefined, run });
    expect(Object.isFrozen(bare)).toBe(true);
    expect(email.description).toBe('Sends an email.');
  });
});

describe('HandlerRegistry', () => {
  it('is built from definitions, and runs each with the payload it parses to', async () => {
    const seen: unknown[] = [];
    const registry = new HandlerRegistry([
      defineHandler({ name: 'b', payload: z.object({ n: z.coerce.number() }), run: (p) => void seen.push(p) }),
      defineHandler({ name: 'a', run: (p) => void seen.push(p) }),
    ]);
    expect(registry.names()).toEqual(new Set(['a', 'b']));
    await registry.get('b')(registry.parsePayload('b', { n: '7' }), context());
    const raw = { kept: ['as', 'is'] };
    await registry.get('a')(registry.parsePayload('a', raw), context());
    expect(seen[0]).toEqual({ n: 7 });
    expect(seen[1]).toBe(raw);
  });

  it('is built from a record of plain functions, as before, which take any JSON payload as it is', async () => {
    const seen: unknown[] = [];
    const registry = new HandlerRegistry({ plain: (p) => void seen.push(p) });
    const payload = { anything: 1 };
    expect(registry.payloadProblems('plain', payload)).toEqual([]);
    await registry.get('plain')(registry.parsePayload('plain', payload), context());
    expect(seen).toEqual([payload]);
    expect(registry.catalogue()).toEqual([{ name: 'plain', description: '', payloadSchema: {} }]);
  });

  it('refuses a second definition under a taken name, while register still replaces', () => {
    const one = defineHandler({ name: 'same', run: () => {} });
    expect(() => new HandlerRegistry([one, defineHandler({ name: 'same', run: () => {} })])).toThrow(DuplicateHandlerError);
    const registry = new HandlerRegistry([one]);
    expect(() => registry.add(one)).toThrow(new DuplicateHandlerError('same'));
    expect(() => new HandlerRegistry({ other: () => {} }).add(defineHandler({ name: 'other', run: () => {} }))).toThrow(
      DuplicateHandlerError,
    );
    // Tests swap a built-in for a spy with register: that keeps working, schema and all replaced.
    const spy = () => {};
    expect(createHandlers().register('fail', spy).parsePayload('fail', 'not an object')).toBe('not an object');
    expect(registry.add(defineHandler({ name: 'new', run: () => {} })).names()).toEqual(new Set(['same', 'new']));
  });

  it('throws UnknownHandlerError for an unknown name, except payloadProblems, which leaves names to names()', () => {
    const registry = new HandlerRegistry([email]);
    expect(() => registry.get('nope')).toThrow(UnknownHandlerError);
    expect(() => registry.parsePayload('nope', {})).toThrow(UnknownHandlerError);
    expect(registry.payloadProblems('nope', 'anything')).toEqual([]);
  });
});

describe('payloadProblems', () => {
  const registry = new HandlerRegistry([email, defineHandler({ name: 'any', run: () => {} })]);

  it('is empty for a payload that fits, defaults and coercions included', () => {
    expect(registry.payloadProblems('email', { to: 'a@example.com', retries: '2' })).toEqual([]);
    expect(registry.payloadProblems('any', [1, 'two', { three: null }])).toEqual([]);
  });

  it('names a missing field, a nested one and the root, under payload', () => {
    expect(registry.payloadProblems('email', { retries: 1 })).toEqual([
      { path: 'payload.to', message: 'Invalid input: expected string, received undefined' },
    ]);
    expect(registry.payloadProblems('email', { to: 'x', retries: 1, address: { city: 5 } })).toEqual([
      { path: 'payload.address.city', message: 'Invalid input: expected string, received number' },
    ]);
    expect(registry.payloadProblems('email', 'hello')).toEqual([
      { path: 'payload', message: 'Invalid input: expected object, received string' },
    ]);
  });

  it('refuses what is not JSON, with or without a schema', () => {
    expect(registry.payloadProblems('any', { n: Number.NaN })).toEqual([
      { path: 'payload', message: 'must be JSON (numbers must be finite)' },
    ]);
    expect(registry.payloadProblems('email', { to: 'x', retries: 1, when: new Date(0) })).toEqual([
      { path: 'payload', message: 'must be JSON' },
    ]);
  });
});

describe('catalogue', () => {
  it('lists every handler by name, with its payload as JSON Schema 2020-12 of the input, without $schema', () => {
    const registry = new HandlerRegistry({ zeta: () => {} }).add(email).add(defineHandler({ name: 'Alpha', run: () => {} }));
    const catalogue = registry.catalogue();
    expect(catalogue.map((e) => e.name)).toEqual(['Alpha', 'email', 'zeta']);
    expect(catalogue[1]).toEqual({
      name: 'email',
      description: 'Sends an email.',
      payloadSchema: {
        type: 'object',
        properties: {
          to: { type: 'string' },
          subject: { type: 'string', default: '(no subject)' },
          retries: { type: 'integer', minimum: expect.any(Number), maximum: expect.any(Number) },
          address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
        required: ['to', 'retries'],
      },
    });
    expect(catalogue[0]!.payloadSchema).toEqual({});
  });

  it('renders a transform by its input, and falls back for a schema zod cannot render, without throwing', () => {
    const registry = new HandlerRegistry([
      defineHandler({ name: 'length', payload: z.string().transform((s) => s.length), run: () => {} }),
      defineHandler({ name: 'date', payload: z.object({ when: z.date() }), run: () => {} }),
      defineHandler({
        name: 'clash',
        // Two schemas under one id: zod refuses to render them together.
        payload: z.object({
          a: z.string().meta({ id: 'handler-definitions-clash' }),
          b: z.number().meta({ id: 'handler-definitions-clash' }),
        }),
        run: () => {},
      }),
    ]);
    const byName = Object.fromEntries(registry.catalogue().map((e) => [e.name, e.payloadSchema]));
    expect(byName.length).toEqual({ type: 'string' });
    expect(byName.date).toEqual({ type: 'object', properties: { when: {} }, required: ['when'] });
    expect(byName.clash).toEqual({ description: 'the payload schema could not be rendered as JSON Schema' });
  });

  it('describes every built-in, and every payload the tests give them still fits', () => {
    const handlers = createHandlers();
    const catalogue = handlers.catalogue();
    expect(catalogue.map((e) => e.name)).toEqual(['fail', 'fail-first', 'log', 'noop', 'require-ok', 'sleep']);
    for (const entry of catalogue) expect(entry.description).not.toBe('');
    expect(catalogue.find((e) => e.name === 'fail')!.payloadSchema).toMatchObject({ properties: { message: { type: 'string' } } });
    const used = [{}, { hello: 'world' }, { message: 'on purpose' }, { n: 1 }, { ok: false }, { ok: true }, { any: 'JSON' }];
    // `sleep` came with its schema: no job made before it has to fit.
    const older = [...handlers.names()].filter((n) => n !== 'sleep');
    for (const name of older) for (const payload of used) expect(handlers.payloadProblems(name, payload), name).toEqual([]);
    expect(handlers.payloadProblems('sleep', { ms: 60_001 }).map((p) => p.path)).toEqual(['payload.ms']);
    expect(handlers.payloadProblems('require-ok', { ok: 'yes' })).toEqual([
      { path: 'payload.ok', message: 'Invalid input: expected boolean, received string' },
    ]);
  });

  it('keeps the built-ins behaving as before', async () => {
    const handlers = createHandlers();
    const run = async (name: string, payload: unknown) => handlers.get(name)(handlers.parsePayload(name, payload), context());
    await expect(run('fail', { message: 'on purpose' })).rejects.toThrow(new FailHandlerError('on purpose'));
    await expect(run('fail', {})).rejects.toThrow('the fail handler always fails');
    await expect(run('require-ok', { ok: false })).rejects.toThrow('payload.ok is not true');
    await expect(run('require-ok', { ok: true })).resolves.toBeUndefined();
  });
});

describe('the worker', () => {
  const seen: unknown[] = [];
  const registry = () =>
    new HandlerRegistry([
      defineHandler({
        name: 'typed',
        payload: z.object({ to: z.string().transform((s) => s.toLowerCase()), count: z.coerce.number(), tag: z.string().default('none') }),
        run: (payload) => void seen.push(payload),
      }),
    ]).register('plain', (payload) => void seen.push(payload));
  function setup() {
    seen.length = 0;
    const base = memoryDeps('2026-01-01T00:01:00.000Z');
    const deps: BundleDeps = { ...base, handlers: registry(), maxEarlyWaitMs: 5_000 };
    return { ...base, deps, run: (o: ReturnType<typeof anOccurrence>) => executeOccurrence(o, deps) };
  }

  it('hands run the parsed payload: defaults filled, coercions and transforms applied', async () => {
    const t = setup();
    expect(await t.run(anOccurrence({ handler: 'typed', payload: { to: 'A@Example.COM', count: '3' } }))).toEqual({ kind: 'succeeded' });
    expect(seen).toEqual([{ to: 'a@example.com', count: 3, tag: 'none' }]);
  });

  it('hands a handler without a schema the payload as it is', async () => {
    const t = setup();
    const occurrence = anOccurrence({ handler: 'plain', payload: { hello: 'world' } });
    expect(await t.run(occurrence)).toEqual({ kind: 'succeeded' });
    expect(seen[0]).toBe(occurrence.payload);
  });

  it('makes an occurrence whose payload no longer fits dead at its first attempt, unrun, naming the field', async () => {
    const t = setup();
    const occurrence = anOccurrence({ handler: 'typed', payload: { count: 1 }, maxAttempts: 5 });
    const message = 'the payload does not fit handler "typed": payload.to: Invalid input: expected string, received undefined';
    expect(await t.run(occurrence)).toEqual({ kind: 'dead', reason: 'non-retryable', error: { name: 'PayloadInvalidError', message } });
    expect(seen).toEqual([]);
    const record = await t.executions.get(occurrence.jobId, occurrence.scheduledFor);
    expect(record).toMatchObject({ status: 'dead', attempt: 1, deadReason: 'non-retryable', error: { name: 'PayloadInvalidError' } });
    // The dead letter keeps the payload as stored, for a redrive with a fixed one.
    expect(JSON.parse(record!.occurrence!).payload).toEqual({ count: 1 });
  });

  it('does the same for each member of a bundle, leaving the others alone', async () => {
    const t = setup();
    const good = anOccurrence({ jobId: 'good', handler: 'typed', payload: { to: 'X', count: 1 } });
    const group = claimGroupOf(good);
    // A bundle holds one claim group: the first job id that lands in the good one's.
    const bad = Array.from({ length: 200 }, (_, i) =>
      anOccurrence({ jobId: `bad-${i}`, handler: 'typed', payload: { to: 'X', count: 'many' } }),
    ).find((o) => claimGroupOf(o) === group)!;
    await executeBundle({ group, occurrences: [good, bad] }, { id: 'd1', receiveCount: 1 }, t.deps);
    expect(seen).toEqual([{ to: 'x', count: 1, tag: 'none' }]);
    expect(await t.executions.get('good', good.scheduledFor)).toMatchObject({ status: 'succeeded' });
    expect(await t.executions.get(bad.jobId, bad.scheduledFor)).toMatchObject({
      status: 'dead',
      attempt: 1,
      error: {
        name: 'PayloadInvalidError',
        message: expect.stringContaining('payload.count: Invalid input: expected number, received NaN'),
      },
    });
  });

  it('is a NonRetryableError carrying the problems', () => {
    const error = new PayloadInvalidError('h', [{ path: 'payload.a', message: 'bad' }]);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error).toMatchObject({ name: 'PayloadInvalidError', handlerName: 'h', problems: [{ path: 'payload.a', message: 'bad' }] });
  });
});

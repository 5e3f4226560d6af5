import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandler } from '../../core/execution/handlers.js';
import { testApp } from '../helpers/app.js';

const auth = { authorization: 'Bearer k', 'content-type': 'application/json' };

function appWithTypedHandler() {
  const t = testApp();
  t.handlers.add(
    defineHandler({
      name: 'send-email',
      description: 'Sends one email.',
      payload: z.object({ to: z.email(), subject: z.string().max(10) }).strict(),
      run: () => {},
    }),
  );
  return t;
}

const job = (payload: unknown) => JSON.stringify({ name: 'mail', schedule: { every: '1h' }, handler: 'send-email', payload });

describe('handler payloads at the API', () => {
  it("refuses a job whose payload does not fit its handler's schema, naming each field, and stores nothing", async () => {
    const { app, jobs, due } = appWithTypedHandler();
    const res = await app.request('/v1/jobs', {
      method: 'POST',
      headers: auth,
      body: job({ to: 'nobody', subject: 'a'.repeat(11), x: 1 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path).sort()).toEqual(['payload', 'payload.subject', 'payload.to']);
    expect((await jobs.list({ limit: 10 })).items).toEqual([]);
    expect(await due.inbox(10)).toEqual([]);
    expect(await due.firstSlotFrom()).toBeUndefined();
  });

  it('takes a payload that fits, and one without a schema takes any JSON', async () => {
    const { app } = appWithTypedHandler();
    const ok = await app.request('/v1/jobs', { method: 'POST', headers: auth, body: job({ to: 'a@example.com', subject: 'hi' }) });
    expect(ok.status).toBe(201);
    const any = await app.request('/v1/jobs', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'logs', schedule: { every: '1h' }, handler: 'log', payload: [1, { deep: null }] }),
    });
    expect(any.status).toBe(201);
  });

  it('names an unknown handler and does not judge its payload', async () => {
    const { app } = appWithTypedHandler();
    const res = await app.request('/v1/jobs', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'x', schedule: { every: '1h' }, handler: 'nope', payload: { to: 1 } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path)).toEqual(['handler']);
  });
});

describe('GET /v1/handlers', () => {
  it('needs the key', async () => {
    const { app } = testApp();
    expect((await app.request('/v1/handlers')).status).toBe(401);
  });

  it('lists every handler by name with its description and payload JSON Schema', async () => {
    const { app } = appWithTypedHandler();
    const res = await app.request('/v1/handlers', { headers: auth });
    expect(res.status).toBe(200);
    const { handlers } = (await res.json()) as {
      handlers: { name: string; description: string; payloadSchema: Record<string, unknown> }[];
    };
    expect(handlers.map((h) => h.name)).toEqual([...handlers.map((h) => h.name)].sort());
    const mail = handlers.find((h) => h.name === 'send-email')!;
    expect(mail.description).toBe('Sends one email.');
    expect(mail.payloadSchema).toMatchObject({
      type: 'object',
      required: ['to', 'subject'],
      additionalProperties: false,
      properties: { subject: { type: 'string', maxLength: 10 } },
    });
    expect(handlers.find((h) => h.name === 'noop')!.payloadSchema).toEqual({});
  });
});

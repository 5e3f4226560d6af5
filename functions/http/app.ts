/** The HTTP API as a Hono app. It validates the edges and translates; core decides. */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { ValidationError } from '../../core/kernel/errors.js';
import { zodProblems } from '../../core/kernel/field-problems.js';
import type { DeadLetterService } from '../../core/execution/dead-letters.js';
import type { JobService } from '../../core/service/job-service.js';
import type { Logger } from '../../core/kernel/ports.js';
import { previewQuery } from '../../core/service/preview.js';
import { requireApiKey } from './auth.js';
import { errorResponse, HttpError } from './errors.js';

export interface AppDeps {
  jobs: JobService;
  deadLetters: DeadLetterService;
  apiKeys: string[];
  logger: Logger;
}

const pageQuery = z.object({
  // Digits only: `0x10`, ` 2` and `1e2` are not a limit a client means.
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100'))
    .default(20),
  next: z.string().min(1).max(4096).optional(),
});

/**
 * Ids come from the path, so anything may arrive; one that no job or dead letter
 * can have is a 404 here, before it reaches a store (DynamoDB refuses a key over
 * 2 KiB with an error of its own).
 */
function idParam(c: Context, kind: 'job' | 'dead letter'): string {
  const id = c.req.param('id') ?? '';
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(id)) throw new HttpError(404, 'not_found', `no ${kind} with that id`);
  return id;
}

function parseQuery<T extends z.ZodType>(schema: T, c: Context): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new ValidationError('the query string is not valid', zodProblems(parsed.error));
  return parsed.data;
}

/** `application/json` or `application/<something>+json`, with `charset=utf-8` at most. */
function isJsonMediaType(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (!/^application\/([a-z0-9.!#$&^_-]+\+)?json$/.test(type!)) return false;
  return params.every((p) => p === '' || /^charset="?utf-8"?$/.test(p));
}

async function jsonBody(c: Context): Promise<unknown> {
  if (!isJsonMediaType(c.req.header('content-type'))) {
    throw new HttpError(415, 'unsupported_media_type', 'the request body must be JSON, sent with Content-Type: application/json', [
      { path: '(body)', message: `Content-Type is ${JSON.stringify(c.req.header('content-type') ?? '(none)')}` },
    ]);
  }
  try {
    return await c.req.json();
  } catch (cause) {
    throw new HttpError(400, 'invalid_json', 'the request body must be JSON (Content-Type: application/json)', [
      { path: '(body)', message: cause instanceof Error ? cause.message : 'not JSON' },
    ]);
  }
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error, deps.logger));
  app.notFound((c) => errorResponse(c, new HttpError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), deps.logger));

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.use('/v1/*', requireApiKey(deps.apiKeys));
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: 256 * 1024,
      onError: () => {
        throw new HttpError(413, 'payload_too_large', 'the request body is larger than 256 KiB');
      },
    }),
  );

  app.post('/v1/jobs', async (c) => c.json(await deps.jobs.create(await jsonBody(c)), 201));

  app.get('/v1/jobs', async (c) => {
    const page = await deps.jobs.list(parseQuery(pageQuery, c));
    return c.json({ jobs: page.items, ...(page.next ? { next: page.next } : {}) });
  });

  app.get('/v1/jobs/:id', async (c) => c.json(await deps.jobs.get(idParam(c, 'job'))));

  app.patch('/v1/jobs/:id', async (c) => c.json(await deps.jobs.update(idParam(c, 'job'), await jsonBody(c))));

  app.delete('/v1/jobs/:id', async (c) => {
    await deps.jobs.delete(idParam(c, 'job'));
    return c.body(null, 204);
  });

  app.post('/v1/preview', async (c) => c.json({ occurrences: deps.jobs.preview(await jsonBody(c)) }));

  app.get('/v1/jobs/:id/preview', async (c) =>
    c.json({ occurrences: await deps.jobs.previewJob(idParam(c, 'job'), parseQuery(previewQuery, c)) }),
  );

  app.get('/v1/jobs/:id/executions', async (c) => {
    const page = await deps.jobs.executions(idParam(c, 'job'), parseQuery(pageQuery, c));
    return c.json({ executions: page.items, ...(page.next ? { next: page.next } : {}) });
  });

  app.get('/v1/dead-letters', async (c) => {
    const page = await deps.deadLetters.list(parseQuery(pageQuery, c));
    return c.json({ deadLetters: page.items, ...(page.next ? { next: page.next } : {}) });
  });

  app.post('/v1/dead-letters/redrive', async (c) => c.json(await deps.deadLetters.redrive(await jsonBody(c))));

  app.delete('/v1/dead-letters/:id', async (c) => {
    if (!(await deps.deadLetters.discard(idParam(c, 'dead letter')))) {
      throw new HttpError(404, 'not_found', `no dead letter ${c.req.param('id')}`);
    }
    return c.body(null, 204);
  });

  return app;
}

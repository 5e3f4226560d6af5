/**
 * The OpenAPI document's parts the route declarations do not give: the routes
 * outside /v1 (health, the document itself, the docs page), and an operationId for
 * every operation, made from its method and path (`GET /v1/jobs/{id}/executions` is
 * `getJobsByIdExecutions`), so that generated clients get stable names.
 */
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { errorSchema } from './schemas.js';

export function registerUnversionedPaths(app: OpenAPIHono): void {
  const error = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['Operations'],
    summary: 'Whether the store and the queue answer',
    description: 'No key needed. Each part is asked one cheap read, 2 s at most; the answer names the failing part, never why.',
    security: [],
    responses: {
      200: {
        description: 'Both answer.',
        content: {
          'application/json': {
            schema: z.object({ ok: z.boolean(), store: z.enum(['ok', 'failing']), queue: z.enum(['ok', 'failing']) }),
          },
        },
      },
      503: { description: 'One of them does not (the same body, `ok: false`).' },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['Operations'],
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1.' }, 401: error('No API key, or one that is not valid.') },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/docs',
    tags: ['Operations'],
    summary: 'Interactive docs (Swagger UI, served by the API itself)',
    security: [],
    responses: { 200: { description: 'An HTML page; it asks for the key and keeps it in memory.' } },
  });
}

/** `get` + `/v1/jobs/{id}/pause` → `getJobsByIdPause`. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((s) => s && s !== 'v1')
    .map((s) => (s.startsWith('{') ? `by-${s.slice(1, -1)}` : s))
    .flatMap((s) => s.split(/[-.]/))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return method.toLowerCase() + words.join('');
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function withOperationIds<D extends { paths?: object }>(document: D): D {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const operations = item as Partial<Record<(typeof METHODS)[number], { operationId?: string }>>;
    for (const method of METHODS) {
      const operation = operations[method];
      if (operation) operation.operationId ??= operationIdOf(method, path);
    }
  }
  return document;
}

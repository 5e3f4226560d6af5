/** The handler catalogue: what a job or an enqueued task may name, and the payload each takes. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { JobService } from '../../../core/service/job-service.js';
import { errors, json } from '../schemas.js';

const handlerSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    payloadSchema: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'JSON Schema (draft 2020-12) of the payload it takes; `{}` takes any JSON value.' }),
  })
  .openapi('Handler');

export function registerHandlerRoutes(app: OpenAPIHono, jobs: JobService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/handlers',
      tags: ['Handlers'],
      summary: 'List the handlers',
      description: 'Every handler deployed with the worker, sorted by name, with the JSON Schema of its payload.',
      responses: { 200: json(z.object({ handlers: z.array(handlerSchema) }), 'The catalogue.'), ...errors() },
    }),
    (c) => c.json({ handlers: jobs.handlers() }, 200),
  );
}

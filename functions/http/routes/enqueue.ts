/** Ad-hoc work: a handler run once, now, after a delay or at an instant. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { enqueueRequest } from '../../../core/service/enqueue.js';
import type { JobService } from '../../../core/service/job-service.js';
import { jsonBody } from '../request.js';
import { BODY_ERRORS, errors, json } from '../schemas.js';

const enqueuedTask = z
  .object({
    executionId: z.string().openapi({ description: 'For GET /v1/executions/{id}.' }),
    taskId: z.string(),
    scheduledFor: z.string().openapi({ description: 'When it runs (UTC).' }),
    uniqueKey: z.string().optional(),
  })
  .openapi('EnqueuedTask');

export function registerEnqueueRoutes(app: OpenAPIHono, jobs: JobService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/enqueue',
      tags: ['Tasks'],
      summary: 'Run a handler once',
      description:
        'Now, after `delay`, or `at` an instant (however far ahead). The payload is checked against the handler’s schema. ' +
        'With `uniqueKey`, a second task with that key is refused (409, naming the first) until the first is final ' +
        '(succeeded, dead or skipped). Retries and the dead-letter queue work as for jobs.',
      middleware: [jsonBody('required')],
      request: { body: { content: { 'application/json': { schema: enqueueRequest } }, required: true } },
      responses: { 202: json(enqueuedTask, 'Accepted: it runs at `scheduledFor`.'), ...errors(409, ...BODY_ERRORS) },
    }),
    async (c) => c.json(await jobs.enqueue(await c.req.json()), 202),
  );
}

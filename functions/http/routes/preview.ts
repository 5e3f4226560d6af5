/** The next fire times of any schedule, before a job exists. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { previewRequest } from '../../../core/service/preview.js';
import type { JobService } from '../../../core/service/job-service.js';
import { jsonBody } from '../request.js';
import { BODY_ERRORS, errors, json, previewOccurrenceSchema } from '../schemas.js';

export function registerPreviewRoutes(app: OpenAPIHono, jobs: JobService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/preview',
      tags: ['Schedules'],
      summary: 'The next fire times of a schedule',
      description: 'Shows the DST rule at work before it happens (see the README, "Time zones and DST").',
      middleware: [jsonBody('required')],
      request: { body: { content: { 'application/json': { schema: previewRequest } }, required: true } },
      responses: {
        200: json(z.object({ occurrences: z.array(previewOccurrenceSchema) }), 'Its next occurrences.'),
        ...errors(...BODY_ERRORS),
      },
    }),
    async (c) => c.json({ occurrences: jobs.preview(await c.req.json()) }, 200),
  );
}

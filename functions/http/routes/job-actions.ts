/** A job's actions: pause, resume, and a manual run. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { manualTrigger } from '../../../core/execution/occurrence.js';
import { statusChangeRequest, type JobService } from '../../../core/service/job-service.js';
import { expectedVersion, ifMatch, jsonBody, knownId } from '../request.js';
import { BODY_ERRORS, errors, idParams, jobSchema, json } from '../schemas.js';
import { answerJob } from '../views.js';

const TAG = ['Jobs'];

export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({
      param: { name: 'if-match', in: 'header' },
      description: 'The `ETag` of the version to change; 412 when the job is at another.',
    }),
});

export const etagHeader = { ETag: { schema: { type: 'string' as const }, description: "The job's version, for `If-Match`." } };

const triggeredRun = z
  .object({
    executionId: z.string().openapi({ description: 'For GET /v1/executions/{id}.' }),
    jobId: z.string(),
    scheduledFor: z.string().openapi({ description: "The manual run's own instant: now, or a millisecond after." }),
    trigger: manualTrigger,
  })
  .openapi('TriggeredRun');

export function registerJobActions(app: OpenAPIHono, jobs: JobService): void {
  for (const action of ['pause', 'resume'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/jobs/{id}/${action}`,
        tags: TAG,
        summary: action === 'pause' ? 'Pause a job' : 'Resume a job',
        description:
          action === 'pause'
            ? 'Holds what was sent ahead; what falls due while paused is decided by the resume.'
            : 'The misfire policy decides what fell due while paused; the rest is recorded as skipped (`paused`).',
        middleware: [ifMatch, jsonBody('optional')],
        request: {
          params: idParams,
          headers: ifMatchHeaders,
          body: { content: { 'application/json': { schema: statusChangeRequest } }, required: false },
        },
        responses: { 200: { ...json(jobSchema, 'The job as it is now.'), headers: etagHeader }, ...errors(404, 409, 412, ...BODY_ERRORS) },
      }),
      async (c) => {
        const id = knownId(c.req.valid('param').id, 'job');
        const { note } = c.req.valid('json');
        const options = { expectedVersion: expectedVersion(c), ...(note !== undefined ? { note } : {}) };
        const job = action === 'pause' ? await jobs.pause(id, options) : await jobs.resume(id, options);
        return answerJob(c, job, 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/jobs/{id}/trigger',
      tags: TAG,
      summary: 'Run a job now, once',
      description:
        'A manual run, recorded with `by` and `reason` if given. The overlap policy applies; it retries as the job does; ' +
        'it does not count toward maxRuns; a paused job runs too.',
      middleware: [jsonBody('optional')],
      request: { params: idParams, body: { content: { 'application/json': { schema: manualTrigger } }, required: false } },
      responses: { 202: json(triggeredRun, 'Sent to run.'), ...errors(404, ...BODY_ERRORS) },
    }),
    async (c) => {
      const run = await jobs.trigger(knownId(c.req.valid('param').id, 'job'), c.req.valid('json'));
      return c.json(run, 202);
    },
  );
}

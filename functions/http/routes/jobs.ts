/** The job routes: create, read, list, change, delete, and a job's preview (its history is in executions.ts). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { jobInputSchema } from '../../../core/jobs/job.js';
import { previewQuery } from '../../../core/service/preview.js';
import { jobUpdate, statusChangeRequest, type JobService } from '../../../core/service/job-service.js';
import { expectedVersion, ifMatch, jsonBody, knownId } from '../request.js';
import { errors, executionSchema, idParams, jobSchema, json, pageOf, pageQuery, previewOccurrenceSchema } from '../schemas.js';
import { answerJob, etagOf, executionView, jobView, pageBody } from '../views.js';

const TAG = ['Jobs'];

const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({
      param: { name: 'if-match', in: 'header' },
      description: 'The `ETag` of the version to change; 412 when the job is at another.',
    }),
});

const jobWithLastRun = jobSchema
  .extend({ lastRun: executionSchema.nullable().openapi({ description: 'The newest record of its runs; null before the first.' }) })
  .openapi('JobWithLastRun');

const etagHeader = { ETag: { schema: { type: 'string' as const }, description: "The job's version, for `If-Match`." } };

export function registerJobRoutes(app: OpenAPIHono, jobs: JobService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/jobs',
      tags: TAG,
      summary: 'Create a job',
      middleware: [jsonBody('required')],
      request: { body: { content: { 'application/json': { schema: jobInputSchema } }, required: true } },
      responses: { 201: { ...json(jobSchema, 'The job, with its next run.'), headers: etagHeader }, ...errors(409) },
    }),
    async (c) => {
      const job = await jobs.create(await c.req.json());
      return answerJob(c, job, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs',
      tags: TAG,
      summary: 'List jobs',
      request: { query: pageQuery },
      responses: { 200: json(pageOf('jobs', jobSchema), 'A page of jobs.'), ...errors() },
    }),
    async (c) => {
      const page = await jobs.list(c.req.valid('query'));
      return c.json(pageBody('jobs', page, jobView), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs/{id}',
      tags: TAG,
      summary: 'Get a job, with its next run and its last run',
      request: { params: idParams },
      responses: { 200: { ...json(jobWithLastRun, 'The job.'), headers: etagHeader }, ...errors(404) },
    }),
    async (c) => {
      const id = knownId(c.req.valid('param').id, 'job');
      const job = await jobs.get(id);
      const last = await jobs.lastRun(id);
      c.header('ETag', etagOf(job));
      return c.json({ ...jobView(job), lastRun: last ? executionView(last) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/jobs/{id}',
      tags: TAG,
      summary: 'Pause or resume a job',
      middleware: [ifMatch, jsonBody('required')],
      request: {
        params: idParams,
        headers: ifMatchHeaders,
        body: { content: { 'application/json': { schema: jobUpdate } }, required: true },
      },
      responses: { 200: { ...json(jobSchema, 'The job as it is now.'), headers: etagHeader }, ...errors(404, 409, 412) },
    }),
    async (c) => {
      const job = await jobs.update(knownId(c.req.valid('param').id, 'job'), await c.req.json(), { expectedVersion: expectedVersion(c) });
      return answerJob(c, job, 200);
    },
  );

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
        responses: { 200: { ...json(jobSchema, 'The job as it is now.'), headers: etagHeader }, ...errors(404, 409, 412) },
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
      method: 'delete',
      path: '/v1/jobs/{id}',
      tags: TAG,
      summary: 'Delete a job',
      description: 'No more runs; what was already sent still runs. Its name becomes free.',
      request: { params: idParams, headers: ifMatchHeaders },
      responses: { 204: { description: 'Deleted.' }, ...errors(404, 412) },
    }),
    async (c) => {
      await jobs.delete(knownId(c.req.valid('param').id, 'job'), { expectedVersion: expectedVersion(c) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs/{id}/preview',
      tags: TAG,
      summary: 'The next fire times of a job',
      request: {
        params: idParams,
        query: previewQuery,
      },
      responses: { 200: json(z.object({ occurrences: z.array(previewOccurrenceSchema) }), 'Its next occurrences.'), ...errors(404) },
    }),
    async (c) => c.json({ occurrences: await jobs.previewJob(knownId(c.req.valid('param').id, 'job'), c.req.valid('query')) }, 200),
  );
}

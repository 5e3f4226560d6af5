/** The job routes: create, read, list, change, delete, and a job's preview (its history is in executions.ts). */
import { createHash } from 'node:crypto';
import { plainText } from '../../../core/kernel/text.js';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { jobInputSchema } from '../../../core/jobs/job.js';
import { previewQuery } from '../../../core/service/preview.js';
import { jobPatch } from '../../../core/jobs/job-edit.js';
import type { JobService } from '../../../core/service/job-service.js';
import { expectedVersion, ifMatch, jsonBody, knownId } from '../request.js';
import { BODY_ERRORS, errors, executionSchema, idParams, jobSchema, json, pageOf, pageQuery, previewOccurrenceSchema } from '../schemas.js';
import { answerJob, etagOf, executionView, jobView, pageBody } from '../views.js';
import { etagHeader, ifMatchHeaders, registerJobActions } from './job-actions.js';

const TAG = ['Jobs'];

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be 1-200 printable ASCII characters without spaces')
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Makes a retried create answer as the first did.' }),
});

/** What makes two bodies "the same request" for an Idempotency-Key: their JSON, whatever the order of keys or the spacing. */
const fingerprintOf = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('base64url');

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A filter's text: what names and handler names are made of (a name is letters, digits, ".", "_", "-"). */
const queryText = (name: string, description: string) =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-", as names are')
    .optional()
    .openapi({ param: { name, in: 'query' }, description });

const jobListQuery = pageQuery.extend({
  status: z
    .enum(['active', 'paused', 'completed'])
    .optional()
    .openapi({ param: { name: 'status', in: 'query' } }),
  handler: plainText(128)
    .min(1)
    .optional()
    .openapi({ param: { name: 'handler', in: 'query' }, description: 'Jobs of this handler.' }),
  name: queryText('name', 'Jobs whose name starts with this (case as given).'),
  q: queryText('q', 'Jobs whose name contains this, in any case.'),
  sort: z
    .enum(['name', '-name', 'nextRun', '-nextRun'])
    .optional()
    .openapi({
      param: { name: 'sort', in: 'query' },
      description: 'By name or next run; `-` for descending. Jobs with no next run come last.',
    }),
});

const jobWithLastRun = jobSchema
  .extend({ lastRun: executionSchema.nullable().openapi({ description: 'The newest record of its runs; null before the first.' }) })
  .openapi('JobWithLastRun');

const editedJob = jobSchema
  .extend({
    edit: z
      .object({
        takesEffectFrom: z.string().openapi({ description: 'Occurrences at or after this instant follow the new definition.' }),
        sentWithPreviousDefinition: z.array(z.string()).openapi({
          description: 'Occurrences before then that were already sent (or are sent now) and run under the previous definition.',
        }),
      })
      .optional()
      .openapi({ description: 'Present when the definition changed.' }),
  })
  .openapi('EditedJob');

export function registerJobRoutes(app: OpenAPIHono, jobs: JobService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/jobs',
      tags: TAG,
      summary: 'Create a job',
      description:
        'With `Idempotency-Key`, the same request sent again (a retry after a timeout) answers as the first did, ' +
        'with `Idempotent-Replayed: true`, for a day; the key with another body is a 422.',
      middleware: [jsonBody('required')],
      request: {
        headers: idempotencyHeaders,
        body: { content: { 'application/json': { schema: jobInputSchema } }, required: true },
      },
      responses: { 201: { ...json(jobSchema, 'The job, with its next run.'), headers: etagHeader }, ...errors(409, 422, ...BODY_ERRORS) },
    }),
    async (c) => {
      const body: unknown = await c.req.json();
      const key = c.req.valid('header')['idempotency-key'];
      if (key === undefined) return answerJob(c, await jobs.create(body), 201);
      const { job, replayed } = await jobs.createOnce(body, { key, fingerprint: fingerprintOf(body) });
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return answerJob(c, job, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs',
      tags: TAG,
      summary: 'List jobs',
      description:
        'Filters combine (all must hold). Without `sort`, in the store’s order (a page may come back short, with `next`); ' +
        'with it, sorted over every matching job (up to 10,000).',
      request: { query: jobListQuery },
      responses: { 200: json(pageOf('jobs', jobSchema), 'A page of jobs.'), ...errors() },
    }),
    async (c) => {
      const { status, handler, name, q, sort, ...paging } = c.req.valid('query');
      const filter = {
        ...(status ? { status } : {}),
        ...(handler ? { handler } : {}),
        ...(name ? { namePrefix: name } : {}),
        ...(q ? { q } : {}),
      };
      const page = await jobs.list({ ...paging, filter, ...(sort ? { sort } : {}) });
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
      summary: 'Change a job',
      description:
        'Any field; what is left out stays. A new definition takes effect from `edit.takesEffectFrom` (up to two minutes ' +
        'ahead, past what may already be sent); `edit.sentWithPreviousDefinition` names the occurrences before it, which ' +
        'run as they were sent. `status` alone pauses or resumes.',
      middleware: [ifMatch, jsonBody('required')],
      request: {
        params: idParams,
        headers: ifMatchHeaders,
        body: { content: { 'application/json': { schema: jobPatch } }, required: true },
      },
      responses: { 200: { ...json(editedJob, 'The job as it is now.'), headers: etagHeader }, ...errors(404, 409, 412, ...BODY_ERRORS) },
    }),
    async (c) => {
      const { job, edit } = await jobs.update(knownId(c.req.valid('param').id, 'job'), await c.req.json(), {
        expectedVersion: expectedVersion(c),
      });
      c.header('ETag', etagOf(job));
      return c.json({ ...jobView(job), ...(edit ? { edit } : {}) }, 200);
    },
  );

  registerJobActions(app, jobs);

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

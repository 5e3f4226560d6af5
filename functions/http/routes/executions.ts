/** The execution history: across jobs, per job (a deleted job's too), and one execution with its attempts. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { historyFilters, type HistoryService } from '../../../core/service/history.js';
import { HttpError } from '../errors.js';
import { knownId } from '../request.js';
import { errors, executionSchema, executionWithAttemptsSchema, idParams, json, pageOf, pageQuery } from '../schemas.js';
import { executionDetailView, executionView, pageBody } from '../views.js';

const TAG = ['Executions'];

// status (comma-separated), jobId, handler, from (inclusive) and to (exclusive), by scheduledFor: see README.
const listQuery = pageQuery.extend(historyFilters.shape);
const jobListQuery = pageQuery.extend(historyFilters.omit({ jobId: true }).shape);

const PAGE_NOTE = 'Newest first by `scheduledFor`. A page can hold fewer than `limit` with a `next`: follow `next` until it is absent.';

export function registerExecutionRoutes(app: OpenAPIHono, history: HistoryService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/executions',
      tags: TAG,
      summary: 'Executions of every job, newest first',
      description: PAGE_NOTE,
      request: { query: listQuery },
      responses: { 200: json(pageOf('executions', executionSchema), 'A page of executions.'), ...errors() },
    }),
    async (c) => {
      const { limit, next, ...filtersGiven } = c.req.valid('query');
      const page = await history.list(filtersGiven, { limit, ...(next ? { next } : {}) });
      return c.json(pageBody('executions', page, executionView), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs/{id}/executions',
      tags: ['Jobs'],
      summary: "A job's runs, newest first (kept after it is deleted)",
      description: PAGE_NOTE,
      request: { params: idParams, query: jobListQuery },
      responses: { 200: json(pageOf('executions', executionSchema), 'A page of its runs.'), ...errors(404) },
    }),
    async (c) => {
      const { limit, next, ...filtersGiven } = c.req.valid('query');
      const page = await history.listForJob(knownId(c.req.valid('param').id, 'job'), filtersGiven, { limit, ...(next ? { next } : {}) });
      return c.json(pageBody('executions', page, executionView), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/executions/{id}',
      tags: TAG,
      summary: 'One execution, with every attempt',
      request: { params: idParams },
      responses: { 200: json(executionWithAttemptsSchema, 'The execution.'), ...errors(404) },
    }),
    async (c) => {
      const id = knownId(c.req.valid('param').id, 'execution');
      const execution = await history.get(id);
      if (!execution) throw new HttpError(404, 'not_found', `no execution ${id}`);
      if (execution.status === 'pending') return c.json({ id, ...execution, attempts: [] }, 200);
      return c.json(executionDetailView(execution), 200);
    },
  );
}

/** Operating the scheduler: its numbers now, and cleaning up old history. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cleanupRequest, type HistoryService } from '../../../core/service/history.js';
import type { StatsService } from '../../../core/service/stats.js';
import { jsonBody } from '../request.js';
import { BODY_ERRORS, errors, json } from '../schemas.js';

const TAG = ['Operations'];

const byStatus = z.record(z.string(), z.number().int());
const counts = z.object({
  counts: byStatus,
  complete: z.boolean().openapi({ description: 'False when counting stopped at its read budget: the counts are a lower bound.' }),
});

const statsSchema = z
  .object({
    jobs: byStatus.openapi({ description: 'Jobs by status.' }),
    executions: z.object({ lastHour: counts, lastDay: counts }).openapi({ description: 'By status, of what fell due in the window.' }),
    queue: z
      .object({ queued: z.number().int(), inFlight: z.number().int(), delayed: z.number().int(), deadLetters: z.number().int() })
      .openapi({ description: "SQS's approximate counts (they lag by up to a minute)." }),
  })
  .openapi('Stats');

const cleanupResult = z
  .object({
    deleted: z.number().int(),
    more: z.boolean().openapi({ description: 'It stopped at its budget: call again.' }),
  })
  .openapi('CleanupResult');

export function registerOperationRoutes(app: OpenAPIHono, deps: { history: HistoryService; stats: StatsService }): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/stats',
      tags: TAG,
      summary: 'Jobs by status, recent executions by status, queue depths',
      responses: { 200: json(statsSchema, 'The numbers now.'), ...errors() },
    }),
    async (c) => c.json(await deps.stats.current(), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cleanup',
      tags: TAG,
      summary: 'Delete final history older than `before` now',
      description:
        'Deletes succeeded and skipped executions and discarded dead letters scheduled before `before` (default: now minus the ' +
        'retention period), at most 1,000 a call. Never running, failed or queued ones, nor dead letters still listed.',
      middleware: [jsonBody('optional')],
      request: { body: { content: { 'application/json': { schema: cleanupRequest } }, required: false } },
      responses: { 200: json(cleanupResult, 'What it deleted.'), ...errors(...BODY_ERRORS) },
    }),
    async (c) => c.json(await deps.history.cleanup(c.req.valid('json')), 200),
  );
}

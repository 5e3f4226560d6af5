/**
 * The HTTP API as a Hono app. It validates the edges and translates; core decides.
 * Every route is declared with its schemas (routes/), which also write /openapi.json.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { DeadLetterService } from '../../core/execution/dead-letters.js';
import type { HistoryService } from '../../core/service/history.js';
import type { JobService } from '../../core/service/job-service.js';
import type { StatsService } from '../../core/service/stats.js';
import type { ConfigService } from '../../core/service/config-service.js';
import type { HealthService, StatusService } from '../../core/service/status-service.js';
import type { SchedulerControlService } from '../../core/service/scheduler-control.js';
import type { Logger } from '../../core/kernel/ports.js';
import { requireApiKey } from './auth.js';
import { registerDocs } from './docs.js';
import { registerUnversionedPaths, withOperationIds } from './document.js';
import { errorResponse, HttpError } from './errors.js';
import { refuse } from './request.js';
import { registerDeadLetterRoutes } from './routes/dead-letters.js';
import { registerHandlerRoutes } from './routes/handlers.js';
import { registerEnqueueRoutes } from './routes/enqueue.js';
import { registerExecutionRoutes } from './routes/executions.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerConfigRoutes } from './routes/config.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerPreviewRoutes } from './routes/preview.js';
import { registerSchedulerRoutes } from './routes/scheduler.js';

export interface AppDeps {
  jobs: JobService;
  deadLetters: DeadLetterService;
  history: HistoryService;
  stats: StatsService;
  config: ConfigService;
  status: StatusService;
  health: HealthService;
  control: SchedulerControlService;
  apiKeys: string[];
  logger: Logger;
  /** Origins a browser may call the API from (CORS); none when empty. */
  corsOrigins?: string[];
  /** This scheduler's version, in the OpenAPI document. */
  version?: string;
}

export const MAX_BODY_BYTES = 256 * 1024;

export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: refuse });
  app.onError((error, c) => errorResponse(c, error, deps.logger));
  app.notFound((c) => errorResponse(c, new HttpError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), deps.logger));

  const origins = deps.corsOrigins ?? [];
  if (origins.length > 0) {
    // Before the key check: a browser's preflight carries no key.
    app.use(
      '*',
      cors({
        origin: origins,
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
        exposeHeaders: ['ETag', 'Retry-After'],
        maxAge: 600,
      }),
    );
  }

  // No key: a load balancer or a monitor asks. It names the failing part, never where it is or why.
  app.get('/health', async (c) => {
    const health = await deps.health.check();
    return c.json(health, health.ok ? 200 : 503);
  });
  registerDocs(app);

  const auth = requireApiKey(deps.apiKeys);
  app.use('/v1/*', auth);
  app.use('/openapi.json', auth);
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HttpError(413, 'payload_too_large', 'the request body is larger than 256 KiB');
      },
    }),
  );

  registerJobRoutes(app, deps.jobs);
  registerPreviewRoutes(app, deps.jobs);
  registerHandlerRoutes(app, deps.jobs);
  registerEnqueueRoutes(app, deps.jobs);
  registerDeadLetterRoutes(app, deps.deadLetters);
  registerExecutionRoutes(app, deps.history);
  registerOperationRoutes(app, deps);
  registerConfigRoutes(app, deps.config, deps.status);
  registerSchedulerRoutes(app, deps.control);

  registerUnversionedPaths(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'One of the keys in SCHEDULER_API_KEYS.',
  });
  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= withOperationIds(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Serverless job scheduler',
          version: deps.version ?? '0.0.0',
          description: 'Cron, interval and one-time jobs on AWS.',
        },
        security: [{ apiKey: [] }],
      }),
    );
    return c.json(document);
  });
  return app;
}

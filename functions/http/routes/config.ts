/** The operator's routes: the runtime settings (GET and PUT /v1/config) and the status (GET /v1/status). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { settingsInput, settingsView, type ConfigService } from '../../../core/service/config-service.js';
import type { StatusService } from '../../../core/service/status-service.js';
import { expectedVersion, ifMatch, jsonBody } from '../request.js';
import { BODY_ERRORS, errors, json, settingsSchema, statusSchema } from '../schemas.js';

const TAG = ['Operations'];
const etagHeader = { ETag: { schema: { type: 'string' as const }, description: "The settings' version, for `If-Match`." } };
const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({
      param: { name: 'if-match', in: 'header' },
      description: 'The `ETag` of the settings this change replaces (`"0"` while none were stored); 412 when they changed since.',
    }),
});

export function registerConfigRoutes(app: OpenAPIHono, config: ConfigService, status: StatusService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/status',
      tags: TAG,
      summary: 'The last tick, the tick schedule, the backlog and the version',
      responses: { 200: json(statusSchema, 'How the scheduler is doing.'), ...errors() },
    }),
    async (c) => c.json(await status.status(), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/config',
      tags: TAG,
      summary: 'The runtime settings',
      description: 'Version 0 means none were stored: the configured defaults apply.',
      responses: { 200: { ...json(settingsSchema, 'The settings and their version.'), headers: etagHeader }, ...errors() },
    }),
    async (c) => {
      const stored = await config.get();
      c.header('ETag', `"${stored.version}"`);
      return c.json(settingsView(stored), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/config',
      tags: TAG,
      summary: 'Replace the runtime settings',
      description:
        'The whole settings. Every process applies them within 30 s (`maxConcurrency` to handlers started after that; ' +
        '`jobDefaults` to jobs created after it).',
      middleware: [ifMatch, jsonBody('required')],
      request: {
        headers: ifMatchHeaders,
        body: { content: { 'application/json': { schema: settingsInput } }, required: true },
      },
      responses: { 200: { ...json(settingsSchema, 'The settings as stored now.'), headers: etagHeader }, ...errors(412, ...BODY_ERRORS) },
    }),
    async (c) => {
      const stored = await config.put(c.req.valid('json'), { expectedVersion: expectedVersion(c) });
      c.header('ETag', `"${stored.version}"`);
      return c.json(settingsView(stored), 200);
    },
  );
}

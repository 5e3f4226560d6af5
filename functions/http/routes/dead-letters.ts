/** Dead letters: list, redrive, discard. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { redriveRequest, type DeadLetterService } from '../../../core/execution/dead-letters.js';
import { HttpError } from '../errors.js';
import { jsonBody, knownId } from '../request.js';
import { BODY_ERRORS, deadLetterSchema, errors, idParams, json, pageOf, pageQuery } from '../schemas.js';
import { pageBody } from '../views.js';

const TAG = ['Dead letters'];

const redriveResult = z
  .object({
    redriven: z.array(z.string()),
    notFound: z.array(z.string()),
    remaining: z
      .array(z.string())
      .openapi({ description: 'Not attempted in this request (the rate allows only so many): send them again.' }),
    more: z.boolean().openapi({ description: 'With `all`: more dead letters remain past the per-request limit.' }),
  })
  .openapi('RedriveResult');

export function registerDeadLetterRoutes(app: OpenAPIHono, deadLetters: DeadLetterService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/dead-letters',
      tags: TAG,
      summary: 'Occurrences that ran out of attempts, newest first',
      request: { query: pageQuery },
      responses: { 200: json(pageOf('deadLetters', deadLetterSchema), 'A page of dead letters.'), ...errors() },
    }),
    async (c) => {
      const page = await deadLetters.list(c.req.valid('query'));
      return c.json(
        pageBody('deadLetters', page, (d) => d),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/dead-letters/redrive',
      tags: TAG,
      summary: 'Run dead letters again',
      middleware: [jsonBody('required')],
      request: { body: { content: { 'application/json': { schema: redriveRequest } }, required: true } },
      responses: { 200: json(redriveResult, 'What was sent again.'), ...errors(422, ...BODY_ERRORS) },
    }),
    async (c) => c.json(await deadLetters.redrive(await c.req.json()), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/dead-letters/{id}',
      tags: TAG,
      summary: 'Discard a dead letter',
      request: { params: idParams },
      responses: { 204: { description: 'Discarded.' }, ...errors(404) },
    }),
    async (c) => {
      const id = knownId(c.req.valid('param').id, 'dead letter');
      if (!(await deadLetters.discard(id))) throw new HttpError(404, 'not_found', `no dead letter ${id}`);
      return c.body(null, 204);
    },
  );
}

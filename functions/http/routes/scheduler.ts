/** Pausing and resuming the whole scheduler: POST /v1/scheduler/pause and /resume. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { schedulerControlRequest, WHAT_A_PAUSE_LEAVES, type SchedulerControlService } from '../../../core/service/scheduler-control.js';
import { jsonBody } from '../request.js';
import { BODY_ERRORS, errors, instant, json } from '../schemas.js';

const TAG = ['Operations'];

const pauseRecord = z.object({ pausedAt: instant, by: z.string().optional(), note: z.string().optional() }).openapi('SchedulerPause');

const controlAnswer = z
  .object({
    paused: z.boolean().openapi({ description: 'Whether the scheduler is paused now.' }),
    changed: z.boolean().openapi({ description: 'False when it already was as asked: nothing changed.' }),
    pause: pauseRecord.nullable().openapi({ description: 'The pause in effect (null once resumed).' }),
    ended: pauseRecord.nullable().openapi({ description: 'The pause a resume ended (null otherwise).' }),
    schedule: z.enum(['enabled', 'disabled', 'unknown']).openapi({ description: 'The tick schedule, as this call left it.' }),
    message: z.string().openapi({ description: 'What is in effect, in words.' }),
  })
  .openapi('SchedulerControl');

const INCOMPLETE =
  'The tick schedule (EventBridge Scheduler) could not be changed: `message` says what is in effect (the pause record ' +
  'is the authority: a paused scheduler stays paused). Send the same request again to finish; it is idempotent.';

export function registerSchedulerRoutes(app: OpenAPIHono, control: SchedulerControlService): void {
  for (const action of ['pause', 'resume'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/scheduler/${action}`,
        tags: TAG,
        summary: action === 'pause' ? 'Pause the whole scheduler' : 'Resume the whole scheduler',
        description:
          action === 'pause'
            ? `Records the pause, then disables the tick's schedule. ${WHAT_A_PAUSE_LEAVES} ` +
              'Jobs can still be created, edited, paused and resumed; what they would send goes out after the resume. ' +
              'Pausing a paused scheduler changes nothing (`changed: false`).'
            : "Enables the tick's schedule, then clears the pause. The next tick works through the paused time; each job's " +
              'misfire policy decides what of it runs (`skip`, `once`, `all`). Resuming a running scheduler changes nothing.',
        middleware: [jsonBody('optional')],
        request: { body: { content: { 'application/json': { schema: schedulerControlRequest } }, required: false } },
        responses: {
          200: json(controlAnswer, action === 'pause' ? 'Paused (or already was).' : 'Running (or already was).'),
          ...errors(409, ...BODY_ERRORS),
          503: { ...errors()[503], description: `${INCOMPLETE} Also: the store is unavailable (nothing changed).` },
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const answer = action === 'pause' ? await control.pause(body) : await control.resume(body);
        return c.json(answer, 200);
      },
    );
  }
}

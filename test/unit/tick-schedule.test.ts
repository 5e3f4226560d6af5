/**
 * The tick's schedule: the TickSchedule contract on every adapter (memory, the local
 * ticker's, EventBridge Scheduler's over a mocked SDK that keeps a schedule as AWS
 * would), UpdateSchedule carrying every field GetSchedule gave, and the API's pause
 * and resume when EventBridge Scheduler fails at each call: never a 500, the answer
 * says what is in effect, and sending it again converges.
 */
import {
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
  type GetScheduleCommandOutput,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeTickSchedule, UnconfiguredTickSchedule } from '../../adapters/aws/eventbridge-tick-schedule.js';
import { FixedTickSchedule } from '../../adapters/memory/memory-tick-log.js';
import { LocalTickSchedule } from '../../local/ticker.js';
import { StoreUnavailableError, TickScheduleError } from '../../core/kernel/errors.js';
import { testApp } from '../helpers/app.js';
import { MemoryLogger } from '../helpers/factories.js';
import { tickScheduleContract } from '../integration/contracts/tick-schedule.contract.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
type Body = any;

const scheduler = mockClient(SchedulerClient);

/** A schedule as SST's CronV2 makes one: every field UpdateSchedule takes, set. */
const deployed = (): GetScheduleCommandOutput => ({
  $metadata: {},
  Arn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/ticks/tick',
  Name: 'tick',
  GroupName: 'ticks',
  ScheduleExpression: 'rate(1 minute)',
  ScheduleExpressionTimezone: 'UTC',
  StartDate: new Date('2026-01-01T00:00:00Z'),
  EndDate: new Date('2030-01-01T00:00:00Z'),
  Description: 'the tick',
  KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
  State: 'ENABLED',
  CreationDate: new Date('2026-01-01T00:00:00Z'),
  LastModificationDate: new Date('2026-01-01T00:00:00Z'),
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'NONE',
  Target: {
    Arn: 'arn:aws:lambda:us-east-1:123456789012:function:tick',
    RoleArn: 'arn:aws:iam::123456789012:role/tick-invoker',
    Input: '{"source":"scheduler"}',
    RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:tick-dlq' },
  },
});

/** The mocked service keeps the schedule: UpdateSchedule replaces it with exactly what it was given, as AWS does. */
function serve(initial = deployed()) {
  let current: GetScheduleCommandOutput = initial;
  const updates: UpdateScheduleCommandInput[] = [];
  scheduler.on(GetScheduleCommand).callsFake(() => structuredClone(current));
  scheduler.on(UpdateScheduleCommand).callsFake((input: UpdateScheduleCommandInput) => {
    updates.push(input);
    current = {
      $metadata: {},
      Arn: current.Arn,
      CreationDate: current.CreationDate,
      ...structuredClone(input),
    };
    return { ScheduleArn: current.Arn };
  });
  return { updates, current: () => current };
}

const eventBridge = () => new EventBridgeTickSchedule(new SchedulerClient({ region: 'us-east-1' }), 'tick', new MemoryLogger(), 'ticks');

afterEach(() => scheduler.reset());

tickScheduleContract('memory', async () => new FixedTickSchedule());
tickScheduleContract('the local ticker', async () => new LocalTickSchedule());
describe('on a mocked EventBridge Scheduler', () => {
  beforeEach(() => void serve());
  tickScheduleContract('EventBridge Scheduler', async () => eventBridge());
});

describe('EventBridgeTickSchedule', () => {
  it('changes only State: UpdateSchedule gets every other field GetSchedule gave', async () => {
    const service = serve();
    await eventBridge().setState('disabled');
    const { State, ...rest } = service.updates[0]!;
    expect(State).toBe('DISABLED');
    const { $metadata: _m, Arn: _a, CreationDate: _c, LastModificationDate: _l, State: _s, ...expected } = deployed();
    expect(rest).toEqual(expected);
    // Round trip: enabled again, the schedule is as deployed in every field.
    await eventBridge().setState('enabled');
    const { $metadata: _m2, LastModificationDate: _l2, ...after } = service.current();
    const { $metadata: _m3, LastModificationDate: _l3, ...before } = deployed();
    expect(after).toEqual(before);
  });

  it('sends no UpdateSchedule for the state it has; reads it with the group', async () => {
    const service = serve();
    await eventBridge().setState('enabled');
    expect(service.updates).toEqual([]);
    expect(scheduler.commandCalls(GetScheduleCommand)[0]!.args[0].input).toEqual({ Name: 'tick', GroupName: 'ticks' });
  });

  it('leaves out what the schedule does not have (no undefined fields)', async () => {
    const service = serve({
      $metadata: {},
      Name: 'tick',
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: 'a', RoleArn: 'r' },
    });
    await eventBridge().setState('disabled');
    expect(Object.keys(service.updates[0]!).sort()).toEqual([
      'FlexibleTimeWindow',
      'GroupName',
      'Name',
      'ScheduleExpression',
      'State',
      'Target',
    ]);
  });

  it('maps states, and a failure or anything else to unknown', async () => {
    for (const [answer, state] of [
      ['ENABLED', 'enabled'],
      ['DISABLED', 'disabled'],
      [undefined, 'unknown'],
    ] as const) {
      scheduler.on(GetScheduleCommand).resolves({ State: answer });
      expect(await eventBridge().state()).toBe(state);
    }
    scheduler.on(GetScheduleCommand).rejects(new Error('AccessDenied'));
    expect(await eventBridge().state()).toBe('unknown');
  });

  it('turns each failure into TickScheduleError with its reason, keeping the cause', async () => {
    const cases = [
      [new ResourceNotFoundException({ message: 'no such schedule', Message: 'no such schedule', $metadata: {} }), 'not_found'],
      [new ThrottlingException({ message: 'slow down', Message: 'slow down', $metadata: { httpStatusCode: 429 } }), 'throttled'],
      [new ValidationException({ message: 'bad', Message: 'bad', $metadata: { httpStatusCode: 400 } }), 'refused'],
      [
        Object.assign(new Error('InternalServerException'), { name: 'InternalServerException', $metadata: { httpStatusCode: 500 } }),
        'unavailable',
      ],
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unavailable'],
    ] as const;
    for (const [error, reason] of cases) {
      for (const failing of ['get', 'update'] as const) {
        scheduler.reset();
        if (failing === 'get') scheduler.on(GetScheduleCommand).rejects(error);
        else {
          scheduler.on(GetScheduleCommand).resolves(deployed());
          scheduler.on(UpdateScheduleCommand).rejects(error);
        }
        const thrown = await eventBridge()
          .setState('disabled')
          .catch((e: unknown) => e);
        expect(thrown, `${reason} at ${failing}`).toBeInstanceOf(TickScheduleError);
        expect(thrown).toMatchObject({ reason, cause: error });
      }
    }
  });

  it('an unconfigured schedule is unknown and cannot be set', async () => {
    expect(await new UnconfiguredTickSchedule().state()).toBe('unknown');
    await expect(new UnconfiguredTickSchedule().setState('disabled')).rejects.toMatchObject({ reason: 'not_configured' });
  });
});

const auth = { authorization: 'Bearer k', 'content-type': 'application/json' };

describe('POST /v1/scheduler/pause and /resume over EventBridge Scheduler', () => {
  const call = async (app: { request: (p: string, i: RequestInit) => Response | Promise<Response> }, path: string) => {
    const res = await app.request(path, { method: 'POST', headers: auth, body: '{"by":"ana"}' });
    return { status: res.status, body: (await res.json()) as Body, retryAfter: res.headers.get('retry-after') };
  };
  const world = () => testApp({ now: '2026-03-01T10:00:00.000Z', tickSchedule: eventBridge() });

  it('pauses: the record, then the schedule disabled; resumes: the schedule enabled, then the record cleared', async () => {
    const service = serve();
    const t = world();
    const paused = await call(t.app, '/v1/scheduler/pause');
    expect(paused).toMatchObject({ status: 200, body: { paused: true, changed: true, schedule: 'disabled' } });
    expect(service.current().State).toBe('DISABLED');
    expect((await call(t.app, '/v1/scheduler/pause')).body).toMatchObject({ paused: true, changed: false });
    expect(service.updates).toHaveLength(1);
    const resumed = await call(t.app, '/v1/scheduler/resume');
    expect(resumed).toMatchObject({ status: 200, body: { paused: false, changed: true, schedule: 'enabled' } });
    expect(service.current().State).toBe('ENABLED');
    expect(await t.schedulerPause.get()).toBeUndefined();
    expect((await call(t.app, '/v1/scheduler/resume')).body).toMatchObject({ paused: false, changed: false });
  });

  for (const [what, fail] of [
    ['GetSchedule throws', () => scheduler.on(GetScheduleCommand).rejects(new Error('socket hang up'))],
    [
      'UpdateSchedule throws',
      () => scheduler.on(UpdateScheduleCommand).rejects(Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 500 } })),
    ],
    [
      'the schedule is not found',
      () => scheduler.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} })),
    ],
    [
      'UpdateSchedule is throttled',
      () =>
        scheduler
          .on(UpdateScheduleCommand)
          .rejects(new ThrottlingException({ message: 'slow', Message: 'slow', $metadata: { httpStatusCode: 429 } })),
    ],
  ] as const) {
    it(`${what}: a pause is 503, says it is paused (the record stays), and a retry converges`, async () => {
      const service = serve();
      const t = world();
      fail();
      const failed = await call(t.app, '/v1/scheduler/pause');
      expect(failed.status).toBe(503);
      expect(failed.retryAfter).toBe('5');
      expect(failed.body.error).toMatchObject({ code: 'schedule_unavailable', details: [{ path: 'schedule' }] });
      expect(failed.body.error.message).toMatch(/is paused/);
      expect(await t.schedulerPause.get()).toMatchObject({ by: 'ana' });
      const status = (await (await t.app.request('/v1/status', { headers: auth })).json()) as Body;
      expect(status.pause.paused).toBe(true);
      expect(status.schedule === 'unknown' || status.pause.mismatch !== null).toBe(true);

      scheduler.reset();
      serve(service.current());
      const retried = await call(t.app, '/v1/scheduler/pause');
      expect(retried).toMatchObject({ status: 200, body: { paused: true, changed: false, schedule: 'disabled' } });
      const after = (await (await t.app.request('/v1/status', { headers: auth })).json()) as Body;
      expect(after).toMatchObject({ schedule: 'disabled', pause: { paused: true, mismatch: null } });
    });

    it(`${what}: a resume is 503, the scheduler stays paused, and a retry converges`, async () => {
      const service = serve();
      const t = world();
      await call(t.app, '/v1/scheduler/pause');
      fail();
      const failed = await call(t.app, '/v1/scheduler/resume');
      expect(failed.status).toBe(503);
      expect(failed.body.error.code).toBe('schedule_unavailable');
      expect(failed.body.error.message).toMatch(/still paused/);
      expect(await t.schedulerPause.get()).toBeDefined();
      scheduler.reset();
      const again = serve(service.current());
      expect(await call(t.app, '/v1/scheduler/resume')).toMatchObject({ status: 200, body: { paused: false, changed: true } });
      expect(again.current().State).toBe('ENABLED');
    });
  }

  it('flags a half-done pause and a schedule disabled behind its back in the status', async () => {
    const service = serve();
    const t = world();
    await t.schedulerPause.pause({ pausedAt: '2026-03-01T10:00:00.000Z' });
    const half = (await (await t.app.request('/v1/status', { headers: auth })).json()) as Body;
    expect(half.pause.mismatch).toMatch(/pause did not finish/);
    await t.schedulerPause.resume();
    service.current().State = 'DISABLED';
    const off = (await (await t.app.request('/v1/status', { headers: auth })).json()) as Body;
    expect(off.pause.mismatch).toMatch(/nothing is sent/);
  });

  it('a store that fails before the record is written changes nothing: 503, the schedule untouched', async () => {
    const service = serve();
    const t = world();
    t.schedulerPause.fail = () => new StoreUnavailableError('DynamoDB PutItem failed');
    const res = await t.app.request('/v1/scheduler/pause', { method: 'POST', headers: auth });
    expect(res.status).toBe(503);
    expect(((await res.json()) as Body).error.code).toBe('unavailable');
    expect(service.updates).toEqual([]);
  });
});

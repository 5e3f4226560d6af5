/**
 * TickSchedule over EventBridge Scheduler: GetSchedule for the state, and
 * GetSchedule then UpdateSchedule to turn it on or off. UpdateSchedule replaces the
 * whole schedule (a field left out is reset, not kept), so every field it takes is
 * copied from what GetSchedule answered and only `State` changes. A schedule
 * already in the wanted state is left alone (no write). The state never fails: any
 * failure, or a state it does not know, is `unknown`; a change that fails throws
 * TickScheduleError with the reason, never the SDK's own error.
 */
import {
  GetScheduleCommand,
  UpdateScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { TickScheduleError } from '../../core/kernel/errors.js';
import type { Logger } from '../../core/kernel/ports.js';
import type { TickSchedule, TickScheduleState } from '../../core/dispatch/ports.js';
import { isThrottling, isUnavailable } from './aws-errors.js';

type SchedulerSend = Pick<SchedulerClient, 'send'>;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The SDK's failure as the domain's, by its name and metadata (never its message text). */
export function tickScheduleError(error: unknown, action: string, schedule: string): TickScheduleError {
  const name = (error as { name?: string } | undefined)?.name;
  const options = { cause: error };
  if (name === 'ResourceNotFoundException')
    return new TickScheduleError('not_found', `EventBridge Scheduler has no schedule ${schedule} (${action})`, options);
  if (isThrottling(error)) return new TickScheduleError('throttled', `EventBridge Scheduler throttled ${action} of ${schedule}`, options);
  // ConflictException: another change of the schedule at the same moment; a retry goes through.
  if (isUnavailable(error) || name === 'InternalServerException' || name === 'ConflictException')
    return new TickScheduleError('unavailable', `EventBridge Scheduler could not ${action} ${schedule}: ${describe(error)}`, options);
  return new TickScheduleError('refused', `EventBridge Scheduler refused ${action} of ${schedule}: ${describe(error)}`, options);
}

/** Every field UpdateSchedule takes, as GetSchedule gave it, with only the state changed. */
export function updateInputOf(
  current: GetScheduleCommandOutput,
  name: string,
  groupName: string | undefined,
  state: 'ENABLED' | 'DISABLED',
) {
  const input: UpdateScheduleCommandInput = {
    Name: current.Name ?? name,
    GroupName: current.GroupName ?? groupName,
    ScheduleExpression: current.ScheduleExpression,
    ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
    StartDate: current.StartDate,
    EndDate: current.EndDate,
    Description: current.Description,
    KmsKeyArn: current.KmsKeyArn,
    Target: current.Target,
    FlexibleTimeWindow: current.FlexibleTimeWindow,
    ActionAfterCompletion: current.ActionAfterCompletion,
    State: state,
  };
  // Left out rather than sent as undefined: the request carries only what the schedule has.
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as UpdateScheduleCommandInput;
}

export class EventBridgeTickSchedule implements TickSchedule {
  constructor(
    private readonly client: SchedulerSend,
    private readonly name: string,
    private readonly logger: Logger,
    private readonly groupName?: string,
  ) {}

  private get key() {
    return { Name: this.name, ...(this.groupName ? { GroupName: this.groupName } : {}) };
  }

  private get label(): string {
    return this.groupName ? `${this.groupName}/${this.name}` : this.name;
  }

  async state(): Promise<TickScheduleState> {
    try {
      const out = await this.client.send(new GetScheduleCommand(this.key));
      if (out.State === 'ENABLED') return 'enabled';
      if (out.State === 'DISABLED') return 'disabled';
      return 'unknown';
    } catch (error) {
      this.logger.warn('could not read the tick schedule', { schedule: this.label, error: describe(error) });
      return 'unknown';
    }
  }

  async setState(state: 'enabled' | 'disabled'): Promise<void> {
    const wanted = state === 'enabled' ? 'ENABLED' : 'DISABLED';
    let current: GetScheduleCommandOutput;
    try {
      current = await this.client.send(new GetScheduleCommand(this.key));
    } catch (error) {
      throw tickScheduleError(error, 'GetSchedule', this.label);
    }
    if (current.State === wanted) return;
    try {
      await this.client.send(new UpdateScheduleCommand(updateInputOf(current, this.name, this.groupName, wanted)));
    } catch (error) {
      throw tickScheduleError(error, 'UpdateSchedule', this.label);
    }
    this.logger.info(state === 'enabled' ? 'enabled the tick schedule' : 'disabled the tick schedule', { schedule: this.label });
  }
}

/**
 * No schedule named (SCHEDULER_TICK_SCHEDULE_NAME unset): its state is unknown, and a
 * pause can record itself (the ticks obey that) but not disable the schedule.
 */
export class UnconfiguredTickSchedule implements TickSchedule {
  state(): Promise<TickScheduleState> {
    return Promise.resolve('unknown');
  }

  setState(_state: 'enabled' | 'disabled'): Promise<void> {
    return Promise.reject(
      new TickScheduleError('not_configured', 'no tick schedule is configured (SCHEDULER_TICK_SCHEDULE_NAME is not set)'),
    );
  }
}

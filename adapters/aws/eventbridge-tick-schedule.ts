/**
 * TickSchedule over EventBridge Scheduler's GetSchedule. The call is injected (the
 * SDK client's `send` bound to a GetScheduleCommand), so this adapter needs no SDK
 * package of its own and is tested with a stand-in (or aws-sdk-client-mock). Any
 * failure, or a state it does not know, is `unknown`: the status never fails for it.
 */
import type { Logger } from '../../core/kernel/ports.js';
import type { TickSchedule } from '../../core/dispatch/ports.js';

export type GetSchedule = (input: { Name: string; GroupName?: string }) => Promise<{ State?: string }>;

export class EventBridgeTickSchedule implements TickSchedule {
  constructor(
    private readonly getSchedule: GetSchedule,
    private readonly name: string,
    private readonly logger: Logger,
    private readonly groupName?: string,
  ) {}

  async state(): Promise<'enabled' | 'disabled' | 'unknown'> {
    try {
      const out = await this.getSchedule({ Name: this.name, ...(this.groupName ? { GroupName: this.groupName } : {}) });
      if (out.State === 'ENABLED') return 'enabled';
      if (out.State === 'DISABLED') return 'disabled';
      return 'unknown';
    } catch (error) {
      this.logger.warn('could not read the tick schedule', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return 'unknown';
    }
  }
}

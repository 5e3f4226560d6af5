/** What every TickSchedule adapter must do; run against memory, the local ticker's and EventBridge Scheduler's (mocked SDK). */
import { describe, expect, it } from 'vitest';
import type { TickSchedule } from '../../../core/dispatch/ports.js';

export function tickScheduleContract(name: string, make: () => Promise<TickSchedule>): void {
  describe(`TickSchedule contract: ${name}`, () => {
    it('is enabled to begin with, and says what it was set to', async () => {
      const schedule = await make();
      expect(await schedule.state()).toBe('enabled');
      await schedule.setState('disabled');
      expect(await schedule.state()).toBe('disabled');
      await schedule.setState('enabled');
      expect(await schedule.state()).toBe('enabled');
    });

    it('takes the state it has already, again and again (idempotent)', async () => {
      const schedule = await make();
      await schedule.setState('enabled');
      await schedule.setState('disabled');
      await schedule.setState('disabled');
      expect(await schedule.state()).toBe('disabled');
      await Promise.all([schedule.setState('enabled'), schedule.setState('enabled')]);
      expect(await schedule.state()).toBe('enabled');
    });
  });
}

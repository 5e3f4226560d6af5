/** The tick's record for GET /v1/status, on memory, DynamoDB Local and dynalite: one item, the last run wins. */
import { describe, expect, it } from 'vitest';
import { DynamoTickLog } from '../../adapters/aws/dynamo-tick-log.js';
import { MemoryTickLog } from '../../adapters/memory/memory-tick-log.js';
import type { TickLog } from '../../core/dispatch/ports.js';
import { onEachDynamoBackend } from './backends.js';

function tickLogContract(name: string, make: () => Promise<TickLog>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip)(`TickLog contract: ${name}`, () => {
    it('has no run before the first, then the last one recorded, as it was recorded', async () => {
      const log = await make();
      expect(await log.last()).toBeUndefined();
      const run = { startedAt: '2026-01-01T00:00:30.000Z', durationMs: 412, sent: 37, slots: 2, recovered: 0 };
      await log.record(run);
      await log.record({ ...run, startedAt: '2026-01-01T00:01:30.000Z', sent: 3 });
      expect(await log.last()).toEqual({ ...run, startedAt: '2026-01-01T00:01:30.000Z', sent: 3 });
    });
  });
}

tickLogContract('memory', async () => new MemoryTickLog());
onEachDynamoBackend(tickLogContract, ({ db, names }) => new DynamoTickLog(db, names.executionsTable));

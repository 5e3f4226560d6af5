/** TickLog in the ledger table: one item, `#tick` / `last-run`, put by every tick (see storage-layout.ts). */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TickLog, TickRun } from '../../core/dispatch/ports.js';
import { callAws } from './aws-errors.js';
import { TICK_RUN_KEY } from './storage-layout.js';

export class DynamoTickLog implements TickLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(run: TickRun): Promise<void> {
    await callAws('DynamoDB', 'PutItem', () =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...TICK_RUN_KEY, ...run } })),
    );
  }

  async last(): Promise<TickRun | undefined> {
    const out = await callAws('DynamoDB', 'GetItem', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: TICK_RUN_KEY })));
    if (!out.Item) return undefined;
    const { startedAt, durationMs, sent, slots, recovered, paused } = out.Item as TickRun;
    return { startedAt, durationMs, sent, slots, recovered, ...(paused ? { paused } : {}) };
  }
}

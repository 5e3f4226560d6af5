/**
 * SchedulerPauseStore on the jobs table: one item, `CONFIG#scheduler-pause` (see
 * storage-layout.ts), there while the scheduler is paused. A pause is a conditional
 * put (the first pause stays in effect, with its instant, who and why); a resume
 * deletes it and reads back what it deleted, in one call each.
 */
import { type DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SchedulerPause, SchedulerPauseStore } from '../../core/settings/scheduler-pause.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { SCHEDULER_PAUSE_KEY } from './storage-layout.js';

function fromItem(item: Record<string, unknown> | undefined): SchedulerPause | undefined {
  if (!item) return undefined;
  return {
    pausedAt: item.pausedAt as string,
    ...(typeof item.by === 'string' ? { by: item.by } : {}),
    ...(typeof item.note === 'string' ? { note: item.note } : {}),
  };
}

export class DynamoSchedulerPauseStore implements SchedulerPauseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<SchedulerPause | undefined> {
    const out = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: SCHEDULER_PAUSE_KEY, ConsistentRead: true })),
    );
    return fromItem(out.Item);
  }

  async pause(pause: SchedulerPause): Promise<{ changed: boolean; pause: SchedulerPause }> {
    try {
      await callAws('DynamoDB', 'PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...SCHEDULER_PAUSE_KEY, ...pause },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return { changed: true, pause };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.get();
      // Resumed between the two calls: this pause can be written now.
      return existing ? { changed: false, pause: existing } : this.pause(pause);
    }
  }

  async resume(): Promise<SchedulerPause | undefined> {
    const out = await callAws('DynamoDB', 'DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: SCHEDULER_PAUSE_KEY, ReturnValues: 'ALL_OLD' })),
    );
    return fromItem(out.Attributes);
  }
}

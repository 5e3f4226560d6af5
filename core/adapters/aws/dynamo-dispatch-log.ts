/**
 * The dispatch log in the ledger table, under the reserved partition `#dispatch`
 * (job ids are UUIDs, so it meets no job). One item per entry; refs are stored
 * as compact JSON to stay small.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_REFS_PER_ENTRY, type DispatchEntry, type DispatchRef } from '../../dispatch-log.js';
import type { DispatchLog } from '../../ports.js';
import { callAws } from './aws-errors.js';

export const DISPATCH_PARTITION = '#dispatch';

type Packed = [jobId: string, scheduledFor: string, sentAt: string][];

export class DynamoDispatchLog implements DispatchLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private put(entry: DispatchEntry): Promise<unknown> {
    const refs: Packed = entry.refs.map((r) => [r.jobId, r.scheduledFor, r.sentAt]);
    return callAws('DynamoDB', 'PutItem', () =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: { jobId: DISPATCH_PARTITION, scheduledFor: entry.id, at: entry.at, refs: JSON.stringify(refs) } })),
    );
  }

  async record(refs: DispatchRef[], at: string): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < refs.length; i += MAX_REFS_PER_ENTRY) {
      writes.push(this.put({ id: `${at}#${randomUUID()}`, at, refs: refs.slice(i, i + MAX_REFS_PER_ENTRY) }));
    }
    await Promise.all(writes);
  }

  async pending(before: string, limit: number): Promise<DispatchEntry[]> {
    const out = await callAws('DynamoDB', 'Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'jobId = :partition AND scheduledFor < :before',
          ExpressionAttributeValues: { ':partition': DISPATCH_PARTITION, ':before': before },
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []).map((item) => ({
      id: item.scheduledFor as string,
      at: item.at as string,
      refs: (JSON.parse(item.refs as string) as Packed).map(([jobId, scheduledFor, sentAt]) => ({ jobId, scheduledFor, sentAt })),
    }));
  }

  async settle(entry: DispatchEntry, open: DispatchRef[]): Promise<void> {
    if (open.length > 0) {
      await this.put({ ...entry, refs: open });
      return;
    }
    await callAws('DynamoDB', 'DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { jobId: DISPATCH_PARTITION, scheduledFor: entry.id } })),
    );
  }
}

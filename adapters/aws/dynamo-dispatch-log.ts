/**
 * The dispatch log in the ledger table, under the reserved partition `#dispatch`
 * (job ids are UUIDs, so it meets no job). One item per entry; refs are stored
 * as compact JSON to stay small: the log is written for every occurrence sent.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_REFS_PER_ENTRY, type DispatchEntry, type DispatchRef } from '../../core/dispatch/dispatch-log.js';
import type { DispatchLog } from '../../core/dispatch/ports.js';
import { callAws } from './aws-errors.js';
import { queryAll } from './dynamo-batch.js';
import { DISPATCH_PARTITION } from './storage-layout.js';

/** Instants as epoch milliseconds, and `sentAt` only where it is not the entry's own time: about 55 bytes a ref. */
type Packed = ([jobId: string, scheduledForMs: number] | [jobId: string, scheduledForMs: number, sentAtMs: number])[];

export class DynamoDispatchLog implements DispatchLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private put(entry: DispatchEntry): Promise<unknown> {
    const refs: Packed = entry.refs.map((r) =>
      r.sentAt === entry.at ? [r.jobId, Date.parse(r.scheduledFor)] : [r.jobId, Date.parse(r.scheduledFor), Date.parse(r.sentAt)],
    );
    return callAws('DynamoDB', 'PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { jobId: DISPATCH_PARTITION, scheduledFor: entry.id, at: entry.at, refs: JSON.stringify(refs) },
        }),
      ),
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
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'jobId = :partition AND scheduledFor < :before',
        ExpressionAttributeValues: { ':partition': DISPATCH_PARTITION, ':before': before },
      },
      limit,
    );
    return items.map((item) => ({
      id: item.scheduledFor as string,
      at: item.at as string,
      refs: (JSON.parse(item.refs as string) as Packed).map(([jobId, scheduledForMs, sentAtMs]) => ({
        jobId,
        scheduledFor: new Date(scheduledForMs).toISOString(),
        sentAt: sentAtMs === undefined ? (item.at as string) : new Date(sentAtMs).toISOString(),
      })),
    }));
  }

  /** The open refs are written anew before the old entry goes: a crash in between leaves a copy, never a loss. */
  async settle(entry: DispatchEntry, open: DispatchRef[], at: string): Promise<void> {
    if (open.length > 0) await this.record(open, at);
    await callAws('DynamoDB', 'DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { jobId: DISPATCH_PARTITION, scheduledFor: entry.id } })),
    );
  }
}

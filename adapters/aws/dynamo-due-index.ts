/**
 * The due index in the ledger table, under reserved partitions (job ids never
 * start with `#`):
 * - `#due#<shard>`: slot items, sorted by `<slot>#<source>#<chunk>`; each carries
 *   up to ENTRIES_PER_ITEM entries packed as compact JSON, so one write moves
 *   hundreds of jobs. Jobs spread over shards by id: no hot partition.
 * - `#tick` / `progress`: the next slot the tick has to process.
 * - `#tick` / `plan`: the slot a tick works on and when it first planned it, so that
 *   a tick repeating the slot after a crash plans it the same way.
 * - `#tick` / `layout`: the most shards entries were ever written to. The tick
 *   reads every one of them, so that running with fewer shards than before (a
 *   changed SCHEDULER_DUE_SHARDS) loses no entry; new entries go to the shards
 *   configured now, and the old ones drain as their slots come.
 * - `#inbox`: chains the API started, sorted by submission.
 * Slot items expire through the table's TTL (`expiresAt`) a week after their
 * slot; TTL deletes cost no write units.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { slotOf, type DueEntry, type SubmittedEntry } from '../../core/dispatch/due-index.js';
import type { DueIndex } from '../../core/dispatch/ports.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { batchWrite, queryAll } from './dynamo-batch.js';
import { fnv1a32 } from '../../core/kernel/hash.js';
import {
  dueSlotPartition,
  dueSlotSortKey,
  inboxKey,
  INBOX_PARTITION,
  SHARD_LAYOUT_KEY as LAYOUT_KEY,
  TICK_PLAN_KEY as PLAN_KEY,
  TICK_PROGRESS_KEY as PROGRESS_KEY,
} from './storage-layout.js';

/** About 50 bytes an entry: items of 20 KB, 50 to a 1 MB query page. */
export const ENTRIES_PER_ITEM = 400;
const KEEP_SLOTS_SECONDS = 7 * 86_400;
/** The most shards there can be (SCHEDULER_DUE_SHARDS is refused above it): what a store without a layout record is probed for. */
export const MAX_DUE_SHARDS = 64;

/** A stable shard per job spreads the index over partitions. */
export function dueShardOf(jobId: string, shards: number): string {
  return String(fnv1a32(jobId) % shards);
}

type Packed = [jobId: string, rev: number, fromMs: number, runs: number][];

const pack = (entries: DueEntry[]): string =>
  JSON.stringify(entries.map((e): Packed[number] => [e.jobId, e.rev, Date.parse(e.from), e.runs]));
const unpack = (packed: string): DueEntry[] =>
  (JSON.parse(packed) as Packed).map(([jobId, rev, fromMs, runs]) => ({ jobId, rev, from: new Date(fromMs).toISOString(), runs }));

export class DynamoDueIndex implements DueIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly shards: number,
  ) {}

  private layout?: Promise<number>;

  private partition(shard: number | string): string {
    return dueSlotPartition(shard);
  }

  /** Shards to read: the most ever written to, recorded before this process writes to more. */
  private shardsToRead(): Promise<number> {
    this.layout ??= this.loadLayout().catch((error: unknown) => {
      this.layout = undefined;
      throw error;
    });
    return this.layout;
  }

  private async loadLayout(): Promise<number> {
    const out = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: LAYOUT_KEY, ConsistentRead: true })),
    );
    let recorded = out.Item?.shards as number | undefined;
    if (recorded === undefined) {
      // Written before layouts were recorded: look for entries in every shard there can be.
      const used = await Promise.all(
        Array.from({ length: MAX_DUE_SHARDS }, async (_, shard) => {
          const [item] = await queryAll(
            this.db,
            {
              TableName: this.tableName,
              KeyConditionExpression: 'jobId = :p',
              ExpressionAttributeValues: { ':p': this.partition(shard) },
              ProjectionExpression: 'jobId',
            },
            1,
          );
          return item ? shard + 1 : 0;
        }),
      );
      recorded = Math.max(0, ...used);
    }
    if (recorded < this.shards || out.Item === undefined) {
      await callAws('DynamoDB', 'UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: LAYOUT_KEY,
            UpdateExpression: 'SET shards = :n',
            ConditionExpression: 'attribute_not_exists(shards) OR shards < :n',
            ExpressionAttributeValues: { ':n': Math.max(recorded, this.shards) },
          }),
        ),
      ).catch((error: unknown) => {
        // Another process recorded as many or more: what it recorded is read next start.
        if (!isConditionalCheckFailed(error)) throw error;
      });
    }
    return Math.max(recorded, this.shards);
  }

  async write(entries: DueEntry[], source: string): Promise<void> {
    await this.shardsToRead();
    const groups = new Map<string, { shard: string; slot: string; entries: DueEntry[] }>();
    for (const e of entries) {
      const shard = dueShardOf(e.jobId, this.shards);
      const slot = slotOf(e.from);
      const group = groups.get(`${shard}|${slot}`) ?? { shard, slot, entries: [] };
      group.entries.push(e);
      groups.set(`${shard}|${slot}`, group);
    }
    const puts = [];
    for (const { shard, slot, entries: own } of groups.values()) {
      // A stable order keeps chunks the same when the same source writes again.
      own.sort((a, b) => a.jobId.localeCompare(b.jobId));
      for (let i = 0; i < own.length; i += ENTRIES_PER_ITEM) {
        const chunk = String(i / ENTRIES_PER_ITEM).padStart(4, '0');
        const Item = {
          jobId: this.partition(shard),
          scheduledFor: dueSlotSortKey(slot, source, chunk),
          entries: pack(own.slice(i, i + ENTRIES_PER_ITEM)),
          expiresAt: Math.floor(Date.parse(slot) / 1000) + KEEP_SLOTS_SECONDS,
        };
        puts.push({ PutRequest: { Item } });
      }
    }
    await batchWrite(this.db, this.tableName, puts);
  }

  async read(slot: string): Promise<DueEntry[]> {
    const shards = await this.shardsToRead();
    const perShard = await Promise.all(
      Array.from({ length: shards }, (_, shard) =>
        queryAll(this.db, {
          TableName: this.tableName,
          KeyConditionExpression: 'jobId = :p AND begins_with(scheduledFor, :prefix)',
          ExpressionAttributeValues: { ':p': this.partition(shard), ':prefix': `${slot}#` },
          ConsistentRead: true,
        }),
      ),
    );
    return perShard.flat().flatMap((item) => unpack(item.entries as string));
  }

  async firstSlotFrom(slot?: string): Promise<string | undefined> {
    const shards = await this.shardsToRead();
    const firsts = await Promise.all(
      Array.from({ length: shards }, async (_, shard) => {
        const [first] = await queryAll(
          this.db,
          {
            TableName: this.tableName,
            KeyConditionExpression: slot ? 'jobId = :p AND scheduledFor >= :from' : 'jobId = :p',
            ExpressionAttributeValues: { ':p': this.partition(shard), ...(slot ? { ':from': slot } : {}) },
            ProjectionExpression: 'scheduledFor',
            ConsistentRead: true,
          },
          1,
        );
        const key = first?.scheduledFor as string | undefined;
        return key?.slice(0, key.indexOf('#'));
      }),
    );
    return firsts.filter((s): s is string => s !== undefined).sort()[0];
  }

  async planningTime(slot: string, now: string): Promise<string> {
    try {
      await callAws('DynamoDB', 'PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...PLAN_KEY, slot, at: now },
            ConditionExpression: 'attribute_not_exists(slot) OR slot <> :slot',
            ExpressionAttributeValues: { ':slot': slot },
          }),
        ),
      );
      return now;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const out = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: PLAN_KEY, ConsistentRead: true })),
    );
    return (out.Item?.slot === slot ? (out.Item.at as string | undefined) : undefined) ?? now;
  }

  async progress(): Promise<string | undefined> {
    const out = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: PROGRESS_KEY, ConsistentRead: true })),
    );
    return out.Item?.next as string | undefined;
  }

  async advance(expected: string | undefined, to: string): Promise<boolean> {
    try {
      await callAws('DynamoDB', 'PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...PROGRESS_KEY, next: to },
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(jobId)' }
              : {
                  ConditionExpression: '#next = :expected',
                  ExpressionAttributeNames: { '#next': 'next' },
                  ExpressionAttributeValues: { ':expected': expected },
                }),
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private inboxKey(e: SubmittedEntry) {
    return inboxKey(e);
  }

  async submit(entry: SubmittedEntry): Promise<void> {
    await callAws('DynamoDB', 'PutItem', () =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...this.inboxKey(entry), entry: JSON.stringify(entry) } })),
    );
  }

  async inbox(limit: number): Promise<SubmittedEntry[]> {
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'jobId = :p',
        ExpressionAttributeValues: { ':p': INBOX_PARTITION },
        ConsistentRead: true,
      },
      limit,
    );
    return items.map((item) => JSON.parse(item.entry as string) as SubmittedEntry);
  }

  async take(entries: SubmittedEntry[]): Promise<void> {
    await batchWrite(
      this.db,
      this.tableName,
      entries.map((e) => ({ DeleteRequest: { Key: this.inboxKey(e) } })),
    );
  }
}

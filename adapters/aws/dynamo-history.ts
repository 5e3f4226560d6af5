/**
 * History on DynamoDB: listing, counting and cleaning up ledger records through the
 * `history` index (day buckets × shards, see storage-layout.ts), or through a job's own
 * partition when a listing names the job. A page merges the shards of a bucket newest
 * first, walks buckets back from its upper bound, and stops at its read budget.
 */
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { inTurns, WRITES_AT_ONCE } from '../../core/kernel/in-turns.js';
import type { Execution, ExecutionStatus } from '../../core/execution/ledger-record.js';
import {
  CLEANUP_DELETES_PER_CALL,
  CLEANUP_READS_PER_CALL,
  HISTORY_REACH_DAYS,
  HISTORY_READS_PER_COUNT,
  HISTORY_READS_PER_PAGE,
  type HistoryQuery,
} from '../../core/execution/ports.js';
import type { Page } from '../../core/kernel/ports.js';
import { belowBound, decodeHistoryCursor, encodeHistoryCursor, historyKeyOf, type HistoryCursor } from '../history-cursor.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { HISTORY_INDEX, HISTORY_SHARDS, historyShard } from './storage-layout.js';

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;
const DAY_MS = 86_400_000;
const dayStart = (day: string) => `${day}T00:00:00.000Z`;
const dayAfter = (day: string) => new Date(Date.parse(dayStart(day)) + DAY_MS).toISOString().slice(0, 10);
const dayBefore = (day: string) => new Date(Date.parse(dayStart(day)) - DAY_MS).toISOString().slice(0, 10);
const keyOf = (item: Item) => historyKeyOf(item as { jobId: string; scheduledFor: string });

/** The day whose bucket holds the newest key under this bound. */
function firstDay(bound: HistoryCursor): string {
  const atDayStart = !bound.i && bound.k.length === 24 && bound.k.endsWith('T00:00:00.000Z');
  return atDayStart ? dayBefore(bound.k.slice(0, 10)) : bound.k.slice(0, 10);
}

const lower = (a: HistoryCursor, b: HistoryCursor) => (a.k < b.k || (a.k === b.k && !a.i) ? a : b);

/** One ordered source of records: a shard of a day bucket, or a job's partition. */
type Source = (bound: HistoryCursor, limit: number, startKey: Key | undefined) => Promise<{ items: Item[]; last?: Key }>;

interface SourceState {
  buffer: Item[];
  startKey?: Key;
  /** Where this source would resume: everything above it was listed or passed over. */
  resume: HistoryCursor;
  done: boolean;
}

/** Filters every listing shares: status, handler, not expired. */
function filters(query: Pick<HistoryQuery, 'statuses' | 'handler' | 'now'>) {
  const names: Record<string, string> = { '#expiresAt': 'expiresAt' };
  const values: Record<string, unknown> = { ':now': Math.floor(Date.parse(query.now) / 1000) };
  const parts = ['(attribute_not_exists(#expiresAt) OR #expiresAt > :now)'];
  if (query.statuses) {
    names['#status'] = 'status';
    query.statuses.forEach((s, i) => (values[`:s${i}`] = s));
    parts.push(`#status IN (${query.statuses.map((_, i) => `:s${i}`).join(', ')})`);
  }
  if (query.handler !== undefined) {
    names['#handler'] = 'handler';
    values[':handler'] = query.handler;
    parts.push('#handler = :handler');
  }
  return { FilterExpression: parts.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

export class DynamoHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private query(input: Omit<QueryCommandInput, 'TableName'>) {
    return callAws('DynamoDB', 'Query', () => this.db.send(new QueryCommand({ TableName: this.tableName, ...input })));
  }

  private shardSource(day: string, shard: number, from: string, extra: ReturnType<typeof filters>): Source {
    return async (bound, limit, startKey) => {
      // A range that is empty (a page token from before `from`): DynamoDB refuses BETWEEN with bounds reversed.
      if (from > bound.k) return { items: [], last: undefined };
      const out = await this.query({
        IndexName: HISTORY_INDEX,
        KeyConditionExpression: 'historyShard = :p AND historyKey BETWEEN :lo AND :hi',
        ...extra,
        ExpressionAttributeValues: { ...extra.ExpressionAttributeValues, ':p': historyShard(day, shard), ':lo': from, ':hi': bound.k },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      });
      return { items: out.Items ?? [], last: out.LastEvaluatedKey };
    };
  }

  private jobSource(jobId: string, from: string, extra: ReturnType<typeof filters>): Source {
    return async (bound, limit, startKey) => {
      if (from > bound.k.slice(0, 24)) return { items: [], last: undefined };
      const out = await this.query({
        KeyConditionExpression: 'jobId = :j AND scheduledFor BETWEEN :lo AND :hi',
        ...extra,
        ExpressionAttributeValues: { ...extra.ExpressionAttributeValues, ':j': jobId, ':lo': from, ':hi': bound.k.slice(0, 24) },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      });
      return { items: out.Items ?? [], last: out.LastEvaluatedKey };
    };
  }

  /**
   * Merges sources newest first under `bound`, down to `from`. Returns what it listed and, when it
   * stopped before the sources ran dry (the page is full, or the budget spent), where to resume.
   */
  private async merge(sources: Source[], bound: HistoryCursor, query: HistoryQuery, want: number, budget: { left: number }) {
    const states: SourceState[] = sources.map(() => ({ buffer: [], resume: bound, done: false }));
    const listed: Item[] = [];
    for (;;) {
      if (listed.length >= want) break;
      const empty = states.map((s, i) => [s, i] as const).filter(([s]) => !s.done && s.buffer.length === 0);
      if (empty.length > 0) {
        if (empty.length > budget.left) break;
        budget.left -= empty.length;
        await Promise.all(
          empty.map(async ([s, i]) => {
            const out = await sources[i]!(bound, want - listed.length + 1, s.startKey);
            s.buffer = out.items.filter((item) => keyOf(item) >= query.from && belowBound(keyOf(item), query.to, bound));
            s.startKey = out.last;
            s.done = !out.last;
            if (out.last) s.resume = { k: keyOf(out.last) };
          }),
        );
        continue;
      }
      const withItems = states.filter((s) => s.buffer.length > 0);
      if (withItems.length === 0) return { listed, resume: undefined };
      const newest = withItems.reduce((a, b) => (keyOf(a.buffer[0]!) > keyOf(b.buffer[0]!) ? a : b));
      listed.push(newest.buffer.shift()!);
    }
    const pending = states.filter((s) => s.buffer.length > 0 || !s.done);
    if (pending.length === 0) return { listed, resume: undefined };
    const resumes = pending.map((s): HistoryCursor => (s.buffer.length > 0 ? { k: keyOf(s.buffer[0]!), i: 1 } : s.resume));
    return { listed, resume: resumes.reduce((a, b) => (lower(a, b) === a ? b : a)) };
  }

  async list(query: HistoryQuery, visible: (item: Item) => Execution): Promise<Page<Execution>> {
    const cursor = decodeHistoryCursor(query.next);
    const upper = cursor ? lower(cursor, { k: query.to }) : { k: query.to };
    const budget = { left: HISTORY_READS_PER_PAGE };
    const extra = filters(query);
    const page = (items: Item[], next?: HistoryCursor) => ({
      items: items.map(visible),
      ...(next ? { next: encodeHistoryCursor(next) } : {}),
    });
    if (query.jobId !== undefined) {
      const { listed, resume } = await this.merge([this.jobSource(query.jobId, query.from, extra)], upper, query, query.limit, budget);
      return page(listed, resume);
    }
    const items: Item[] = [];
    const lastDay = query.from.slice(0, 10);
    for (let day = firstDay(upper); day >= lastDay; day = dayBefore(day)) {
      // Everything above this bound is listed: the days after this one, and what `upper` passed.
      const bound = day === '9999-12-31' ? upper : lower(upper, { k: dayStart(dayAfter(day)) });
      // Each bucket starts with one read of every shard; without the budget for it, answer and go on next time.
      if (items.length >= query.limit || budget.left < HISTORY_SHARDS) return page(items, bound);
      const shards = Array.from({ length: HISTORY_SHARDS }, (_, s) => this.shardSource(day, s, query.from, extra));
      const { listed, resume } = await this.merge(shards, bound, query, query.limit - items.length, budget);
      items.push(...listed);
      if (resume) return page(items, resume);
    }
    return page(items);
  }

  /** Counts by status in [from, to), shard by shard of each day bucket. */
  async countByStatus(from: string, to: string) {
    const counts: Partial<Record<ExecutionStatus, number>> = {};
    let reads = 0;
    for (let day = firstDay({ k: to }); day >= from.slice(0, 10); day = dayBefore(day)) {
      const done = await Promise.all(
        Array.from({ length: HISTORY_SHARDS }, async (_, shard) => {
          let startKey: Key | undefined;
          do {
            if (reads >= HISTORY_READS_PER_COUNT) return false;
            reads++;
            const out = await this.query({
              IndexName: HISTORY_INDEX,
              KeyConditionExpression: 'historyShard = :p AND historyKey BETWEEN :lo AND :hi',
              ProjectionExpression: '#status',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':p': historyShard(day, shard), ':lo': from, ':hi': to },
              ExclusiveStartKey: startKey,
            });
            for (const item of out.Items ?? []) counts[item.status as ExecutionStatus] = (counts[item.status as ExecutionStatus] ?? 0) + 1;
            startKey = out.LastEvaluatedKey;
          } while (startKey);
          return true;
        }),
      );
      if (done.includes(false)) return { counts, complete: false };
    }
    return { counts, complete: true };
  }

  /** Conditional deletes of final records scheduled before `before`, bucket by bucket back from it. */
  async deleteFinishedBefore(before: string): Promise<{ deleted: number; more: boolean }> {
    const finalOnly = {
      ExpressionAttributeNames: { '#status': 'status', '#deadList': 'deadList' },
      ExpressionAttributeValues: { ':succeeded': 'succeeded', ':skipped': 'skipped', ':dead': 'dead' },
      condition: '(#status IN (:succeeded, :skipped) OR (#status = :dead AND attribute_not_exists(#deadList)))',
    };
    const floor = new Date(Date.parse(before) - HISTORY_REACH_DAYS * DAY_MS).toISOString();
    const days: string[] = [];
    for (let day = firstDay({ k: before }); day >= floor.slice(0, 10); day = dayBefore(day)) days.push(day);
    const budget = { deleted: 0, reads: 0, stopped: false };
    // Most days of the reach are empty: a few days' shards at once keep a whole reach inside one call.
    const shards = days.flatMap((day) => Array.from({ length: HISTORY_SHARDS }, (_, shard) => historyShard(day, shard)));
    await inTurns(shards, 32, async (partition) => {
      let startKey: Key | undefined;
      do {
        if (budget.reads >= CLEANUP_READS_PER_CALL || budget.deleted >= CLEANUP_DELETES_PER_CALL) {
          budget.stopped = true;
          return;
        }
        budget.reads++;
        const out = await this.query({
          IndexName: HISTORY_INDEX,
          KeyConditionExpression: 'historyShard = :p AND historyKey BETWEEN :lo AND :hi',
          FilterExpression: finalOnly.condition,
          ProjectionExpression: 'jobId, scheduledFor',
          ExpressionAttributeNames: finalOnly.ExpressionAttributeNames,
          ExpressionAttributeValues: { ...finalOnly.ExpressionAttributeValues, ':p': partition, ':lo': floor, ':hi': before },
          Limit: 100,
          ExclusiveStartKey: startKey,
        });
        startKey = out.LastEvaluatedKey;
        // The index may lag the table: each delete checks the record itself.
        const gone = await inTurns(out.Items ?? [], WRITES_AT_ONCE, (item) => this.deleteIfFinal(item, finalOnly));
        budget.deleted += gone.filter(Boolean).length;
      } while (startKey);
    });
    return { deleted: budget.deleted, more: budget.stopped };
  }

  private async deleteIfFinal(
    item: Item,
    finalOnly: { condition: string; ExpressionAttributeNames: object; ExpressionAttributeValues: object },
  ) {
    try {
      await callAws('DynamoDB', 'DeleteItem', () =>
        this.db.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { jobId: item.jobId, scheduledFor: item.scheduledFor },
            ConditionExpression: finalOnly.condition,
            ExpressionAttributeNames: finalOnly.ExpressionAttributeNames as Record<string, string>,
            ExpressionAttributeValues: finalOnly.ExpressionAttributeValues as Record<string, unknown>,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

/**
 * BatchGetItem, BatchWriteItem and Query with what DynamoDB leaves to the caller:
 * the per-call limits (100 keys, 25 writes, 1 MB a page) and the retry of
 * unprocessed items.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import { callAws } from './aws-errors.js';

const ROUNDS = 5;
const GET_KEYS = 100;
const WRITE_ITEMS = 25;
/** Calls in flight at once. */
const PARALLEL = 8;

const pause = (round: number) => new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));

async function inParallel<T>(chunks: T[][], run: (chunk: T[]) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(PARALLEL, chunks.length) }, async () => {
    while (next < chunks.length) await run(chunks[next++]!);
  });
  await Promise.all(lanes);
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Reads the given keys (strongly consistent unless told otherwise: half the read units); returns the items found. */
export async function batchGet(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, unknown>[],
  options: { consistent: boolean } = { consistent: true },
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  await inParallel(chunk(keys, GET_KEYS), async (batch) => {
    let pending = batch;
    for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
      if (round > 0) await pause(round);
      const request = { [tableName]: { Keys: pending, ConsistentRead: options.consistent } };
      const out: BatchGetCommandOutput = await callAws('DynamoDB', 'BatchGetItem', () =>
        db.send(new BatchGetCommand({ RequestItems: request })),
      );
      found.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    if (pending.length > 0) throw new StoreUnavailableError(`DynamoDB BatchGetItem left keys unprocessed after ${ROUNDS} rounds`);
  });
  return found;
}

/** Unconditional puts and deletes, 25 a call, several calls in flight. */
export async function batchWrite(
  db: DynamoDBDocumentClient,
  tableName: string,
  writes: ({ PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } })[],
): Promise<void> {
  await inParallel(chunk(writes, WRITE_ITEMS), async (batch) => {
    let pending = batch;
    for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
      if (round > 0) await pause(round);
      const request = { [tableName]: pending };
      const out: BatchWriteCommandOutput = await callAws('DynamoDB', 'BatchWriteItem', () =>
        db.send(new BatchWriteCommand({ RequestItems: request })),
      );
      pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
    if (pending.length > 0) throw new StoreUnavailableError(`DynamoDB BatchWriteItem left items unprocessed after ${ROUNDS} rounds`);
  });
}

/** Every item a query matches, page after page, or the first `limit` of them. */
export async function queryAll(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit = Infinity,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const left = limit - items.length;
    const out = await callAws('DynamoDB', 'Query', () =>
      db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey, ...(Number.isFinite(left) ? { Limit: left } : {}) })),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey && items.length < limit);
  return items;
}

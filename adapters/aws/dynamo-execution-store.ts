/**
 * The execution ledger on DynamoDB: one item per occurrence (jobId, scheduledFor).
 * A claim is a single conditional update, so two deliveries of the same message
 * cannot both run the handler. Dead letters carry `deadList`, which puts them in
 * the sparse `dead` index until they are redriven or discarded.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { inTurns, WRITES_AT_ONCE } from '../../core/kernel/in-turns.js';
import { occurrenceKey } from '../../core/execution/occurrence.js';
import { ConcurrentUpdateError } from '../../core/kernel/errors.js';
import type {
  ClaimResult,
  DeadArrival,
  Execution,
  ExecutionClaim,
  ExecutionOutcome,
  SkipRecord,
} from '../../core/execution/ledger-record.js';
import type { ExecutionStore, HistoryQuery } from '../../core/execution/ports.js';
import type { Page } from '../../core/kernel/ports.js';
import {
  attemptsOf,
  finishedAttempts,
  MAX_ATTEMPTS_KEPT,
  recordedAttempts,
  startedAttempt,
  type WithStoredAttempts,
} from '../../core/execution/attempts.js';
import { DynamoHistory } from './dynamo-history.js';
import { decodeToken, encodeToken, isDynamoKey, withTokenCheck } from '../paging.js';
import { batchGet, batchWrite } from './dynamo-batch.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { DEAD_INDEX, DEAD_LIST, historyKeys } from './storage-layout.js';
import { armUpdate, arrivalUpdate, discardUpdate, names, ttlOf } from './dynamo-dead-letter-writes.js';

/** Attributes the store keeps for itself (the dead list, redrive token, history index keys), never shown. */
const INTERNAL = ['deadList', 'redriveId', 'discardedAt', 'historyShard', 'historyKey'] as const;

function visible(item: Record<string, unknown> | undefined): Execution | undefined {
  if (!item) return undefined;
  const copy = { ...item };
  for (const key of INTERNAL) delete copy[key];
  if (typeof copy.expiresAt === 'number') copy.expiresAt = new Date(copy.expiresAt * 1000).toISOString();
  // A listing's item comes from the history index, which does not carry the attempts.
  if (copy.leaseUntil === undefined && copy.attempts === undefined) return copy as unknown as Execution;
  return { ...(copy as unknown as Execution), attempts: attemptsOf(copy as unknown as WithStoredAttempts) };
}

/** What a full write of a ledger record stores: its history index keys, its TTL in seconds. */
function stored(record: Execution, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { expiresAt, ...rest } = record;
  return { ...rest, ...historyKeys(record), ...ttlOf(expiresAt), ...extra };
}

export class DynamoExecutionStore implements ExecutionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.history = new DynamoHistory(db, tableName);
  }

  private readonly history: DynamoHistory;

  /** A conditional update; false when the condition did not hold. */
  private async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<Record<string, unknown> | false> {
    try {
      const out = await callAws('DynamoDB', 'UpdateItem', () => this.db.send(new UpdateCommand({ TableName: this.tableName, ...input })));
      return out.Attributes ?? {};
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async claim(claim: ExecutionClaim): Promise<ClaimResult> {
    const Key = { jobId: claim.jobId, scheduledFor: claim.scheduledFor };
    const values = {
      ':started': [startedAttempt(claim.startedAt)],
      ':none': [],
      ':historyShard': historyKeys(claim).historyShard,
      ':historyKey': historyKeys(claim).historyKey,
      ':running': 'running',
      ':one': 1,
      ':startedAt': claim.startedAt,
      ':leaseUntil': claim.leaseUntil,
      ':jobName': claim.jobName,
      ':handler': claim.handler,
      ...(claim.trigger ? { ':trigger': claim.trigger } : {}),
    };
    // Each claim appends its attempt; a running claim is never final, so it has no expiry.
    const set =
      '#status = :running, #startedAt = :startedAt, #leaseUntil = :leaseUntil, #jobName = :jobName, #handler = :handler, ' +
      '#attempts = list_append(if_not_exists(#attempts, :none), :started), #historyShard = :historyShard, #historyKey = :historyKey' +
      (claim.trigger ? ', #trigger = :trigger' : '');
    const common = [
      'status',
      'startedAt',
      'leaseUntil',
      'jobName',
      'handler',
      'attempt',
      'finishedAt',
      'durationMs',
      'error',
      'retryAt',
      'attempts',
      'historyShard',
      'historyKey',
      'expiresAt',
      ...(claim.trigger ? ['trigger'] : []),
    ];

    if (claim.redriveId) {
      // A redriven dead letter: only the message holding the armed token revives it,
      // and its attempts count afresh from here.
      const revived = await this.update({
        Key,
        UpdateExpression:
          `SET ${set}, #attemptBase = #attempt, #attempt = #attempt + :one ` +
          'REMOVE #finishedAt, #durationMs, #error, #retryAt, #expiresAt, #deadList, #redriveId, #diedAt, #deadReason, #occurrence',
        ConditionExpression: '#status = :dead AND #redriveId = :redriveId',
        ExpressionAttributeNames: names(...common, 'attemptBase', 'deadList', 'redriveId', 'diedAt', 'deadReason', 'occurrence'),
        ExpressionAttributeValues: { ...values, ':dead': 'dead', ':redriveId': claim.redriveId },
        ReturnValues: 'ALL_NEW',
      });
      if (revived) return { claimed: true, execution: await this.bounded(revived) };
    }

    const claimed = await this.update({
      Key,
      // A new record counts the attempts made before it (priorAttempts, else none).
      UpdateExpression: `SET ${set}, #attempt = if_not_exists(#attempt, :zero) + :one REMOVE #finishedAt, #durationMs, #error, #retryAt, #expiresAt`,
      ConditionExpression:
        'attribute_not_exists(#jobId) OR #status = :queued' +
        ' OR (#status = :failed AND (attribute_not_exists(#retryAt) OR #retryAt <= :startedAt))' +
        ' OR (#status = :running AND #leaseUntil < :startedAt)',
      ExpressionAttributeNames: names(...common, 'jobId'),
      ExpressionAttributeValues: { ...values, ':failed': 'failed', ':queued': 'queued', ':zero': claim.priorAttempts ?? 0 },
      ReturnValues: 'ALL_NEW',
    });
    if (claimed) return { claimed: true, execution: await this.bounded(claimed) };

    // Only the losing side of a race pays this read; the claim itself is one write.
    const holder = await this.get(claim.jobId, claim.scheduledFor);
    if (!holder) throw new ConcurrentUpdateError(`the claim on ${claim.jobId}@${claim.scheduledFor} lost a race but no record holds it`);
    return { claimed: false, holder };
  }

  /**
   * A claim appends without reading, so claims that never finished (workers that died) can push
   * the list past its bound; the rare claim that finds it so trims it, while it still holds it.
   */
  private async bounded(item: Record<string, unknown>): Promise<Execution> {
    const attempts = item.attempts as unknown[] | undefined;
    if (attempts && attempts.length > MAX_ATTEMPTS_KEPT) {
      const kept = attempts.slice(-MAX_ATTEMPTS_KEPT);
      const trimmed = await this.update({
        Key: { jobId: item.jobId, scheduledFor: item.scheduledFor },
        UpdateExpression: 'SET #attempts = :kept',
        ConditionExpression: '#status = :running AND #attempt = :attempt AND #startedAt = :startedAt',
        ExpressionAttributeNames: names('attempts', 'status', 'attempt', 'startedAt'),
        ExpressionAttributeValues: { ':kept': kept, ':running': 'running', ':attempt': item.attempt, ':startedAt': item.startedAt },
      });
      if (trimmed !== false) item.attempts = kept;
    }
    return visible(item)!;
  }

  async recordOutcomes(records: Execution[]): Promise<void> {
    await batchWrite(
      this.db,
      this.tableName,
      records.map((record) => ({
        PutRequest: {
          Item: stored({ ...record, attempts: recordedAttempts(record) }, record.status === 'dead' ? { deadList: DEAD_LIST } : {}),
        },
      })),
    );
  }

  /** Conditional puts in parallel: BatchWriteItem cannot refuse to overwrite an existing record. */
  async recordSkipped(skips: SkipRecord[], at: string, options: { overUnfinished?: boolean; expiresAt?: string } = {}): Promise<number> {
    const condition = options.overUnfinished
      ? {
          ConditionExpression: 'attribute_not_exists(jobId) OR #status IN (:failed, :queued) OR (#status = :running AND leaseUntil < :at)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':queued': 'queued', ':running': 'running', ':at': at },
        }
      : { ConditionExpression: 'attribute_not_exists(jobId)' };
    const written = await inTurns(skips, WRITES_AT_ONCE, async ({ reason, ...skip }) => {
      try {
        await callAws('DynamoDB', 'PutItem', () =>
          this.db.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...skip,
                status: 'skipped',
                skipReason: reason,
                attempt: 0,
                startedAt: at,
                leaseUntil: at,
                ...historyKeys(skip),
                ...ttlOf(options.expiresAt),
              },
              ...condition,
            }),
          ),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
    return written.filter(Boolean).length;
  }

  /**
   * Reads the record first to fill in its attempt (an update cannot find a list entry by its
   * content). The write's condition is the claim's own (still running, still this attempt), and
   * only the claim's holder writes the record while that holds, so nothing comes in between.
   */
  async complete(outcome: ExecutionOutcome): Promise<boolean> {
    const current = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { jobId: outcome.jobId, scheduledFor: outcome.scheduledFor },
          ConsistentRead: true,
        }),
      ),
    );
    const record = current.Item as WithStoredAttempts | undefined;
    if (!record || record.status !== 'running' || record.attempt !== outcome.attempt) return false;
    const fields: Record<string, unknown> = {
      attempts: finishedAttempts(record, outcome),
      ...historyKeys(outcome),
      ...ttlOf(outcome.expiresAt),
      status: outcome.status,
      finishedAt: outcome.finishedAt,
      durationMs: outcome.durationMs,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.retryAt ? { retryAt: outcome.retryAt } : {}),
      ...(outcome.skipReason ? { skipReason: outcome.skipReason } : {}),
      ...(outcome.attemptBase !== undefined ? { attemptBase: outcome.attemptBase } : {}),
      ...(outcome.recordAttempt !== undefined ? { attempt: outcome.recordAttempt } : {}),
      ...(outcome.status === 'dead'
        ? { deadList: DEAD_LIST, diedAt: outcome.finishedAt, deadReason: outcome.deadReason, occurrence: outcome.occurrence }
        : {}),
    };
    const keys = Object.keys(fields).filter((k) => fields[k] !== undefined);
    const removeError = outcome.error ? '' : ' REMOVE #error';
    const result = await this.update({
      Key: { jobId: outcome.jobId, scheduledFor: outcome.scheduledFor },
      UpdateExpression: `SET ${keys.map((k) => `#${k} = :${k}`).join(', ')}${removeError}`,
      ConditionExpression: '#status = :running AND #attempt = :claimed',
      ExpressionAttributeNames: names(...keys, 'attempt', ...(outcome.error ? [] : ['error'])),
      ExpressionAttributeValues: {
        ...Object.fromEntries(keys.map((k) => [`:${k}`, fields[k]])),
        ':running': 'running',
        ':claimed': outcome.attempt,
      },
    });
    return result !== false;
  }

  async get(jobId: string, scheduledFor: string): Promise<Execution | undefined> {
    const out = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { jobId, scheduledFor }, ConsistentRead: true })),
    );
    return visible(out.Item);
  }

  /** Eventually consistent (half the read units): recovery reads records minutes old. */
  async getMany(keys: { jobId: string; scheduledFor: string }[]): Promise<Map<string, Execution>> {
    const unique = [...new Map(keys.map((k) => [occurrenceKey(k), { jobId: k.jobId, scheduledFor: k.scheduledFor }])).values()];
    const items = await batchGet(this.db, this.tableName, unique, { consistent: false });
    return new Map(items.map((item) => visible(item)!).map((e) => [occurrenceKey(e), e]));
  }

  /** One page of a query, newest first, with the page token in and out. */
  private async queryPage(
    query: Pick<QueryCommandInput, 'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeValues'>,
    options: { limit: number; next?: string },
  ): Promise<Page<Execution>> {
    const startKey = decodeToken(options.next, isDynamoKey);
    const out = await withTokenCheck(options.next, () =>
      callAws('DynamoDB', 'Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            ...query,
            ScanIndexForward: false,
            Limit: options.limit,
            ExclusiveStartKey: startKey,
          }),
        ),
      ),
    );
    const items = (out.Items ?? []).map((i) => visible(i)!);
    return out.LastEvaluatedKey ? { items, next: encodeToken(out.LastEvaluatedKey) } : { items };
  }

  listForJob(jobId: string, options: { limit: number; next?: string }): Promise<Page<Execution>> {
    return this.queryPage({ KeyConditionExpression: 'jobId = :jobId', ExpressionAttributeValues: { ':jobId': jobId } }, options);
  }

  listHistory(query: HistoryQuery): Promise<Page<Execution>> {
    return this.history.list(query, (item) => visible(item)!);
  }

  countByStatus(from: string, to: string) {
    return this.history.countByStatus(from, to);
  }

  deleteFinishedBefore(before: string) {
    return this.history.deleteFinishedBefore(before);
  }

  async recordArrivalInDeadLetters(arrival: DeadArrival): Promise<boolean> {
    return (await this.update(arrivalUpdate(arrival))) !== false;
  }

  listDead(options: { limit: number; next?: string }): Promise<Page<Execution>> {
    return this.queryPage(
      { IndexName: DEAD_INDEX, KeyConditionExpression: 'deadList = :dead', ExpressionAttributeValues: { ':dead': DEAD_LIST } },
      options,
    );
  }

  async armRedrive(key: { jobId: string; scheduledFor: string }, redriveId: string): Promise<Execution | undefined> {
    const result = await this.update(armUpdate(key, redriveId));
    return result === false ? undefined : visible(result);
  }

  async discard(key: { jobId: string; scheduledFor: string }, at: string, options: { expiresAt?: string } = {}): Promise<boolean> {
    return (await this.update(discardUpdate(key, at, options.expiresAt))) !== false;
  }
}

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
import type { ExecutionStore } from '../../core/execution/ports.js';
import type { Page } from '../../core/kernel/ports.js';
import { decodeToken, encodeToken, isDynamoKey, withTokenCheck } from '../paging.js';
import { batchGet, batchWrite } from './dynamo-batch.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { DEAD_INDEX, DEAD_LIST } from './storage-layout.js';

/** Aliases for every attribute: several of these names are DynamoDB reserved words. */
const names = (...attributes: string[]) => Object.fromEntries(attributes.map((a) => [`#${a}`, a]));
const INTERNAL = ['deadList', 'redriveId', 'discardedAt'] as const;

function visible(item: Record<string, unknown> | undefined): Execution | undefined {
  if (!item) return undefined;
  const copy = { ...item };
  for (const key of INTERNAL) delete copy[key];
  return copy as unknown as Execution;
}

export class DynamoExecutionStore implements ExecutionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

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
      ':running': 'running',
      ':one': 1,
      ':startedAt': claim.startedAt,
      ':leaseUntil': claim.leaseUntil,
      ':jobName': claim.jobName,
      ':handler': claim.handler,
      ...(claim.trigger ? { ':trigger': claim.trigger } : {}),
    };
    const set =
      '#status = :running, #startedAt = :startedAt, #leaseUntil = :leaseUntil, #jobName = :jobName, #handler = :handler' +
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
      ...(claim.trigger ? ['trigger'] : []),
    ];

    if (claim.redriveId) {
      // A redriven dead letter: only the message holding the armed token revives it,
      // and its attempts count afresh from here.
      const revived = await this.update({
        Key,
        UpdateExpression:
          `SET ${set}, #attemptBase = #attempt, #attempt = #attempt + :one ` +
          'REMOVE #finishedAt, #durationMs, #error, #retryAt, #deadList, #redriveId, #diedAt, #deadReason, #occurrence',
        ConditionExpression: '#status = :dead AND #redriveId = :redriveId',
        ExpressionAttributeNames: names(...common, 'attemptBase', 'deadList', 'redriveId', 'diedAt', 'deadReason', 'occurrence'),
        ExpressionAttributeValues: { ...values, ':dead': 'dead', ':redriveId': claim.redriveId },
        ReturnValues: 'ALL_NEW',
      });
      if (revived) return { claimed: true, execution: visible(revived)! };
    }

    const claimed = await this.update({
      Key,
      // A new record counts the attempts made before it (priorAttempts, else none).
      UpdateExpression: `SET ${set}, #attempt = if_not_exists(#attempt, :zero) + :one REMOVE #finishedAt, #durationMs, #error, #retryAt`,
      ConditionExpression:
        'attribute_not_exists(#jobId) OR #status = :queued' +
        ' OR (#status = :failed AND (attribute_not_exists(#retryAt) OR #retryAt <= :startedAt))' +
        ' OR (#status = :running AND #leaseUntil < :startedAt)',
      ExpressionAttributeNames: names(...common, 'jobId'),
      ExpressionAttributeValues: { ...values, ':failed': 'failed', ':queued': 'queued', ':zero': claim.priorAttempts ?? 0 },
      ReturnValues: 'ALL_NEW',
    });
    if (claimed) return { claimed: true, execution: visible(claimed)! };

    // Only the losing side of a race pays this read; the claim itself is one write.
    const holder = await this.get(claim.jobId, claim.scheduledFor);
    if (!holder) throw new ConcurrentUpdateError(`the claim on ${claim.jobId}@${claim.scheduledFor} lost a race but no record holds it`);
    return { claimed: false, holder };
  }

  async recordOutcomes(records: Execution[]): Promise<void> {
    await batchWrite(
      this.db,
      this.tableName,
      records.map((record) => ({ PutRequest: { Item: record.status === 'dead' ? { ...record, deadList: DEAD_LIST } : { ...record } } })),
    );
  }

  /** Conditional puts in parallel: BatchWriteItem cannot refuse to overwrite an existing record. */
  async recordSkipped(skips: SkipRecord[], at: string, options: { overUnfinished?: boolean } = {}): Promise<number> {
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
              Item: { ...skip, status: 'skipped', skipReason: reason, attempt: 0, startedAt: at, leaseUntil: at },
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

  async complete(outcome: ExecutionOutcome): Promise<boolean> {
    const fields: Record<string, unknown> = {
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

  async recordArrivalInDeadLetters(arrival: DeadArrival): Promise<boolean> {
    const result = await this.update({
      Key: { jobId: arrival.jobId, scheduledFor: arrival.scheduledFor },
      UpdateExpression:
        'SET #status = :dead, #deadList = :deadList, #diedAt = :at, #deadReason = :reason, #occurrence = :occurrence, ' +
        '#jobName = :jobName, #handler = :handler, #attempt = if_not_exists(#attempt, :zero), ' +
        '#startedAt = if_not_exists(#startedAt, :at), #leaseUntil = if_not_exists(#leaseUntil, :at)',
      // Finished records (succeeded, or already dead) are left as they are.
      ConditionExpression: 'attribute_not_exists(#jobId) OR #status IN (:running, :failed)',
      ExpressionAttributeNames: names(
        'jobId',
        'status',
        'deadList',
        'diedAt',
        'deadReason',
        'occurrence',
        'jobName',
        'handler',
        'attempt',
        'startedAt',
        'leaseUntil',
      ),
      ExpressionAttributeValues: {
        ':dead': 'dead',
        ':deadList': DEAD_LIST,
        ':at': arrival.at,
        ':reason': 'max-receives',
        ':occurrence': arrival.occurrence,
        ':jobName': arrival.jobName,
        ':handler': arrival.handler,
        ':zero': 0,
        ':running': 'running',
        ':failed': 'failed',
      },
    });
    return result !== false;
  }

  listDead(options: { limit: number; next?: string }): Promise<Page<Execution>> {
    return this.queryPage(
      { IndexName: DEAD_INDEX, KeyConditionExpression: 'deadList = :dead', ExpressionAttributeValues: { ':dead': DEAD_LIST } },
      options,
    );
  }

  async armRedrive(key: { jobId: string; scheduledFor: string }, redriveId: string): Promise<Execution | undefined> {
    const result = await this.update({
      Key: key,
      UpdateExpression: 'SET #redriveId = :redriveId',
      ConditionExpression: '#status = :dead AND attribute_exists(#deadList)',
      ExpressionAttributeNames: names('redriveId', 'status', 'deadList'),
      ExpressionAttributeValues: { ':redriveId': redriveId, ':dead': 'dead' },
      ReturnValues: 'ALL_NEW',
    });
    return result === false ? undefined : visible(result);
  }

  async discard(key: { jobId: string; scheduledFor: string }, at: string): Promise<boolean> {
    const result = await this.update({
      Key: key,
      UpdateExpression: 'SET #discardedAt = :at REMOVE #deadList, #redriveId',
      ConditionExpression: '#status = :dead AND attribute_exists(#deadList)',
      ExpressionAttributeNames: names('discardedAt', 'deadList', 'redriveId', 'status'),
      ExpressionAttributeValues: { ':at': at, ':dead': 'dead' },
    });
    return result !== false;
  }
}

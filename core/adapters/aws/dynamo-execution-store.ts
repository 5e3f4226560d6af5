/**
 * The execution ledger on DynamoDB: one item per occurrence (jobId, scheduledFor).
 * A claim is a single conditional update, so two deliveries of the same message
 * cannot both run the handler.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimResult, Execution, ExecutionClaim, ExecutionOutcome } from '../../execution.js';
import type { ExecutionStore, Page } from '../../ports.js';
import { decodeToken, encodeToken } from '../paging.js';
import { ConcurrentUpdateError } from '../../errors.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';

const names = (...attributes: string[]) => Object.fromEntries(attributes.map((a) => [`#${a}`, a]));

export class DynamoExecutionStore implements ExecutionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return callAws('DynamoDB', operation, fn);
  }

  async claim(claim: ExecutionClaim): Promise<ClaimResult> {
    try {
      const out = await this.call('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { jobId: claim.jobId, scheduledFor: claim.scheduledFor },
            UpdateExpression:
              'SET #status = :running, #attempt = if_not_exists(#attempt, :zero) + :one, #startedAt = :startedAt, ' +
              '#leaseUntil = :leaseUntil, #jobName = :jobName, #handler = :handler REMOVE #finishedAt, #durationMs, #error',
            ConditionExpression:
              'attribute_not_exists(#jobId) OR #status = :failed OR (#status = :running AND #leaseUntil < :startedAt)',
            // Aliases throughout: several of these names are DynamoDB reserved words.
            ExpressionAttributeNames: names('jobId', 'status', 'attempt', 'startedAt', 'leaseUntil', 'jobName', 'handler', 'finishedAt', 'durationMs', 'error'),
            ExpressionAttributeValues: {
              ':running': 'running',
              ':failed': 'failed',
              ':zero': 0,
              ':one': 1,
              ':startedAt': claim.startedAt,
              ':leaseUntil': claim.leaseUntil,
              ':jobName': claim.jobName,
              ':handler': claim.handler,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { claimed: true, execution: out.Attributes as Execution };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Only the losing side of a race pays this read; the claim itself is one write.
    const holder = await this.get(claim.jobId, claim.scheduledFor);
    if (!holder) throw new ConcurrentUpdateError(`the claim on ${claim.jobId}@${claim.scheduledFor} lost a race but no record holds it`);
    return { claimed: false, holder };
  }

  async complete(outcome: ExecutionOutcome): Promise<boolean> {
    try {
      await this.call('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { jobId: outcome.jobId, scheduledFor: outcome.scheduledFor },
            UpdateExpression:
              'SET #status = :status, #finishedAt = :finishedAt, #durationMs = :durationMs' + (outcome.error ? ', #error = :error' : ''),
            ConditionExpression: '#status = :running AND #attempt = :attempt',
            ExpressionAttributeNames: names('status', 'finishedAt', 'durationMs', 'attempt', ...(outcome.error ? ['error'] : [])),
            ExpressionAttributeValues: {
              ':status': outcome.status,
              ':finishedAt': outcome.finishedAt,
              ':durationMs': outcome.durationMs,
              ':running': 'running',
              ':attempt': outcome.attempt,
              ...(outcome.error ? { ':error': outcome.error } : {}),
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async get(jobId: string, scheduledFor: string): Promise<Execution | undefined> {
    const out = await this.call('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { jobId, scheduledFor }, ConsistentRead: true })),
    );
    return out.Item as Execution | undefined;
  }

  async listForJob(jobId: string, options: { limit: number; next?: string }): Promise<Page<Execution>> {
    const out = await this.call('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'jobId = :jobId',
          ExpressionAttributeValues: { ':jobId': jobId },
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: decodeToken(options.next),
        }),
      ),
    );
    const items = (out.Items ?? []) as Execution[];
    return out.LastEvaluatedKey ? { items, next: encodeToken(out.LastEvaluatedKey) } : { items };
  }
}

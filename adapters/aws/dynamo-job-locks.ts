/**
 * The jobs table's locks: `NAME#<name>` keeps job names unique, `UNIQUE#<key>` keeps
 * one task per uniqueKey pending, `IDEM#<key>` answers a create sent again with its
 * Idempotency-Key (see storage-layout.ts). No transactions, so they run
 * on dynalite too: a lock is written before what it guards, and a lock whose owner
 * never came to be (a crash in between) is taken over once it is old enough.
 */
import {
  type DynamoDBDocumentClient,
  DeleteCommand,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { JobNameTakenError } from '../../core/kernel/errors.js';
import type { Job } from '../../core/jobs/job.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { idempotencyKey, nameKey, runInstantKey, uniqueKeyKey } from './storage-layout.js';
import type { IdempotencyRecord } from '../../core/jobs/job-store.js';

/** Longer than any create takes between writing the lock and writing the job. */
const ORPHAN_LOCK_AGE_MS = 60_000;

export class DynamoJobLocks {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly getJob: (id: string) => Promise<Job | undefined>,
  ) {}

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return callAws('DynamoDB', operation, fn);
  }

  async lockName(name: string, jobId: string, lockedAt: string): Promise<void> {
    const lock = { ...nameKey(name), jobId, lockedAt };
    if (await this.putIf({ Item: lock, ConditionExpression: 'attribute_not_exists(pk)' })) return;
    const existing = await this.read(nameKey(name));
    const holder = existing.Item?.jobId as string | undefined;
    // Ours already: a rename sent again after one that died having locked the name.
    if (holder === jobId) return;
    const heldSince = Date.parse((existing.Item?.lockedAt as string | undefined) ?? '');
    // A young lock may belong to a create that has not written its job yet.
    const young = !(Date.parse(lockedAt) - heldSince >= ORPHAN_LOCK_AGE_MS);
    // Orphaned too: a lock whose job now goes by another name (a rename that died before freeing it).
    if (holder && (young || (await this.getJob(holder))?.name === name)) throw new JobNameTakenError(name);
    if (
      !(await this.putIf({
        Item: lock,
        ConditionExpression: 'attribute_not_exists(pk) OR jobId = :orphan',
        ExpressionAttributeValues: { ':orphan': holder ?? '' },
      }))
    )
      throw new JobNameTakenError(name);
  }

  /** Deletes a name lock if it is still this job's. */
  async freeName(name: string, jobId: string): Promise<void> {
    // A failed condition: the lock already belongs to a newer job of that name (it took over an orphan).
    await this.deleteIf(nameKey(name), 'jobId = :id', { ':id': jobId });
  }

  async lockUniqueKey(
    key: string,
    lock: { holder: string; lockedAt: string; expiresAt: string },
    takeOverFrom?: string,
  ): Promise<{ locked: true } | { locked: false; holder: string; lockedAt: string }> {
    const item = {
      ...uniqueKeyKey(key),
      holder: lock.holder,
      lockedAt: lock.lockedAt,
      expiresAt: Math.floor(Date.parse(lock.expiresAt) / 1000),
    };
    // Its own (an enqueue sent again) or one the caller found final or gone.
    if (
      await this.putIf({
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk) OR holder = :me OR holder = :from',
        ExpressionAttributeValues: { ':me': lock.holder, ':from': takeOverFrom ?? lock.holder },
      })
    )
      return { locked: true as const };
    const out = await this.read(uniqueKeyKey(key));
    // Gone between the two (its TTL, or an unlock): try once more from scratch.
    if (!out.Item) return this.lockUniqueKey(key, lock, takeOverFrom);
    return { locked: false as const, holder: out.Item.holder as string, lockedAt: out.Item.lockedAt as string };
  }

  async reserveRunInstant(jobId: string, instant: string, expiresAt: string): Promise<boolean> {
    return this.putIf({
      Item: { ...runInstantKey(jobId, instant), expiresAt: Math.floor(Date.parse(expiresAt) / 1000) },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }

  async unlockUniqueKey(key: string, holder: string): Promise<void> {
    await this.deleteIf(uniqueKeyKey(key), 'holder = :me', { ':me': holder });
  }

  async beginIdempotent(
    record: IdempotencyRecord,
    takeOver?: string,
  ): Promise<{ begun: true } | { begun: false; existing: IdempotencyRecord }> {
    const item = {
      ...idempotencyKey(record.key),
      fingerprint: record.fingerprint,
      jobId: record.jobId,
      startedAt: record.startedAt,
      // The table's TTL reads epoch seconds.
      expiresAt: Math.floor(Date.parse(record.expiresAt) / 1000),
    };
    if (
      await this.putIf({
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk) OR (startedAt = :stale AND attribute_not_exists(answer))',
        ExpressionAttributeValues: { ':stale': takeOver ?? '' },
      })
    )
      return { begun: true };
    const out = await this.read(idempotencyKey(record.key));
    // Gone between the two (an abandon): try again from scratch.
    if (!out.Item) return this.beginIdempotent(record, takeOver);
    const found = out.Item as { fingerprint: string; jobId: string; startedAt: string; expiresAt: number; answer?: string };
    return {
      begun: false,
      existing: {
        key: record.key,
        fingerprint: found.fingerprint,
        jobId: found.jobId,
        startedAt: found.startedAt,
        expiresAt: new Date(found.expiresAt * 1000).toISOString(),
        ...(found.answer ? { answer: JSON.parse(found.answer) as Job } : {}),
      },
    };
  }

  async finishIdempotent(key: string, jobId: string, answer: Job): Promise<void> {
    try {
      await this.call('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: idempotencyKey(key),
            UpdateExpression: 'SET answer = :answer',
            ConditionExpression: 'jobId = :id',
            ExpressionAttributeValues: { ':answer': JSON.stringify(answer), ':id': jobId },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async abandonIdempotent(key: string, jobId: string): Promise<void> {
    await this.deleteIf(idempotencyKey(key), 'jobId = :id AND attribute_not_exists(answer)', { ':id': jobId });
  }

  /** Deletes an item if its condition holds; one whose condition fails (not ours any more) is left as it is. */
  private async deleteIf(key: Record<string, string>, condition: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.call('DeleteItem', () =>
        this.db.send(
          new DeleteCommand({ TableName: this.tableName, Key: key, ConditionExpression: condition, ExpressionAttributeValues: values }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Puts an item if its condition holds; false when it does not (someone else's, or taken). */
  private async putIf(input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.call('PutItem', () => this.db.send(new PutCommand({ TableName: this.tableName, ...input })));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** One item, read consistently (what a conditional write just lost to). */
  private read(key: Record<string, string>) {
    return this.call('GetItem', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
  }
}

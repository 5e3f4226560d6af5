/**
 * JobStore on one DynamoDB table. Items: `JOB#<id>` (the job) and `NAME#<name>`
 * (a lock that keeps names unique). No transactions, so it also runs on dynalite:
 * the name lock is written first and a lock whose job never got written (a crash
 * in between) is taken over by a later create with that name, once the lock is
 * old enough that its own create cannot still be running.
 */
import {
  type DynamoDBDocumentClient,
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { JobNameTakenError } from '../../core/kernel/errors.js';
import type { Job, JobStatus, JobStatusChange } from '../../core/jobs/job.js';
import type { JobStore } from '../../core/jobs/job-store.js';
import type { Page } from '../../core/kernel/ports.js';
import { decodeToken, encodeToken, isDynamoKey, withTokenCheck } from '../paging.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { batchGet } from './dynamo-batch.js';
import { jobKey, nameKey } from './storage-layout.js';

type JobItem = Omit<Job, 'payload'> & {
  pk: string;
  payload: string;
  /** The overlap lock (see acquireRun): which occurrence runs, until when, and the one parked behind it. */
  running?: string;
  runningUntil?: string;
  queuedRun?: string;
};

/** A list page token is the key of a job item, nothing else (a name lock or a forged key is not ours). */
const isJobKey = (value: unknown): value is { pk: string } =>
  isDynamoKey(value) && Object.keys(value).length === 1 && typeof value.pk === 'string' && /^JOB#[A-Za-z0-9-]{1,64}$/.test(value.pk);
/** Longer than any create takes between writing the lock and writing the job. */
const ORPHAN_LOCK_AGE_MS = 60_000;

export class DynamoJobStore implements JobStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return callAws('DynamoDB', operation, fn);
  }

  /** The items `create` writes for a job (job and name lock), for bulk loading with BatchWriteItem. */
  itemsFor(job: Job): Record<string, unknown>[] {
    return [this.toItem(job), { ...nameKey(job.name), jobId: job.id, lockedAt: job.createdAt }];
  }

  private toItem(job: Job): JobItem {
    return { ...job, ...jobKey(job.id), payload: JSON.stringify(job.payload) };
  }

  private fromItem(item: Record<string, unknown>): Job {
    const { pk: _pk, running: _r, runningUntil: _u, queuedRun: _q, payload, ...job } = item as JobItem;
    return { ...job, payload: JSON.parse(payload) };
  }

  async create(job: Job): Promise<void> {
    await this.lockName(job.name, job.id, job.createdAt);
    await this.call('PutItem', () =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: this.toItem(job), ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }

  private async lockName(name: string, jobId: string, lockedAt: string): Promise<void> {
    const lock = { ...nameKey(name), jobId, lockedAt };
    try {
      await this.call('PutItem', () =>
        this.db.send(new PutCommand({ TableName: this.tableName, Item: lock, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      return;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.call('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: nameKey(name), ConsistentRead: true })),
    );
    const holder = existing.Item?.jobId as string | undefined;
    const heldSince = Date.parse((existing.Item?.lockedAt as string | undefined) ?? '');
    // A young lock may belong to a create that has not written its job yet.
    const young = !(Date.parse(lockedAt) - heldSince >= ORPHAN_LOCK_AGE_MS);
    if (holder && (young || (await this.get(holder)))) throw new JobNameTakenError(name);
    try {
      await this.call('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: lock,
            ConditionExpression: 'attribute_not_exists(pk) OR jobId = :orphan',
            ExpressionAttributeValues: { ':orphan': holder ?? '' },
          }),
        ),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new JobNameTakenError(name);
      throw error;
    }
  }

  async get(id: string): Promise<Job | undefined> {
    const out = await this.call('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true })),
    );
    return out.Item ? this.fromItem(out.Item) : undefined;
  }

  /** A paged Scan: listing every job is an admin read, never on the tick's path. */
  /**
   * A Scan of the whole table reading only each item's key and status: at this scale (thousands of
   * jobs, a few hundred bytes each) a few pages; a Scan costs by the size of what it reads, so at
   * millions of jobs this would want counters kept by the writers instead.
   */
  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { active: 0, paused: 0, completed: 0 };
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await callAws('DynamoDB', 'Scan', () =>
        this.db.send(
          new ScanCommand({
            TableName: this.tableName,
            ProjectionExpression: '#status',
            FilterExpression: 'begins_with(pk, :job)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':job': 'JOB#' },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of out.Items ?? []) if (item.status in counts) counts[item.status as JobStatus]++;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return counts;
  }

  async list(options: { limit: number; next?: string }): Promise<Page<Job>> {
    const items: Job[] = [];
    let startKey: Record<string, unknown> | undefined = decodeToken(options.next, isJobKey);
    do {
      const out = await withTokenCheck(options.next, () =>
        this.call('Scan', () =>
          this.db.send(
            new ScanCommand({
              TableName: this.tableName,
              Limit: options.limit - items.length,
              ExclusiveStartKey: startKey,
              FilterExpression: 'begins_with(pk, :job)',
              ExpressionAttributeValues: { ':job': 'JOB#' },
            }),
          ),
        ),
      );
      items.push(...(out.Items ?? []).map((i) => this.fromItem(i)));
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length < options.limit);
    return startKey ? { items, next: encodeToken(startKey) } : { items };
  }

  async delete(id: string): Promise<boolean> {
    const out = await this.call('DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: jobKey(id), ReturnValues: 'ALL_OLD' })),
    );
    if (!out.Attributes) return false;
    try {
      await this.call('DeleteItem', () =>
        this.db.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: nameKey(out.Attributes!.name as string),
            ConditionExpression: 'jobId = :id',
            ExpressionAttributeValues: { ':id': id },
          }),
        ),
      );
    } catch (error) {
      // The lock already belongs to a newer job of that name (it took over an orphan).
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return true;
  }

  /**
   * Eventually consistent, half the read units: the tick's read. A read that lags a
   * change by a moment is harmless: a pause holds and records what the tick may
   * still send; an entry ahead of its job's revision waits in the inbox.
   */
  async getMany(ids: string[]): Promise<Map<string, Job>> {
    const items = await batchGet(this.db, this.tableName, [...new Set(ids)].map(jobKey), { consistent: false });
    return new Map(items.map((item) => this.fromItem(item)).map((job) => [job.id, job]));
  }

  async changeStatus(change: JobStatusChange): Promise<boolean> {
    // Optional fields: set when given, removed when null, left alone when absent.
    const optional = (['pausedAt', 'sentUntil', 'runsUntil', 'note'] as const).filter((f) => change[f] !== undefined);
    const set = optional.filter((f) => change[f] !== null);
    const remove = optional.filter((f) => change[f] === null);
    const changed = await this.conditional({
      Key: jobKey(change.jobId),
      UpdateExpression:
        'SET #status = :to, nextRunAt = :next, updatedAt = :updatedAt, #runs = :runs, rev = :rev' +
        set.map((f) => `, ${f} = :${f}`).join('') +
        (remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''),
      ConditionExpression: '#status = :from AND rev = :expected',
      ExpressionAttributeNames: { '#status': 'status', '#runs': 'runs' },
      ExpressionAttributeValues: {
        ...Object.fromEntries(set.map((f) => [`:${f}`, change[f]])),
        ':to': change.to,
        ':from': change.from,
        ':next': change.nextRunAt,
        ':updatedAt': change.updatedAt,
        ':runs': change.runs,
        ':expected': change.expectedRev,
        ':rev': change.expectedRev + 1,
      },
    });
    return changed !== false;
  }

  async recordRuns(jobId: string, rev: number, runs: number, runsUntil: string): Promise<boolean> {
    const recorded = await this.conditional({
      Key: jobKey(jobId),
      UpdateExpression: 'SET #runs = :runs, runsUntil = :until',
      ConditionExpression: 'rev = :rev',
      ExpressionAttributeNames: { '#runs': 'runs' },
      ExpressionAttributeValues: { ':runs': runs, ':until': runsUntil, ':rev': rev },
    });
    return recorded !== false;
  }

  /** A conditional update that answers whether its condition held. */
  private async conditional(input: Omit<UpdateCommandInput, 'TableName'>): Promise<Record<string, unknown> | false> {
    try {
      const out = await this.call('UpdateItem', () => this.db.send(new UpdateCommand({ TableName: this.tableName, ...input })));
      return out.Attributes ?? {};
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async acquireRun(jobId: string, scheduledFor: string, leaseUntil: string, now: string) {
    const acquired = await this.conditional({
      Key: jobKey(jobId),
      UpdateExpression: 'SET running = :me, runningUntil = :until',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(running) OR running = :me OR runningUntil < :now)',
      ExpressionAttributeValues: { ':me': scheduledFor, ':until': leaseUntil, ':now': now },
    });
    if (acquired) return { acquired: true as const };
    const out = await this.call('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: jobKey(jobId), ConsistentRead: true })),
    );
    // A deleted job has no lock to take: what it had queued runs, as the README promises.
    if (!out.Item) return { acquired: true as const };
    return { acquired: false as const, holder: (out.Item.running as string | undefined) ?? '(released meanwhile)' };
  }

  async queueRun(jobId: string, occurrence: string): Promise<boolean> {
    const queued = await this.conditional({
      Key: jobKey(jobId),
      UpdateExpression: 'SET queuedRun = :occurrence',
      ConditionExpression: 'attribute_exists(running) AND attribute_not_exists(queuedRun)',
      ExpressionAttributeValues: { ':occurrence': occurrence },
    });
    return queued !== false;
  }

  async releaseRun(jobId: string, scheduledFor: string): Promise<string | undefined> {
    const released = await this.conditional({
      Key: jobKey(jobId),
      UpdateExpression: 'REMOVE running, runningUntil, queuedRun',
      ConditionExpression: 'running = :me',
      ExpressionAttributeValues: { ':me': scheduledFor },
      ReturnValues: 'ALL_OLD',
    });
    return released === false ? undefined : (released.queuedRun as string | undefined);
  }
}

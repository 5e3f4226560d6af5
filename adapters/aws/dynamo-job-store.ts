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
import type { Job, JobStatus, JobStatusChange } from '../../core/jobs/job.js';
import type { IdempotencyRecord, JobStore } from '../../core/jobs/job-store.js';
import type { JobFilter } from '../../core/jobs/job-list.js';
import type { Page } from '../../core/kernel/ports.js';
import { decodeToken, encodeToken, isDynamoKey, withTokenCheck } from '../paging.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { batchGet } from './dynamo-batch.js';
import { jobKey, nameKey } from './storage-layout.js';
import { DynamoJobLocks } from './dynamo-job-locks.js';
import { filterExpression, SCAN_CALLS_PER_PAGE, SCAN_READ_PER_CALL, SEARCH_NAME } from './dynamo-job-filter.js';

type JobItem = Omit<Job, 'payload' | 'expiresAt'> & {
  pk: string;
  payload: string;
  /** A task's expiry, in epoch seconds, as DynamoDB's TTL reads it. */
  expiresAt?: number;
  nameLower?: string;
  /** The overlap lock (see acquireRun): which occurrence runs, until when, and the one parked behind it. */
  running?: string;
  runningUntil?: string;
  queuedRun?: string;
};

/** A list page token is the key of a job item, nothing else (a name lock or a forged key is not ours). */
const isJobKey = (value: unknown): value is { pk: string } =>
  isDynamoKey(value) && Object.keys(value).length === 1 && typeof value.pk === 'string' && /^JOB#[A-Za-z0-9-]{1,64}$/.test(value.pk);
/** Fields a job may lack; an edit that leaves one out removes it from the item. */
const REPLACEABLE_OPTIONAL = ['startAt', 'endAt', 'maxRuns', 'runsUntil', 'note', 'pausedAt', 'sentUntil', 'heldUntil', 'kind'] as const;

export class DynamoJobStore implements JobStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.locks = new DynamoJobLocks(db, tableName, (id) => this.get(id));
  }

  private readonly locks: DynamoJobLocks;

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return callAws('DynamoDB', operation, fn);
  }

  /** The items `create` writes for a job (job and name lock), for bulk loading with BatchWriteItem. */
  itemsFor(job: Job): Record<string, unknown>[] {
    return [this.toItem(job), { ...nameKey(job.name), jobId: job.id, lockedAt: job.createdAt }];
  }

  private toItem(job: Job): JobItem {
    const { expiresAt, ...rest } = job;
    return {
      ...rest,
      ...jobKey(job.id),
      [SEARCH_NAME]: job.name.toLowerCase(),
      payload: JSON.stringify(job.payload),
      ...(expiresAt ? { expiresAt: Math.floor(Date.parse(expiresAt) / 1000) } : {}),
    };
  }

  private fromItem(item: Record<string, unknown>): Job {
    const { pk: _pk, running: _r, runningUntil: _u, queuedRun: _q, nameLower: _n, payload, expiresAt, ...job } = item as JobItem;
    return {
      ...job,
      payload: JSON.parse(payload),
      ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt * 1000).toISOString() } : {}),
    };
  }

  async create(job: Job): Promise<void> {
    // Tasks take no name lock: their name is their handler's, shared by many.
    if (job.kind !== 'task') await this.lockName(job.name, job.id, job.createdAt);
    await this.call('PutItem', () =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: this.toItem(job), ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }

  private lockName(name: string, jobId: string, lockedAt: string): Promise<void> {
    return this.locks.lockName(name, jobId, lockedAt);
  }

  private freeName(name: string, jobId: string): Promise<void> {
    return this.locks.freeName(name, jobId);
  }

  lockUniqueKey(key: string, lock: { holder: string; lockedAt: string; expiresAt: string }, takeOverFrom?: string) {
    return this.locks.lockUniqueKey(key, lock, takeOverFrom);
  }

  unlockUniqueKey(key: string, holder: string): Promise<void> {
    return this.locks.unlockUniqueKey(key, holder);
  }

  reserveRunInstant(jobId: string, instant: string, expiresAt: string): Promise<boolean> {
    return this.locks.reserveRunInstant(jobId, instant, expiresAt);
  }

  beginIdempotent(record: IdempotencyRecord, takeOver?: string) {
    return this.locks.beginIdempotent(record, takeOver);
  }

  finishIdempotent(key: string, jobId: string, answer: Job): Promise<void> {
    return this.locks.finishIdempotent(key, jobId, answer);
  }

  abandonIdempotent(key: string, jobId: string): Promise<void> {
    return this.locks.abandonIdempotent(key, jobId);
  }

  async get(id: string): Promise<Job | undefined> {
    const out = await this.call('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true })),
    );
    return out.Item ? this.fromItem(out.Item) : undefined;
  }

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
            FilterExpression: 'begins_with(pk, :job) AND attribute_not_exists(#kind)',
            ExpressionAttributeNames: { '#status': 'status', '#kind': 'kind' },
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

  /**
   * A paged Scan with the filter as a FilterExpression: listing jobs is an admin read,
   * never on the tick's path. DynamoDB's Limit counts items read, not items kept, so a
   * page reads a few hundred at a time, stops at `limit` kept (its token then names
   * the last one kept) or after SCAN_CALLS_PER_PAGE reads (a sparse filter's page may
   * come back short, with a token that has moved on).
   */
  async list(options: { limit: number; next?: string; filter?: JobFilter }): Promise<Page<Job>> {
    const items: Job[] = [];
    let startKey: Record<string, unknown> | undefined = decodeToken(options.next, isJobKey);
    const { expression, names, values } = filterExpression(options.filter ?? {});
    for (let call = 0; call < SCAN_CALLS_PER_PAGE; call++) {
      const out = await withTokenCheck(options.next, () =>
        this.call('Scan', () =>
          this.db.send(
            new ScanCommand({
              TableName: this.tableName,
              Limit: SCAN_READ_PER_CALL,
              ExclusiveStartKey: startKey,
              FilterExpression: expression,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          ),
        ),
      );
      const kept = (out.Items ?? []).map((i) => this.fromItem(i));
      const room = options.limit - items.length;
      if (kept.length >= room) {
        items.push(...kept.slice(0, room));
        // Cut short inside what this read returned: the next page starts after the last one kept.
        const more = kept.length > room || out.LastEvaluatedKey !== undefined;
        return more ? { items, next: encodeToken(jobKey(items.at(-1)!.id)) } : { items };
      }
      items.push(...kept);
      startKey = out.LastEvaluatedKey;
      if (!startKey) return { items };
    }
    return { items, next: encodeToken(startKey) };
  }

  async delete(id: string): Promise<boolean> {
    const out = await this.call('DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: jobKey(id), ReturnValues: 'ALL_OLD' })),
    );
    if (!out.Attributes) return false;
    await this.freeName(out.Attributes.name as string, id);
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
    const optional = (['pausedAt', 'sentUntil', 'heldUntil', 'runsUntil', 'note'] as const).filter((f) => change[f] !== undefined);
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

  async replace(job: Job, expected: { rev: number; name: string }): Promise<boolean> {
    const renamed = job.kind !== 'task' && job.name !== expected.name;
    // The new name is locked first, as a create locks it; a rename that dies after this leaves
    // an orphan lock that the next create of that name takes over (see lockName).
    if (renamed) await this.lockName(job.name, job.id, job.updatedAt);
    const { id: _id, createdAt: _c, pk: _pk, ...item } = this.toItem(job);
    const fields: Record<string, unknown> = item;
    const set = Object.keys(fields).filter((f) => fields[f] !== undefined);
    const remove = REPLACEABLE_OPTIONAL.filter((f) => job[f] === undefined);

    const names = Object.fromEntries([...set, ...remove].map((f) => [`#${f}`, f]));
    const changed = await this.conditional({
      Key: jobKey(job.id),
      UpdateExpression:
        `SET ${set.map((f) => `#${f} = :${f}`).join(', ')}` + (remove.length > 0 ? ` REMOVE ${remove.map((f) => `#${f}`).join(', ')}` : ''),
      ConditionExpression: 'attribute_exists(pk) AND #rev = :expectedRev',
      ExpressionAttributeNames: { ...names, '#rev': 'rev' },
      ExpressionAttributeValues: { ...Object.fromEntries(set.map((f) => [`:${f}`, fields[f]])), ':expectedRev': expected.rev },
    });
    // Won: the old name goes. Lost: the new name's lock stays, as another try of this same
    // rename may hold it and win (freeing it here would let a second job take the name); a job
    // that does not bear it makes it an orphan, which the next create of that name takes over.
    if (renamed && changed !== false) await this.freeName(expected.name, job.id);
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

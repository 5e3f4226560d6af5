/**
 * The global concurrency limit's slots in the ledger table: items `#slots#<chunk,
 * 4 digits>` / `slots` (a partition each, so no partition takes all slot writes), each holding SLOTS_PER_ITEM slots as attributes `s<i>` =
 * `<leaseUntil>|<holder>` (ISO instants sort as strings, so "held" is `s<i> >= now`,
 * and a slot never taken compares false). A worker reads a few chunks, picks free
 * slots, and takes them with one conditional UpdateItem per chunk; a chunk someone
 * else wrote in between fails its condition and is passed over. A dead worker's
 * slots free themselves when their lease ends: nothing has to clean up after it.
 *
 * Twenty slots an item keeps each item under 1 KB (one write unit per write).
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConcurrencySlots, SlotGrant } from '../../core/execution/ports.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { batchGet } from './dynamo-batch.js';
import { concurrencySlotKey, SLOTS_PER_ITEM } from './storage-layout.js';

/** Chunks read at once; at most two reads per acquire. */
const CHUNKS_PER_READ = 8;
const READS = 2;

const attribute = (slot: number) => `s${slot % SLOTS_PER_ITEM}`;
const chunkOf = (slot: number) => Math.floor(slot / SLOTS_PER_ITEM);

export class DynamoConcurrencySlots implements ConcurrencySlots {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Where a search starts, so that workers spread over the chunks. */
    private readonly random: () => number = Math.random,
  ) {}

  async acquire(request: { want: number; limit: number; holder: string; leaseUntil: string; now: string }): Promise<SlotGrant> {
    const grant: SlotGrant = { holder: request.holder, leaseUntil: request.leaseUntil, slots: [] };
    const chunks = Math.ceil(request.limit / SLOTS_PER_ITEM);
    const start = Math.floor(this.random() * chunks);
    const order = Array.from({ length: Math.min(chunks, CHUNKS_PER_READ * READS) }, (_, i) => (start + i) % chunks);
    for (let i = 0; i < order.length && grant.slots.length < request.want; i += CHUNKS_PER_READ) {
      const batch = order.slice(i, i + CHUNKS_PER_READ);
      const items = await batchGet(this.db, this.tableName, batch.map(concurrencySlotKey));
      const byKey = new Map(items.map((item) => [item.jobId as string, item]));
      for (const chunk of batch) {
        if (grant.slots.length >= request.want) break;
        const item = byKey.get(concurrencySlotKey(chunk).jobId);
        const free = this.slotsOf(chunk, request.limit).filter((slot) => {
          const held = item?.[attribute(slot)];
          return typeof held !== 'string' || held < request.now;
        });
        const pick = free.slice(0, request.want - grant.slots.length);
        if (pick.length > 0 && (await this.take(chunk, pick, grant, request.now))) grant.slots.push(...pick);
      }
    }
    return grant;
  }

  async release(grant: SlotGrant): Promise<void> {
    const byChunk = new Map<number, number[]>();
    for (const slot of grant.slots) byChunk.set(chunkOf(slot), [...(byChunk.get(chunkOf(slot)) ?? []), slot]);
    await Promise.all(
      [...byChunk].map(async ([chunk, slots]) => {
        if (await this.letGo(chunk, slots, grant)) return;
        // One of them is no longer ours (its lease ended and another took it): the rest one by one.
        if (slots.length > 1) await Promise.all(slots.map((slot) => this.letGo(chunk, [slot], grant)));
      }),
    );
  }

  private slotsOf(chunk: number, limit: number): number[] {
    const first = chunk * SLOTS_PER_ITEM;
    return Array.from({ length: Math.min(SLOTS_PER_ITEM, limit - first) }, (_, i) => first + i);
  }

  private async take(chunk: number, slots: number[], grant: SlotGrant, now: string): Promise<boolean> {
    const names = Object.fromEntries(slots.map((slot) => [`#${attribute(slot)}`, attribute(slot)]));
    try {
      await callAws('DynamoDB', 'UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: concurrencySlotKey(chunk),
            UpdateExpression: `SET ${slots.map((slot) => `#${attribute(slot)} = :holder`).join(', ')}`,
            ConditionExpression: `NOT (${slots.map((slot) => `#${attribute(slot)} >= :now`).join(' OR ')})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':holder': `${grant.leaseUntil}|${grant.holder}`, ':now': now },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async letGo(chunk: number, slots: number[], grant: SlotGrant): Promise<boolean> {
    try {
      await callAws('DynamoDB', 'UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: concurrencySlotKey(chunk),
            UpdateExpression: `REMOVE ${slots.map((slot) => `#${attribute(slot)}`).join(', ')}`,
            ConditionExpression: slots.map((slot) => `#${attribute(slot)} = :mine`).join(' AND '),
            ExpressionAttributeNames: Object.fromEntries(slots.map((slot) => [`#${attribute(slot)}`, attribute(slot)])),
            ExpressionAttributeValues: { ':mine': `${grant.leaseUntil}|${grant.holder}` },
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

/**
 * Claim groups in the ledger table: one item per group (`#claim#<group>`), one
 * attribute per member job, `<leaseUntil>|<holder>`. ISO instants sort as
 * strings, so "held under a live lease" is `member >= now`, and a member never
 * claimed compares false: one conditional UpdateItem, `NOT (m0 >= now OR m1 >=
 * now ...)`, claims a whole bundle. That form costs two of DynamoDB's 300
 * operators per member, which is what bounds a bundle (MAX_BUNDLE_SIZE). A member
 * another delivery holds fails the condition; the item is then read once and the
 * rest claimed again.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { HELD_FOR_GOOD, type ClaimHolder, type GroupClaim } from '../../core/execution/bundle.js';
import type { BundleClaims } from '../../core/execution/ports.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { EXPIRES_AT } from './storage-layout.js';
import { claimGroupKey } from './storage-layout.js';

/** Claim items outlive any redelivery of their messages (SQS keeps a message at most 14 days). */
const KEEP_SECONDS = 15 * 86_400;
const ROUNDS = 5;

export class DynamoBundleClaims implements BundleClaims {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(group: string) {
    return claimGroupKey(group);
  }

  async claim(group: string, jobIds: string[], holder: ClaimHolder, now: string): Promise<GroupClaim> {
    const result: GroupClaim = { taken: [], takenOver: [], regained: [], heldElsewhere: [], heldByPause: [] };
    let pending = [...new Set(jobIds)];
    for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
      const taken = await this.tryClaim(group, pending, holder, now);
      if (taken) {
        result.taken.push(...pending);
        result.takenOver.push(...taken.takenOver);
        return result;
      }
      // Someone holds at least one: read who, leave those, claim the rest.
      const out = await callAws('DynamoDB', 'GetItem', () =>
        this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(group), ConsistentRead: true })),
      );
      // A member already ours: an earlier try of this very claim went through, but its answer
      // was lost (a timed-out request the SDK retried). Ours then; whether that try took it
      // over from someone is unknown, so the ledger decides whether it still has to run.
      const mine = `${holder.leaseUntil}|${holder.id}`;
      const ours = pending.filter((id) => out.Item?.[id] === mine);
      result.taken.push(...ours);
      result.regained.push(...ours);
      const held = pending.filter((id) => !ours.includes(id) && typeof out.Item?.[id] === 'string' && out.Item[id] >= now);
      for (const id of held)
        ((out.Item![id] as string).startsWith(`${HELD_FOR_GOOD}|`) ? result.heldByPause : result.heldElsewhere).push(id);
      pending = pending.filter((id) => !ours.includes(id));
      pending = pending.filter((id) => !held.includes(id));
    }
    if (pending.length > 0) result.heldElsewhere.push(...pending);
    return result;
  }

  async release(group: string, jobId: string, holder: ClaimHolder): Promise<boolean> {
    try {
      // The member's value is `<leaseUntil>|<holder>`: let go only if that holder still has it.
      await callAws('DynamoDB', 'UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key(group),
            UpdateExpression: 'REMOVE #m',
            ConditionExpression: '#m = :held',
            ExpressionAttributeNames: { '#m': jobId },
            ExpressionAttributeValues: { ':held': `${holder.leaseUntil}|${holder.id}` },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** One conditional write for all of `jobIds`; undefined when any of them is held. */
  private async tryClaim(group: string, jobIds: string[], holder: ClaimHolder, now: string): Promise<{ takenOver: string[] } | undefined> {
    // Short placeholders (#0, #1, ... #z, #10) keep the expression well under its 4 KB.
    const slot = (i: number) => `#${i.toString(36)}`;
    const names = Object.fromEntries(jobIds.map((id, i) => [slot(i), id]));
    const expiresAt = Math.floor(Date.parse(now) / 1000) + KEEP_SECONDS;
    try {
      const out = await callAws('DynamoDB', 'UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.key(group),
            UpdateExpression: `SET ${jobIds.map((_, i) => `${slot(i)} = :holder`).join(', ')}, #expires = :expires`,
            ConditionExpression: `NOT (${jobIds.map((_, i) => `${slot(i)} >= :now`).join(' OR ')})`,
            ExpressionAttributeNames: { ...names, '#expires': EXPIRES_AT },
            ExpressionAttributeValues: { ':holder': `${holder.leaseUntil}|${holder.id}`, ':now': now, ':expires': expiresAt },
            ReturnValues: 'UPDATED_OLD',
          }),
        ),
      );
      return { takenOver: jobIds.filter((id) => out.Attributes?.[id] !== undefined) };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }
}

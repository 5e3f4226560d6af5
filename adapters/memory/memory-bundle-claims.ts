/** In-memory BundleClaims: the reference the contract suite holds DynamoDB to. */
import { HELD_FOR_GOOD, type ClaimHolder, type GroupClaim } from '../../core/execution/bundle.js';
import type { BundleClaims } from '../../core/execution/ports.js';

export class MemoryBundleClaims implements BundleClaims {
  private readonly groups = new Map<string, Map<string, ClaimHolder>>();

  async claim(group: string, jobIds: string[], holder: ClaimHolder, now: string): Promise<GroupClaim> {
    const members = this.groups.get(group) ?? new Map<string, ClaimHolder>();
    this.groups.set(group, members);
    const result: GroupClaim = { taken: [], takenOver: [], regained: [], heldElsewhere: [], heldByPause: [] };
    for (const jobId of new Set(jobIds)) {
      const current = members.get(jobId);
      if (current && current.leaseUntil >= now) {
        (current.leaseUntil === HELD_FOR_GOOD ? result.heldByPause : result.heldElsewhere).push(jobId);
        continue;
      }
      members.set(jobId, { ...holder });
      result.taken.push(jobId);
      if (current) result.takenOver.push(jobId);
    }
    return result;
  }

  async release(group: string, jobId: string, holder: ClaimHolder): Promise<boolean> {
    const members = this.groups.get(group);
    const current = members?.get(jobId);
    if (!members || current?.id !== holder.id || current.leaseUntil !== holder.leaseUntil) return false;
    members.delete(jobId);
    return true;
  }
}

/** In-memory ConcurrencySlots: the reference the contract suite holds DynamoDB to. */
import type { ConcurrencySlots, SlotGrant } from '../../core/execution/ports.js';

export class MemoryConcurrencySlots implements ConcurrencySlots {
  private readonly slots = new Map<number, { holder: string; leaseUntil: string }>();

  async acquire(request: { want: number; limit: number; holder: string; leaseUntil: string; now: string }): Promise<SlotGrant> {
    const grant: SlotGrant = { holder: request.holder, leaseUntil: request.leaseUntil, slots: [] };
    for (let slot = 0; slot < request.limit && grant.slots.length < request.want; slot++) {
      const current = this.slots.get(slot);
      if (current && current.leaseUntil >= request.now) continue;
      this.slots.set(slot, { holder: request.holder, leaseUntil: request.leaseUntil });
      grant.slots.push(slot);
    }
    return grant;
  }

  async release(grant: SlotGrant): Promise<void> {
    for (const slot of grant.slots) {
      const current = this.slots.get(slot);
      if (current?.holder === grant.holder && current.leaseUntil === grant.leaseUntil) this.slots.delete(slot);
    }
  }

  /** For tests: the slots held under a live lease at `now`. */
  heldAt(now: string): number {
    return [...this.slots.values()].filter((s) => s.leaseUntil >= now).length;
  }
}

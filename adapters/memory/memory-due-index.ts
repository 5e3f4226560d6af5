/** In-memory DueIndex: the reference the contract suite holds DynamoDB to. */
import { slotOf, type DueEntry, type SubmittedEntry } from '../../core/dispatch/due-index.js';
import type { DueIndex } from '../../core/dispatch/ports.js';

export class MemoryDueIndex implements DueIndex {
  /** slot -> source -> entries */
  private readonly slots = new Map<string, Map<string, DueEntry[]>>();
  private readonly submitted = new Map<string, SubmittedEntry>();
  private next: string | undefined;
  /** Counts slot reads, so tests can see what a tick touched. */
  reads = 0;

  async write(entries: DueEntry[], source: string): Promise<void> {
    const bySlot = new Map<string, DueEntry[]>();
    for (const e of entries) bySlot.set(slotOf(e.from), [...(bySlot.get(slotOf(e.from)) ?? []), structuredClone(e)]);
    for (const [slot, own] of bySlot) {
      const sources = this.slots.get(slot) ?? new Map<string, DueEntry[]>();
      sources.set(source, own);
      this.slots.set(slot, sources);
    }
  }

  async read(slot: string): Promise<DueEntry[]> {
    this.reads++;
    return [...(this.slots.get(slot)?.values() ?? [])].flat().map((e) => structuredClone(e));
  }

  async firstSlotFrom(slot?: string): Promise<string | undefined> {
    return [...this.slots.keys()].filter((s) => slot === undefined || s >= slot).sort()[0];
  }

  private planned: { slot: string; at: string } | undefined;

  async planningTime(slot: string, now: string): Promise<string> {
    if (this.planned?.slot !== slot) this.planned = { slot, at: now };
    return this.planned.at;
  }

  async progress(): Promise<string | undefined> {
    return this.next;
  }

  async advance(expected: string | undefined, to: string): Promise<boolean> {
    if (this.next !== expected) return false;
    this.next = to;
    return true;
  }

  async submit(entry: SubmittedEntry): Promise<void> {
    this.submitted.set(`${entry.jobId}#${entry.rev}`, structuredClone(entry));
  }

  async inbox(limit: number): Promise<SubmittedEntry[]> {
    return [...this.submitted.values()]
      .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))
      .slice(0, limit)
      .map((e) => structuredClone(e));
  }

  async take(entries: SubmittedEntry[]): Promise<void> {
    for (const e of entries) this.submitted.delete(`${e.jobId}#${e.rev}`);
  }

  /** Every live entry of a job, for tests. */
  entriesOf(jobId: string): DueEntry[] {
    return [...this.slots.values()].flatMap((sources) => [...sources.values()].flat()).filter((e) => e.jobId === jobId);
  }
}

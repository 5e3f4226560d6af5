import { MAX_REFS_PER_ENTRY, type DispatchEntry, type DispatchRef } from '../../core/dispatch/dispatch-log.js';
import type { DispatchLog } from '../../core/dispatch/ports.js';

export class MemoryDispatchLog implements DispatchLog {
  private readonly entries = new Map<string, DispatchEntry>();
  private counter = 0;

  async record(refs: DispatchRef[], at: string): Promise<void> {
    for (let i = 0; i < refs.length; i += MAX_REFS_PER_ENTRY) {
      const id = `${at}#${String(++this.counter).padStart(8, '0')}`;
      this.entries.set(id, { id, at, refs: structuredClone(refs.slice(i, i + MAX_REFS_PER_ENTRY)) });
    }
  }

  async pending(before: string, limit: number): Promise<DispatchEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.at < before)
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((e) => structuredClone(e));
  }

  async settle(entry: DispatchEntry, open: DispatchRef[], at: string): Promise<void> {
    if (open.length > 0) await this.record(open, at);
    this.entries.delete(entry.id);
  }

  size(): number {
    return this.entries.size;
  }
}

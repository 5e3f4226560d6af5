/**
 * The dispatch log: what was sent and may not have finished. The tick writes an
 * entry before it sends; recovery reads old entries, finds occurrences whose
 * messages were lost (an emulator restart, a queue purged by hand) and sends them
 * again or records them as missed. Entries are small: keys and times only.
 */

export interface DispatchRef {
  jobId: string;
  scheduledFor: string;
  /** When it was (last) sent; staleness is measured from here. */
  sentAt: string;
}

export interface DispatchEntry {
  id: string;
  /** When the entry was written. */
  at: string;
  refs: DispatchRef[];
}

/** Refs per entry: keeps an entry well under DynamoDB's 400 KB item limit. */
export const MAX_REFS_PER_ENTRY = 2_000;

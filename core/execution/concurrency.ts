/**
 * The global concurrency limit (maxConcurrency in the runtime settings): a handler
 * runs only in a slot leased from ConcurrencySlots, taken before its claim and let go
 * after its outcome is written. A worker that dies holding slots frees them when
 * their lease ends (the longest handler timeout plus margins), so nothing has to
 * clean up after it. With no limit set, no slot is taken: no store call at all.
 *
 * A delivery that finds no free slot comes back after a short backoff with jitter,
 * and that is no attempt (attempts are the ledger's). SQS counts every receive
 * against the queue's maxReceiveCount, though, so after RESEND_AFTER_RECEIVES
 * receives the message is sent again as a fresh copy (its count starts over) and
 * the old one acknowledged: a copy too many is dropped by the claim, as any duplicate.
 */
import { LEASE_MARGIN_SECONDS, RESEND_AFTER_RECEIVES, SLOT_WAIT_MAX_SECONDS } from '../kernel/limits.js';
import type { Clock, Logger } from '../kernel/ports.js';
import type { SettingsSource } from '../settings/runtime-settings.js';
import type { ConcurrencySlots, SlotGrant } from './ports.js';

export interface ConcurrencyDeps {
  /** Absent: this process runs handlers without a limit (tests, tools). */
  slots?: ConcurrencySlots;
  runtimeSettings?: SettingsSource;
  clock: Clock;
  logger: Logger;
}

/** Slots held for some runs: `count` of them (all wanted when no limit is set). */
export interface HeldSlots {
  count: number;
  /** Lets go of all but `count` of them: runs that turned out to need none (held elsewhere, done). */
  keep(count: number): Promise<void>;
  release(): Promise<void>;
}

const UNLIMITED = (want: number): HeldSlots => ({ count: want, keep: () => Promise.resolve(), release: () => Promise.resolve() });

/** How long a slot is leased for runs whose longest timeout is `timeoutMs`: past their claim's lease, for the bookkeeping. */
export const slotLeaseMs = (timeoutMs: number) => timeoutMs + 2 * LEASE_MARGIN_SECONDS * 1000;

export async function takeSlots(want: number, holder: string, timeoutMs: number, deps: ConcurrencyDeps): Promise<HeldSlots> {
  const limit = deps.slots && deps.runtimeSettings ? (await deps.runtimeSettings.current()).maxConcurrency : null;
  if (limit === null || !deps.slots || want === 0) return UNLIMITED(want);
  const slots = deps.slots;
  const now = deps.clock.now();
  let grant = await slots.acquire({
    want,
    limit,
    holder,
    leaseUntil: new Date(now.getTime() + slotLeaseMs(timeoutMs)).toISOString(),
    now: now.toISOString(),
  });
  // A release that fails leaves the slots to their lease: never the run's failure.
  const letGo = async (part: SlotGrant) => {
    if (part.slots.length === 0) return;
    await slots.release(part).catch((error: unknown) =>
      deps.logger.warn('could not release concurrency slots; they free themselves when their lease ends', {
        holder,
        slots: part.slots.length,
        leaseUntil: part.leaseUntil,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
  };
  return {
    count: grant.slots.length,
    keep: async (count) => {
      const extra = { ...grant, slots: grant.slots.slice(count) };
      grant = { ...grant, slots: grant.slots.slice(0, count) };
      await letGo(extra);
    },
    release: async () => {
      const all = grant;
      grant = { ...grant, slots: [] };
      await letGo(all);
    },
  };
}

/**
 * What a delivery that found no free slot does: come back after a backoff that
 * grows with its receives (1-2 s, then up to SLOT_WAIT_MAX_SECONDS, half of it
 * random), or, once SQS has counted `resendAfter` receives, go out again as a new
 * message whose count starts at zero, so that waiting never reaches maxReceiveCount.
 */
export function waitForSlot(
  receiveCount: number,
  random: () => number,
  resendAfter = RESEND_AFTER_RECEIVES,
): { resend: boolean; delaySeconds: number } {
  const ceiling = Math.min(SLOT_WAIT_MAX_SECONDS, 2 ** Math.max(0, Math.min(receiveCount, 8) - 1));
  const delaySeconds = Math.max(1, Math.ceil(ceiling / 2 + (random() * ceiling) / 2));
  return { resend: receiveCount >= resendAfter, delaySeconds };
}

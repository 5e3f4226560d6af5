/**
 * The simulation's handlers and the log of every run. A job's payload names its
 * behaviour; what one attempt does is a hash of the seed, the occurrence and the
 * attempt, so a seed replays exactly. At the start of each run the log notes what
 * the ledger (the raw store, below the faults) said then, and which other runs
 * of the same occurrence were still going in live workers.
 */
import { HandlerRegistry, NonRetryableError, RetryAfterError, type Handler } from '../../core/execution/handlers.js';
import type { Execution } from '../../core/execution/ledger-record.js';
import { occurrenceKey } from '../../core/execution/occurrence.js';
import type { Clock } from '../../core/kernel/ports.js';
import type { Life } from './mortal.js';

export type Behavior =
  | { kind: 'ok' }
  | { kind: 'flaky'; failures: number }
  | { kind: 'fail' }
  | { kind: 'odd' }
  | { kind: 'hang'; chance: number }
  | { kind: 'non-retryable' }
  | { kind: 'retry-after'; ms: number };

export interface Run {
  key: string;
  jobId: string;
  scheduledFor: string;
  attempt: number;
  life: Life;
  startedAt: number;
  /** The ledger record when the run started. */
  ledgerAtStart?: Execution;
  /** Runs of the same occurrence still going in live workers when this one started. */
  concurrentWith: number;
  outcome?: 'succeeded' | 'threw' | 'aborted';
}

function hash01(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const c of parts.join('|')) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  return ((h ^ (h >>> 15)) >>> 0) / 4_294_967_296;
}

const ODD_VALUES: (() => unknown)[] = [
  () => Object.create(null),
  () => 'a plain string',
  () => undefined,
  () => new Error('x'.repeat(500_000)),
  () => 42,
];

export class HandlerLog {
  readonly runs: Run[] = [];
  private readonly going = new Map<string, Set<Run>>();

  constructor(
    private readonly seed: number,
    private readonly clock: Clock,
    private readonly ledger: { get(jobId: string, scheduledFor: string): Promise<Execution | undefined> },
  ) {}

  /** The handlers as one process (with `life`) sees them. */
  registry(life: Life): HandlerRegistry {
    return new HandlerRegistry({ sim: this.handler(life) });
  }

  private handler(life: Life): Handler {
    return async (payload, ctx) => {
      const key = occurrenceKey(ctx);
      const going = this.going.get(key) ?? new Set<Run>();
      this.going.set(key, going);
      const run: Run = {
        key,
        jobId: ctx.jobId,
        scheduledFor: ctx.scheduledFor,
        attempt: ctx.attempt,
        life,
        startedAt: this.clock.now().getTime(),
        concurrentWith: [...going].filter((r) => !r.life.dead).length,
      };
      this.runs.push(run);
      going.add(run);
      const done = (outcome: Run['outcome']) => {
        run.outcome ??= outcome;
        going.delete(run);
      };
      ctx.signal.addEventListener('abort', () => done('aborted'));
      // Read synchronously enough: the memory store answers in the same turn.
      run.ledgerAtStart = await this.ledger.get(ctx.jobId, ctx.scheduledFor);
      try {
        await this.behave((payload as { behavior: Behavior }).behavior, ctx.jobId, ctx.scheduledFor, ctx.attempt);
        done('succeeded');
      } catch (error) {
        done('threw');
        throw error;
      }
    };
  }

  private async behave(b: Behavior, jobId: string, scheduledFor: string, attempt: number): Promise<void> {
    const roll = hash01(this.seed, jobId, scheduledFor, attempt);
    switch (b.kind) {
      case 'ok':
        return;
      case 'flaky':
        if (attempt <= b.failures) throw new Error(`flaky: attempt ${attempt} of ${b.failures} failures`);
        return;
      case 'fail':
        throw new Error('always fails');
      case 'odd':
        if (roll < 0.5) throw ODD_VALUES[Math.floor(roll * 10)]!();
        return;
      case 'hang':
        if (roll < b.chance) await new Promise<never>(() => {});
        return;
      case 'non-retryable':
        if (roll < 0.5) throw new NonRetryableError('gives up at once');
        return;
      case 'retry-after':
        if (attempt === 1) throw new RetryAfterError(b.ms);
        return;
    }
  }

  /** Runs of a killed process stop with it. */
  forget(life: Life): void {
    for (const going of this.going.values()) for (const r of going) if (r.life === life) going.delete(r);
  }
}

/**
 * A manual run: one extra occurrence of a job, now, with who asked and why. It is
 * an occurrence like any other (the overlap policy applies, it retries, it can go
 * dead), at an instant of its own: `now`, moved on by a millisecond while that
 * instant is one of the job's scheduled ones, already has a record or is reserved
 * by another manual run (a conditional write decides between two at once), so that
 * it never merges with another run. It does not count toward maxRuns (those count the
 * schedule's occurrences), and it runs whatever the job's status: a paused job
 * can still be run by hand.
 */
import { ConcurrentUpdateError } from '../kernel/errors.js';
import { occurrenceOf } from '../dispatch/planner.js';
import { sendFirstAttempts } from '../dispatch/send-first-attempts.js';
import { deadLetterId } from '../execution/ledger-record.js';
import type { ManualTrigger } from '../execution/occurrence.js';
import type { Job } from '../jobs/job.js';
import { nextJobOccurrence } from '../schedule/fire-times.js';
import type { PauseDeps } from './pause-resume.js';

export interface TriggeredRun {
  /** The execution's id, for GET /v1/executions/{id}. */
  executionId: string;
  jobId: string;
  scheduledFor: string;
  trigger: ManualTrigger;
}

/** Instants tried before giving up on finding a free one (a thousand runs in one millisecond). */
const MAX_SHIFT_MS = 1_000;

export async function triggerJob(
  job: Job,
  trigger: ManualTrigger,
  deps: Pick<PauseDeps, 'jobs' | 'executions' | 'queue' | 'dispatchLog' | 'clock'>,
): Promise<TriggeredRun> {
  const now = deps.clock.now();
  let at: Date | undefined;
  for (let shift = 0; shift < MAX_SHIFT_MS && !at; shift++) {
    const candidate = new Date(now.getTime() + shift);
    const scheduled = nextJobOccurrence(job, new Date(candidate.getTime() - 1))?.getTime() === candidate.getTime();
    if (scheduled || (await deps.executions.get(job.id, candidate.toISOString()))) continue;
    // Two asked for at once both find the instant free: the reservation decides between them.
    const expires = new Date(now.getTime() + 86_400_000).toISOString();
    if (await deps.jobs.reserveRunInstant(job.id, candidate.toISOString(), expires)) at = candidate;
  }
  if (!at) throw new ConcurrentUpdateError(`job ${job.id} has more manual runs asked for this second than it can take; try again`);
  const scheduledFor = at.toISOString();
  // Through the dispatch log like every first attempt: a message the queue loses is found and sent again.
  await sendFirstAttempts([{ ...occurrenceOf(job, at), trigger, delaySeconds: 0 }], now.toISOString(), deps);
  return { executionId: deadLetterId({ jobId: job.id, scheduledFor }), jobId: job.id, scheduledFor, trigger };
}

/**
 * The properties, judged from the ledger (every record of every job ever
 * created), the log of handler runs and the truth (what the stores really went
 * through). Fire times come from core/schedule/fire-times.ts; which of them were due
 * while a job was active, and what each misfire policy may run per outage, is
 * worked out here from the truth, not taken from the code under test.
 */
import { LEASE_MARGIN_SECONDS, VISIBILITY_TIMEOUT_SECONDS } from '../../core/kernel/limits.js';
import type { Execution } from '../../core/execution/ledger-record.js';
import { jobOccurrences } from '../../core/schedule/fire-times.js';
import type { SimResult } from './world.js';

export type Property =
  | 'final-outcome'
  | 'no-run-after-final'
  | 'one-run-at-a-time'
  | 'attempts-within-max'
  | 'paused-skips-only-while-paused'
  | 'max-runs-counts-runs'
  | 'misfire-per-outage'
  | 'no-older-after-newer';

export const PROPERTIES: Property[] = [
  'final-outcome',
  'no-run-after-final',
  'one-run-at-a-time',
  'attempts-within-max',
  'paused-skips-only-while-paused',
  'max-runs-counts-runs',
  'misfire-per-outage',
  'no-older-after-newer',
];

export interface Violation {
  property: Property;
  jobId: string;
  scheduledFor?: string;
  detail: string;
}

const FINAL = new Set(['succeeded', 'dead', 'skipped']);
/** Sent to run (as maxRuns counts): anything but a skip for misfire or pause. */
const ran = (r: Execution) => r.status !== 'skipped' || r.skipReason === 'overlap';
const iso = (t: number) => new Date(t).toISOString();

export async function checkProperties(sim: SimResult): Promise<Violation[]> {
  const out: Violation[] = [];
  const add = (v: Violation) => out.push(v);
  const runsByJob = new Map<string, typeof sim.log.runs>();
  for (const r of sim.log.runs) runsByJob.set(r.jobId, [...(runsByJob.get(r.jobId) ?? []), r]);

  for (const [jobId, h] of sim.truth.jobs) {
    const { job } = h;
    const records = new Map((await sim.executions.listForJob(jobId, { limit: 1_000_000 })).items.map((r) => [r.scheduledFor, r]));
    const fireTimes = [...jobOccurrences(job, new Date(Date.parse(job.createdAt)), new Date(sim.horizon), 1_000_000)].map((d) =>
      d.getTime(),
    );
    const runs = runsByJob.get(jobId) ?? [];

    // Every occurrence due while the job was active (or completed early by the tick) ends final; maxRuns ends the count.
    let counted = 0;
    for (const t of fireTimes) {
      if (job.maxRuns !== undefined && counted >= job.maxRuns) break;
      const status = sim.truth.statusAt(jobId, t);
      const record = records.get(iso(t));
      // Due while paused: no record is owed, but one a resume's catch-up ran counts as a run.
      if (status !== 'active' && status !== 'completed') {
        if (record && ran(record)) counted++;
        continue;
      }
      if (!record || ran(record)) counted++;
      if (!record || !FINAL.has(record.status)) {
        add({
          property: 'final-outcome',
          jobId,
          scheduledFor: iso(t),
          detail: record ? `ends ${record.status} (attempt ${record.attempt})` : 'has no record',
        });
      }
    }

    for (const run of runs) {
      if (run.ledgerAtStart && FINAL.has(run.ledgerAtStart.status)) {
        add({
          property: 'no-run-after-final',
          jobId,
          scheduledFor: run.scheduledFor,
          detail:
            `attempt ${run.attempt} started while the ledger said ${run.ledgerAtStart.status}` +
            (run.ledgerAtStart.skipReason ? ` (${run.ledgerAtStart.skipReason})` : ''),
        });
      }
      if (run.concurrentWith > 0)
        add({
          property: 'one-run-at-a-time',
          jobId,
          scheduledFor: run.scheduledFor,
          detail: `attempt ${run.attempt} started while ${run.concurrentWith} other run(s) went on in live workers`,
        });
      if (run.attempt > job.policy.retry.maxAttempts)
        add({
          property: 'attempts-within-max',
          jobId,
          scheduledFor: run.scheduledFor,
          detail: `the handler ran as attempt ${run.attempt} of at most ${job.policy.retry.maxAttempts}`,
        });
    }
    for (const r of records.values()) {
      const ofRound = r.attempt - (r.attemptBase ?? 0);
      if (r.status !== 'skipped' && ofRound > job.policy.retry.maxAttempts) {
        add({
          property: 'attempts-within-max',
          jobId,
          scheduledFor: r.scheduledFor,
          detail:
            `record ${r.status} at attempt ${ofRound} of at most ${job.policy.retry.maxAttempts}` + (r.error ? ` (${r.error.name})` : ''),
        });
      }
      if (r.status === 'skipped' && r.skipReason === 'paused' && sim.truth.statusAt(jobId, Date.parse(r.scheduledFor)) === 'active') {
        add({
          property: 'paused-skips-only-while-paused',
          jobId,
          scheduledFor: r.scheduledFor,
          detail: 'skipped as paused, but the job was active then',
        });
      }
    }

    if (job.maxRuns !== undefined) {
      const sent = [...records.values()].filter(ran).length;
      const last = h.statuses.at(-1)!;
      // Completion comes when the last occurrence is sent, before it runs: look after the latest record too.
      const latest = Math.max(last.at, ...[...records.keys()].map((k) => Date.parse(k)));
      const more = [...jobOccurrences(job, new Date(latest), new Date(8.64e15), 1)].length > 0;
      if (sent > job.maxRuns) add({ property: 'max-runs-counts-runs', jobId, detail: `${sent} runs of maxRuns ${job.maxRuns}` });
      // Sent ahead and due after the simulation ended: counted, not run yet (the chain sends up to two minutes ahead).
      const notYetDue = [...jobOccurrences(job, new Date(sim.end - 1), new Date(last.at + 3 * 60_000), job.maxRuns)].length;
      if (last.status === 'completed' && h.deletedAt === undefined && more && sent + notYetDue < job.maxRuns) {
        add({
          property: 'max-runs-counts-runs',
          jobId,
          detail: `completed after ${sent} runs of maxRuns ${job.maxRuns}, its schedule not spent`,
        });
      }
    }

    checkOutages(sim, jobId, fireTimes, records, add);
    checkOrder(jobId, job, runs, sim.truth.outages, add);
  }
  return out;
}

/**
 * Per outage, for jobs nobody touched around it: of the occurrences surely missed
 * (due while down, and more than grace plus a tick late at the restart), `skip`
 * runs none, `once` at most one, `all` at most maxCatchUp and only the latest.
 */
function checkOutages(
  sim: SimResult,
  jobId: string,
  fireTimes: number[],
  records: Map<string, Execution>,
  add: (v: Violation) => void,
): void {
  const { job } = sim.truth.jobs.get(jobId)!;
  const { policy, graceMs, maxCatchUp } = job.policy.misfire;
  for (const o of sim.truth.outages) {
    if (sim.truth.statusAt(jobId, o.from) !== 'active' || !sim.truth.untouched(jobId, o.from - 3 * 60_000, o.to + 20 * 60_000)) continue;
    // What the tick had sent ahead before the outage (two minutes at most) runs when workers are back.
    const missed = fireTimes.filter((t) => t >= o.from + 2 * 60_000 && t < o.to - graceMs - 60_000);
    const runIdx = missed
      .map((t, i) => [t, i] as const)
      .filter(([t]) => {
        const r = records.get(iso(t));
        return r !== undefined && ran(r);
      });
    const allowed = policy === 'skip' ? 0 : policy === 'once' ? 1 : maxCatchUp;
    const suffix = runIdx.every(([, i]) => i >= missed.length - runIdx.length);
    // With an overlap policy the catch-up's occurrences queue for the job's lock, and it picks among them.
    if (runIdx.length > allowed || (policy === 'all' && job.policy.overlap === 'allow' && !suffix)) {
      add({
        property: 'misfire-per-outage',
        jobId,
        detail:
          `misfire ${policy}${policy === 'all' ? ` (maxCatchUp ${maxCatchUp})` : ''}: ` +
          `ran ${runIdx.length} of ${missed.length} missed in the outage ${iso(o.from)} to ${iso(o.to)}: ` +
          runIdx.map(([t]) => iso(t)).join(', '),
      });
    }
  }
}

/**
 * The promise (issue 14, README "Pausing, resuming and downtime"): for misfire
 * `once` and `skip`, of what an outage leaves to run late (first attempts that
 * start long after their instant), none starts after another such one more than
 * its grace newer: one decision per outage, no lost old occurrence re-sent after
 * a newer catch-up. The start order of what goes out together is SQS's and is not
 * judged: only runs this late are compared. Not promised, and left out: retries and `all` catch-ups
 * (older ones later by design); `queue-one` (a parked occurrence runs after the
 * one ahead of it, which can be newer when the holder's worker died); `maxRuns`
 * jobs (a lost occurrence is sent again, as it counted); a message delivered
 * again after its worker died before claiming it, which SQS shows again after the
 * visibility timeout (a first attempt up to that, the lease and the timeout late);
 * and what was sent ahead before an outage and waited in the queue through it (two
 * minutes at most), which SQS delivers when workers are back in any order.
 */
function checkOrder(
  jobId: string,
  job: { policy: { misfire: { policy: string; graceMs: number }; overlap: string; timeoutMs: number }; maxRuns?: number },
  runs: SimResult['log']['runs'],
  outages: SimResult['truth']['outages'],
  add: (v: Violation) => void,
): void {
  if (job.policy.misfire.policy === 'all' || job.policy.overlap === 'queue-one' || job.maxRuns !== undefined) return;
  const redeliveryMs = (VISIBILITY_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS) * 1000 + job.policy.timeoutMs;
  const waitedInQueue = (r: (typeof runs)[number]) => {
    const t = Date.parse(r.scheduledFor);
    return outages.some((o) => t >= o.from - 2 * 60_000 && t < o.from + 2 * 60_000 && r.startedAt > o.from);
  };
  let newest: string | undefined;
  const firsts = runs.filter((x) => x.attempt === 1 && x.startedAt - Date.parse(x.scheduledFor) > redeliveryMs && !waitedInQueue(x));
  for (const r of firsts.sort((a, b) => a.startedAt - b.startedAt)) {
    if (newest && Date.parse(newest) - Date.parse(r.scheduledFor) > job.policy.misfire.graceMs) {
      add({
        property: 'no-older-after-newer',
        jobId,
        scheduledFor: r.scheduledFor,
        detail: `first attempt started at ${iso(r.startedAt)}, after that of ${newest}`,
      });
    }
    if (!newest || r.scheduledFor > newest) newest = r.scheduledFor;
  }
}

/** What a reader needs to replay one violation: the job's story, the outages, and that occurrence's runs and record. */
export async function explain(sim: SimResult, v: Violation): Promise<string> {
  const h = sim.truth.jobs.get(v.jobId)!;
  const lines = [`seed ${sim.seed}: ${v.property}: job ${v.jobId}${v.scheduledFor ? ` @ ${v.scheduledFor}` : ''}: ${v.detail}`];
  lines.push(
    `  job: ${JSON.stringify({
      schedule: h.job.schedule,
      policy: h.job.policy,
      startAt: h.job.startAt,
      endAt: h.job.endAt,
      maxRuns: h.job.maxRuns,
      payload: h.job.payload,
    })}`,
  );
  lines.push(
    `  statuses: ${h.statuses.map((s) => `${iso(s.at)} ${s.status}`).join(', ')}${h.deletedAt ? `, deleted ${iso(h.deletedAt)}` : ''}`,
  );
  for (const e of sim.events.filter((e) => e.what.includes(v.jobId) || e.what.startsWith('runtime'))) lines.push(`  ${e.at} ${e.what}`);
  if (v.scheduledFor) {
    for (const r of sim.log.runs.filter((r) => r.jobId === v.jobId && r.scheduledFor === v.scheduledFor)) {
      lines.push(
        `  run: attempt ${r.attempt} at ${iso(r.startedAt)} in ${r.life.name}` +
          `${r.life.dead ? ' (died)' : ''}: ${r.outcome ?? 'never ended'}`,
      );
    }
    const record = await sim.executions.get(v.jobId, v.scheduledFor);
    lines.push(`  record: ${JSON.stringify(record ? { ...record, occurrence: undefined } : undefined)?.slice(0, 400)}`);
  }
  return lines.join('\n');
}

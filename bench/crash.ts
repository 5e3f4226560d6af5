/**
 * Crash to outcome: the local runtime (`npm run dev`, as a process of its own)
 * killed with kill -9 at seeded-random moments under load and started again, on
 * emulators that outlive it, as the queue and tables outlive a Lambda on AWS.
 * For each occurrence a kill caught unfinished: how long after its instant its
 * outcome came (the ledger's finishedAt); and whether any was lost or ran twice.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Execution } from '../core/execution/ledger-record.js';
import { occurrenceKey } from '../core/execution/occurrence.js';
import { logEntries, startRuntimeProcess, type RuntimeProcess } from '../local/runtime-process.js';
import type { BenchEnvironment } from './environment.js';
import { percentiles } from './timing.js';
import { mulberry32 } from '../adapters/faults/prng.js';

export interface CrashPlan {
  /** Jobs firing every second (`* * * * * *`, the `log` handler). */
  jobs: number;
  kills: number;
  /** Uptime before each kill, drawn in [min, max] seconds. */
  upSeconds: [number, number];
  seed: number;
}

export interface CrashFigures {
  measuredAt: string;
  seed: number;
  jobs: number;
  kills: number;
  windowSeconds: number;
  /** Occurrences due in the window. */
  occurrences: number;
  /** Due by the kill (or within its second) and unfinished then: what the kill caught in flight. */
  inFlight: number;
  /** From each in-flight occurrence's instant to its outcome. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Due while the runtime was down: the latest outcome after its instant. */
  dueWhileDown: number;
  dueWhileDownMaxMs: number;
  /** The last outcome of the window, after the last restart. */
  settledAfterLastRestartMs: number;
  /** Still without a final outcome when the bench stopped waiting. */
  lost: number;
  /** Ran to success twice where no kill explains it. */
  duplicated: number;
  /** Ran again because a kill cut the first run off before its outcome was recorded (not exactly once, as documented). */
  rerunAfterKill: number;
  /** Seconds from a kill until the restarted runtime answered. */
  restartSeconds: number;
}

const prng = mulberry32;

const SETTLE_LIMIT_MS = 150_000;

export async function measureCrash(env: BenchEnvironment, plan: CrashPlan, log: (m: string) => void = () => {}): Promise<CrashFigures> {
  const random = prng(plan.seed);
  const processEnv = {
    AWS_ENDPOINT_URL_DYNAMODB: env.endpoints.dynamo,
    AWS_ENDPOINT_URL_SQS: env.endpoints.sqs,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    SCHEDULER_SEED_EXAMPLE: '0',
  };
  const outputs: string[] = [];
  let runtime: RuntimeProcess = await startRuntimeProcess(processEnv);
  const jobIds = new Map<string, string>();
  try {
    for (let i = 0; i < plan.jobs; i++) {
      const name = `crash-${i}`;
      const res = await runtime.api('/v1/jobs', {
        method: 'POST',
        body: JSON.stringify({ name, schedule: { cron: '* * * * * *' }, handler: 'log', timeout: '5s' }),
      });
      if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
      jobIds.set(name, ((await res.json()) as { id: string }).id);
    }
    await delay(3_000);

    const windowStart = Date.now();
    const kills: { at: number; ready: number }[] = [];
    for (let k = 0; k < plan.kills; k++) {
      const [min, max] = plan.upSeconds;
      await delay(Math.round((min + random() * (max - min)) * 1000));
      await runtime.stop('SIGKILL');
      const at = Date.now();
      outputs.push(runtime.output());
      await delay(Math.round(random() * 1000));
      runtime = await startRuntimeProcess(processEnv);
      kills.push({ at, ready: Date.now() });
      log(
        `crash: kill ${k + 1} of ${plan.kills} at ${((at - windowStart) / 1000).toFixed(1)} s, ` +
          `answering again after ${((Date.now() - at) / 1000).toFixed(1)} s`,
      );
    }
    const lastRestart = kills.at(-1)!.ready;

    const wanted: { jobId: string; name: string; scheduledFor: string }[] = [];
    for (const [name, jobId] of jobIds) {
      for (let t = Math.ceil(windowStart / 1000) * 1000; t <= lastRestart; t += 1000)
        wanted.push({ jobId, name, scheduledFor: new Date(t).toISOString() });
    }
    let records = new Map<string, Execution>();
    const isFinal = (e: Execution | undefined) => e?.status === 'succeeded' || e?.status === 'dead' || e?.status === 'skipped';
    for (;;) {
      records = await env.deps.executions.getMany(wanted);
      if (wanted.every((w) => isFinal(records.get(occurrenceKey(w)))) || Date.now() > lastRestart + SETTLE_LIMIT_MS) break;
      await delay(500);
    }
    await runtime.stop('SIGTERM');
    outputs.push(runtime.output());

    // Successful handler runs per occurrence, by incarnation and attempt.
    const runs = new Map<string, { incarnation: number; attempt: number }[]>();
    outputs.forEach((output, incarnation) => {
      for (const e of logEntries(output)) {
        if (e.message !== 'log handler') continue;
        const key = `${String(e.jobName)} ${String(e.scheduledFor)}`;
        runs.set(key, [...(runs.get(key) ?? []), { incarnation, attempt: Number(e.attempt) }]);
      }
    });

    const inFlight: number[] = [];
    const down: number[] = [];
    let lost = 0;
    let duplicated = 0;
    let rerunAfterKill = 0;
    let settled = 0;
    for (const w of wanted) {
      const record = records.get(occurrenceKey(w));
      if (!isFinal(record)) {
        lost++;
        continue;
      }
      const instant = Date.parse(w.scheduledFor);
      const outcomeAt = Date.parse(record!.finishedAt ?? record!.startedAt ?? w.scheduledFor);
      settled = Math.max(settled, outcomeAt - lastRestart);
      const caughtBy = kills.find((k) => instant <= k.at + 1_000 && outcomeAt > k.at);
      const dueWhileDown = kills.find((k) => instant > k.at + 1_000 && instant <= k.ready);
      if (caughtBy) inFlight.push(outcomeAt - instant);
      else if (dueWhileDown) down.push(outcomeAt - instant);
      const mine = runs.get(`${w.name} ${w.scheduledFor}`) ?? [];
      const others = mine.filter((r) => r.attempt !== record!.attempt);
      const explained = others.every((r) => r.attempt < record!.attempt && r.incarnation < outputs.length - 1);
      if (mine.filter((r) => r.attempt === record!.attempt).length > 1 || !explained) duplicated++;
      else rerunAfterKill += others.length;
    }
    const restarts = kills.map((k) => k.ready - k.at).sort((a, b) => a - b);
    return {
      measuredAt: new Date().toISOString(),
      seed: plan.seed,
      jobs: plan.jobs,
      kills: plan.kills,
      windowSeconds: Math.round((lastRestart - windowStart) / 1000),
      occurrences: wanted.length,
      inFlight: inFlight.length,
      ...percentiles(inFlight),
      dueWhileDown: down.length,
      dueWhileDownMaxMs: Math.round(Math.max(0, ...down)),
      settledAfterLastRestartMs: Math.round(settled),
      lost,
      duplicated,
      rerunAfterKill,
      restartSeconds: Math.round(restarts[Math.floor(restarts.length / 2)]! / 100) / 10,
    };
  } finally {
    await runtime.stop('SIGKILL');
  }
}

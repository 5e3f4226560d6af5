/** Writes bench/results.json and bench/RESULTS.md: the figures, the machine and the date. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import type { CostFigures } from './cost.js';
import type { CrashFigures } from './crash.js';
import type { TickFigures } from './tick.js';
import type { PeerResult } from './peers.js';
import type { Burst, Lateness } from './timing.js';

export interface BenchResults {
  date: string;
  /** This scheduler's version (package.json). */
  version: string;
  mode: 'full' | 'quick';
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string };
  emulators: string;
  tick: TickFigures[];
  cost: CostFigures;
  lateness: Lateness | null;
  burst: Burst | null;
  /** Absent in results written before the crash scenario existed. */
  crash?: CrashFigures | null;
  workerConcurrency: number;
  peers: PeerResult[];
  /** Scenarios the benchmark does not run yet, and why. */
  notMeasured: Record<string, string>;
}

export function machine(): BenchResults['machine'] {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
}

function markdown(r: BenchResults): string {
  const m = r.machine;
  const lines = [
    '# Benchmark results',
    '',
    `Measured ${r.date} (${r.mode} run) on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, ` + `Node ${m.node}; ${r.emulators}.`,
    'Written by `npm run bench`; do not edit by hand.',
    '',
    '## Tick: cost against stored jobs',
    '',
    `Each size is measured over ${r.tick[0]?.ticks ?? 0} ticks, each with its own due jobs: ` +
      'the median time (fastest to slowest beside it), and per tick the mean units and requests.',
    '',
    row('stored jobs', 'due jobs', 'tick ms (median)', 'fastest - slowest', 'read units', 'write units', 'requests', 'scans'),
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.tick.map((t) =>
      row(
        t.storedJobs.toLocaleString('en'),
        t.dueJobs.toLocaleString('en'),
        t.tickMs,
        `${t.tickMsMin} - ${t.tickMsMax}`,
        t.readUnits,
        t.writeUnits,
        t.requests,
        t.scans,
      ),
    ),
    '',
    '## Lateness and burst',
    '',
    `Handler start minus the occurrence's instant; the worker runs ${r.workerConcurrency} batches at once ` +
      "(the AWS event source's maximum concurrency in infra/). " +
      (r.mode === 'full'
        ? 'Ticks at :30 of every minute from 90 s before the window to its end, as the local runtime ticks.'
        : 'Quick run: one tick 5 s before the window.'),
    '',
    '| scenario | occurrences | p50 ms | p99 ms | max ms | drain s |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...(r.lateness
      ? [row('spread over one minute', r.lateness.jobs.toLocaleString('en'), r.lateness.p50Ms, r.lateness.p99Ms, r.lateness.maxMs, '')]
      : []),
    ...(r.burst
      ? [
          row(
            'all at the top of a minute',
            r.burst.jobs.toLocaleString('en'),
            r.burst.p50Ms,
            r.burst.p99Ms,
            r.burst.maxMs,
            r.burst.drainSeconds,
          ),
        ]
      : []),
    '',
    ...(r.peers.length > 0
      ? [
          '## The burst beside peers (same machine, same run, no-op handlers)',
          '',
          '| scheduler | version | p50 ms | p99 ms | max ms | drain s | settings |',
          '| --- | --- | ---: | ---: | ---: | ---: | --- |',
          ...(r.burst
            ? [
                row(
                  'this scheduler',
                  r.version,
                  r.burst.p50Ms,
                  r.burst.p99Ms,
                  r.burst.maxMs,
                  r.burst.drainSeconds,
                  `worker concurrency ${r.workerConcurrency}`,
                ),
              ]
            : []),
          ...r.peers.map((p) =>
            p.error
              ? row(p.name, p.version, '', '', '', '', `not measured: ${p.error.replace(/\|/g, '/')}`)
              : row(p.name, p.version, p.p50Ms, p.p99Ms, p.maxMs, p.drainSeconds, p.settings),
          ),
          '',
        ]
      : []),
    ...(r.crash ? crashSection(r.crash) : []),
    '## Cost per execution (list prices, us-east-1)',
    '',
    `${r.cost.executions.toLocaleString('en')} executions spread evenly over one minute, ` +
      "end to end (tick, SQS, worker, ledger, and recovery's later check of the dispatch log)" +
      (r.cost.measuredAt ? `; measured alone on ${r.cost.measuredAt} (\`--only cost\`).` : '.'),
    '',
    row('USD per million executions', 'requests per execution', 'write units per execution', 'read units per execution'),
    '| ---: | ---: | ---: | ---: |',
    row(r.cost.usdPerMillionExecutions, r.cost.requestsPerExecution, r.cost.writeUnitsPerExecution, r.cost.readUnitsPerExecution),
    '',
    '| paid for | USD per million executions |',
    '| --- | ---: |',
    ...Object.entries(r.cost.breakdown).map(([k, v]) => row(k, v)),
    '',
    '| request | count |',
    '| --- | ---: |',
    ...Object.entries(r.cost.requestsByOperation)
      .sort()
      .map(([k, v]) => row(k, v)),
  ];
  if (Object.keys(r.notMeasured).length > 0) {
    lines.push('', '## Not measured yet', '', ...Object.entries(r.notMeasured).map(([k, v]) => `- \`${k}\`: ${v}`));
  }
  return `${lines.join('\n')}\n`;
}

/** One row of a Markdown table. */
function row(...cells: (string | number | undefined)[]): string {
  return `| ${cells.map((c) => c ?? '').join(' | ')} |`;
}

function crashSection(c: CrashFigures): string[] {
  return [
    '## Crash to outcome',
    '',
    [
      `Measured ${c.measuredAt}. The local runtime, a process of its own on emulators that outlive it,`,
      `killed with kill -9 ${c.kills} times at random moments (seed ${c.seed}) while ${c.jobs} jobs fire every second,`,
      `and started again each time (it answered again ${c.restartSeconds} s after a kill, median).`,
      `Of the ${c.occurrences.toLocaleString('en')} occurrences due in the ${c.windowSeconds} s window,`,
      `${c.inFlight} were due and unfinished when a kill came: from their instant to their outcome in the ledger:`,
    ].join(' '),
    '',
    row(
      'in flight at a kill',
      'p50 ms',
      'p99 ms',
      'max ms',
      'due while down (max ms)',
      'last outcome after the last restart, ms',
      'lost',
      'ran twice',
      'run again after a kill cut it off',
    ),
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row(
      c.inFlight,
      c.p50Ms,
      c.p99Ms,
      c.maxMs,
      `${c.dueWhileDown} (${c.dueWhileDownMaxMs})`,
      c.settledAfterLastRestartMs,
      c.lost,
      c.duplicated,
      c.rerunAfterKill,
    ),
    '',
  ];
}

/** The results written last, to add one scenario's figures to them. */
export function readResults(dir: string): BenchResults {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
}

export function writeResults(results: BenchResults, dir: string): void {
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'RESULTS.md'), markdown(results));
}

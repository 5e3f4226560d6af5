/** CI does not run the benchmark; it runs its code at a tiny scale, on the same emulators. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readResults, writeResults } from '../../bench/report.js';
import { runBench, runCrash } from '../../bench/run.js';

describe.skipIf(inject('dynamoDbLocalEndpoint') === null)('benchmark code, tiny', () => {
  it('measures the tick and the cost, and writes both result files', async () => {
    const results = await runBench({
      mode: 'quick',
      storedJobs: [300, 600],
      dueJobs: 20,
      tickRepeats: 3,
      costExecutions: 30,
      timingJobs: 0,
      workerConcurrency: 2,
      peers: false,
      crash: null,
    });

    expect(results.tick.map((t) => [t.storedJobs, t.dueJobs, t.scans])).toEqual([
      [300, 20, 0],
      [600, 20, 0],
    ]);
    for (const t of results.tick) {
      expect(t.readUnits).toBeGreaterThan(0);
      expect(t.sent).toBe(20);
      expect(t.ticks).toBe(3);
      expect(t.tickMsMin).toBeLessThanOrEqual(t.tickMs);
      expect(t.tickMs).toBeLessThanOrEqual(t.tickMsMax);
    }
    // Reads follow what is due, not what is stored.
    expect(Math.abs(results.tick[1]!.readUnits - results.tick[0]!.readUnits)).toBeLessThanOrEqual(2);
    expect(results.cost.executions).toBe(30);
    expect(results.cost.writeUnitsPerExecution).toBeGreaterThan(0);
    expect(results.cost.usdPerMillionExecutions).toBeGreaterThan(0);

    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    try {
      writeResults(results, dir);
      expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toMatchObject({
        tick: expect.any(Array),
        cost: expect.any(Object),
      });
      expect(existsSync(join(dir, 'RESULTS.md'))).toBe(true);
      expect(readFileSync(join(dir, 'RESULTS.md'), 'utf8')).toContain(`| 600 | 20 |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('kills the runtime under load, and measures how long what it had in flight took to its outcome', async () => {
    const crash = await runCrash({ jobs: 3, kills: 1, upSeconds: [1, 2] }, 42);

    expect(crash).toMatchObject({ seed: 42, jobs: 3, kills: 1, lost: 0, duplicated: 0 });
    expect(crash.occurrences).toBeGreaterThan(0);
    expect(crash.p50Ms).toBeLessThanOrEqual(crash.p99Ms);
    expect(crash.p99Ms).toBeLessThanOrEqual(crash.maxMs);
    expect(crash.restartSeconds).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    try {
      writeResults({ ...readResults(join(import.meta.dirname, '../../bench')), crash }, dir);
      expect(readFileSync(join(dir, 'RESULTS.md'), 'utf8')).toContain('## Crash to outcome');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

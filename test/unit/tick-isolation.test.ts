/**
 * Whatever one job's occurrence does to the queue, the tick goes on for the
 * others and moves its progress; what the queue refuses is recorded dead
 * (`unsendable`) where the API shows it. Seeded; TEST_SEED=n reruns.
 */
import { describe, expect, it } from 'vitest';
import { claimGroupOf } from '../../core/execution/bundle.js';
import { StoreUnavailableError } from '../../core/kernel/errors.js';
import type { Job } from '../../core/jobs/job.js';
import { occurrenceKey } from '../../core/execution/occurrence.js';
import { runTick } from '../../core/dispatch/tick.js';
import { aJob } from '../helpers/factories.js';
import { addJob, memoryDeps } from '../helpers/memory-deps.js';
import { randomTextOfBytes, seedFromEnv, seededRandom } from '../helpers/random-text.js';

const seed = seedFromEnv();
/** Every minute at second 17: eight claim groups, so that bundles have several members. */
const AT_17 = { cron: '17 * * * * *', timezone: 'UTC' } as const;

/** `count` jobs due at second 17; with `oneGroup`, ids chosen so that all fall in one claim group (the fullest bundles). */
async function jobsAt17(
  deps: ReturnType<typeof memoryDeps>,
  count: number,
  payloadOf: (i: number) => Job['payload'],
  oneGroup = false,
): Promise<Job[]> {
  const group = claimGroupOf({ jobId: `job-${seed}-0`, scheduledFor: '2026-01-01T00:01:17.000Z' });
  const ids: string[] = [];
  for (let n = 0; ids.length < count; n++) {
    const id = `job-${seed}-${n}`;
    if (!oneGroup || claimGroupOf({ jobId: id, scheduledFor: '2026-01-01T00:01:17.000Z' }) === group) ids.push(id);
  }
  const jobs: Job[] = [];
  for (const [i, id] of ids.entries()) {
    jobs.push(await addJob(deps, aJob({ id, schedule: AT_17, nextRunAt: '2026-01-01T00:01:17.000Z', payload: payloadOf(i) })));
  }
  return jobs;
}

describe(`the tick isolates what the queue refuses (seed ${seed})`, () => {
  it('records a refused job dead (unsendable) in its executions and the dead letters, sends every other one, and moves on', async () => {
    const random = seededRandom(seed);
    const deps = memoryDeps();
    const poisoned = new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 40)));
    const jobs = await jobsAt17(deps, 40, (i) => (poisoned.has(i) ? { poison: i } : { fine: i }));
    // SQS's answer to a message it will not take, whichever bundle carries it.
    deps.queue.refuses = (body) => (body.includes('"poison":') ? 'InvalidMessageContents' : undefined);
    const bad = jobs.filter((_, i) => poisoned.has(i));
    const good = jobs.filter((_, i) => !poisoned.has(i));
    const at = '2026-01-01T00:01:17.000Z';
    // The refused ones share bundles with healthy ones: those must go out all the same.
    const badGroups = new Set(bad.map((j) => claimGroupOf({ jobId: j.id, scheduledFor: at })));
    expect(good.some((j) => badGroups.has(claimGroupOf({ jobId: j.id, scheduledFor: at })))).toBe(true);

    for (const [minute, instant] of [at, '2026-01-01T00:02:17.000Z'].entries()) {
      const result = await runTick(deps);
      expect(result).toMatchObject({ sent: good.length, unsendable: bad.length, conflicts: 0 });
      expect(await deps.due.progress()).toBe(`2026-01-01T00:0${minute + 2}:00.000Z`);
      const sent = new Set(deps.queue.sent.filter((o) => o.scheduledFor === instant).map(occurrenceKey));
      expect([...sent].sort()).toEqual(good.map((j) => occurrenceKey({ jobId: j.id, scheduledFor: instant })).sort());
      for (const j of bad) {
        expect(await deps.executions.get(j.id, instant)).toMatchObject({
          status: 'dead',
          deadReason: 'unsendable',
          attempt: 0,
          error: { name: 'InvalidMessageContents' },
        });
      }
      deps.clock.advance(60_000);
    }
    const dead = (await deps.executions.listDead({ limit: 100 })).items;
    expect(dead.map(occurrenceKey).sort()).toEqual(
      bad.flatMap((j) => [at, '2026-01-01T00:02:17.000Z'].map((t) => occurrenceKey({ jobId: j.id, scheduledFor: t }))).sort(),
    );
    // Still scheduled: the refused jobs' entries moved on with the others'.
    for (const j of bad) expect(deps.due.entriesOf(j.id).map((e) => e.from)).toContain('2026-01-01T00:03:17.000Z');
  });

  it('keeps the record an occurrence already has when a repeated send of it is refused', async () => {
    const deps = memoryDeps();
    const [job] = await jobsAt17(deps, 1, () => ({ poison: true }));
    const at = '2026-01-01T00:01:17.000Z';
    await deps.executions.recordOutcomes([
      {
        jobId: job!.id,
        scheduledFor: at,
        jobName: job!.name,
        handler: 'log',
        status: 'succeeded',
        attempt: 1,
        startedAt: at,
        leaseUntil: at,
      },
    ]);
    deps.queue.refuses = () => 'InvalidMessageContents';
    expect(await runTick(deps)).toMatchObject({ unsendable: 1 });
    expect(await deps.executions.get(job!.id, at)).toMatchObject({ status: 'succeeded' });
  });

  it('sends a payload holding characters SQS refuses (U+FFFF, U+FFFE), and it arrives as it was', async () => {
    const deps = memoryDeps();
    const payload = { text: 'a\uffffb\ufffe\u{10ffff}\u0000' };
    const [job] = await jobsAt17(deps, 1, () => payload);
    expect(await runTick(deps)).toMatchObject({ sent: 1, unsendable: 0 });
    deps.clock.set('2026-01-01T00:01:17.000Z');
    expect(deps.queue.takeVisible()).toEqual([
      { group: expect.any(String), occurrences: [expect.objectContaining({ jobId: job!.id, payload })] },
    ]);
  });

  it('sends twenty jobs of about 60 KB due at the same second, in messages SQS takes, multi-byte characters and all', async () => {
    const random = seededRandom(seed + 1);
    const deps = memoryDeps();
    const jobs = await jobsAt17(deps, 20, () => ({ text: randomTextOfBytes(random, 60_000) }), true);
    expect(await runTick(deps)).toMatchObject({ sent: 20, unsendable: 0 });
    expect(new Set(deps.queue.sent.map((o) => o.jobId))).toEqual(new Set(jobs.map((j) => j.id)));
    // Each bundle fit at the first try: none was refused as too long and sent again member by member.
    expect(deps.queue.refusals).toEqual([]);
  });

  it('still fails on an outage, without recording anything dead, and the next tick repeats the slot', async () => {
    const deps = memoryDeps();
    const [job] = await jobsAt17(deps, 1, () => ({ fine: true }));
    const sendBundles = deps.queue.sendBundles.bind(deps.queue);
    deps.queue.sendBundles = async () => {
      throw new StoreUnavailableError('SQS SendMessageBatch failed: the service is unavailable');
    };
    await expect(runTick(deps)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await deps.due.progress()).toBeUndefined();
    expect((await deps.executions.listDead({ limit: 10 })).items).toEqual([]);

    deps.queue.sendBundles = sendBundles;
    expect(await runTick(deps)).toMatchObject({ sent: 1, unsendable: 0 });
    expect(deps.queue.sent.map(occurrenceKey)).toEqual([occurrenceKey({ jobId: job!.id, scheduledFor: '2026-01-01T00:01:17.000Z' })]);
  });
});

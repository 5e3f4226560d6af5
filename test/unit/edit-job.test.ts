/**
 * Editing a job over PATCH, on a fake clock with the tick every minute and a worker
 * taking what the queue shows (test/helpers/transition-scenarios.ts): the answer's
 * `takesEffectFrom` and `sentWithPreviousDefinition` are checked against what ran,
 * by seeded random edits (with downtime, pauses, maxRuns) and by an edit that dies at
 * each of its steps and is sent again.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../adapters/faults/index.js';
import { JobService } from '../../core/service/job-service.js';
import { jobOccurrences } from '../../core/schedule/fire-times.js';
import type { Job } from '../../core/jobs/job.js';
import { makeWorld } from '../helpers/transition-scenarios.js';
import { Life, mortal } from '../simulation/mortal.js';

interface Run {
  at: string;
  v: unknown;
}

async function world(now = '2026-03-01T10:00:03.000Z') {
  const w = makeWorld(now);
  const runs: Run[] = [];
  w.handlers.register('rec', (payload, ctx) => void runs.push({ at: ctx.scheduledFor, v: (payload as { v?: unknown }).v }));
  const createRec = (body: Record<string, unknown>) => w.create({ handler: 'rec', payload: { v: 1 }, ...body });
  const job = async (id: string) => (await w.jobs.get(id))!;
  return { ...w, runs, createRec, job };
}

const occurrences = (job: Job, after: number, before: number) =>
  [...jobOccurrences(job, new Date(after), new Date(before), 100_000)].map((t) => t.toISOString());

describe('PATCH /v1/jobs/{id}: a new definition', () => {
  it('takes effect from the instant it names; what was sent before runs as it was, and nothing runs twice', async () => {
    const w = await world();
    const id = await w.createRec({ name: 'five', schedule: { every: '5s' } });
    await w.runFor(40);
    const before = await w.job(id);
    const res = await w.api('PATCH', `/v1/jobs/${id}`, { schedule: { every: '7s' }, payload: { v: 2 } });
    expect(res.status).toBe(200);
    const edit = res.body!.edit as { takesEffectFrom: string; sentWithPreviousDefinition: string[] };
    const editedAt = w.clock.now().getTime();
    const from = Date.parse(edit.takesEffectFrom);
    expect(from).toBeGreaterThan(editedAt);
    expect(from - editedAt).toBeLessThanOrEqual(3 * 60_000);
    expect(res.body).toMatchObject({ version: before.rev + 1, schedule: { every: '7s' }, payload: { v: 2 } });
    expect(edit.sentWithPreviousDefinition).toEqual(occurrences(before, editedAt - 1, from));
    await w.runFor(300);
    const after = await w.job(id);
    const end = w.clock.now().getTime() + 1;
    expect(w.runs.filter((r) => r.v === 1).map((r) => r.at)).toEqual(occurrences(before, Date.parse(before.createdAt), from));
    expect(w.runs.filter((r) => r.v === 2).map((r) => r.at)).toEqual(occurrences(after, from - 1, end));
  });

  it('renames: the old name is free, a taken name is a 409 that changes nothing', async () => {
    const w = await world();
    const a = await w.createRec({ name: 'a', schedule: { every: '1h' } });
    await w.createRec({ name: 'b', schedule: { every: '1h' } });
    const taken = await w.api('PATCH', `/v1/jobs/${a}`, { name: 'b', payload: { v: 9 } });
    expect(taken.status).toBe(409);
    expect(await w.job(a)).toMatchObject({ name: 'a', payload: { v: 1 }, rev: 1 });
    expect((await w.api('PATCH', `/v1/jobs/${a}`, { name: 'c' })).body).toMatchObject({ name: 'c', version: 2 });
    expect((await w.api('POST', '/v1/jobs', { name: 'a', schedule: { every: '1h' }, handler: 'rec' })).status).toBe(201);
    expect((await w.api('POST', '/v1/jobs', { name: 'c', schedule: { every: '1h' }, handler: 'rec' })).status).toBe(409);
  });

  it('changes only the parts of a policy it names, and null removes a bound', async () => {
    const w = await world();
    const id = await w.createRec({
      name: 'p',
      schedule: { every: '1h' },
      retry: { maxAttempts: 7, initialDelay: '20s' },
      endAt: '2026-04-01T00:00:00Z',
    });
    const res = await w.api('PATCH', `/v1/jobs/${id}`, { retry: { maxAttempts: 2 }, endAt: null, timeout: '5s' });
    expect(res.status).toBe(200);
    const job = await w.job(id);
    expect(job.policy.retry).toMatchObject({ maxAttempts: 2, initialDelayMs: 20_000 });
    expect(job.policy.timeoutMs).toBe(5_000);
    expect(job.endAt).toBeUndefined();
  });

  it('refuses what is not valid, naming the field, and changes nothing', async () => {
    const w = await world();
    const id = await w.createRec({ name: 'v', schedule: { every: '1h' } });
    const cases: [unknown, string][] = [
      [{}, '(body)'],
      [{ schedule: { cron: 'nope' } }, 'schedule.cron'],
      [{ schedule: { every: '10ms' } }, 'schedule.every'],
      [{ schedule: { at: '2020-01-01T00:00:00Z' } }, 'schedule.at'],
      [{ handler: 'missing' }, 'handler'],
      [{ maxRuns: 0 }, 'maxRuns'],
      [{ startAt: '2031-02-30T00:00:00Z' }, 'startAt'],
      [{ startAt: '2026-05-01T00:00:00Z', endAt: '2026-04-01T00:00:00Z' }, 'endAt'],
      [{ nmae: 'x' }, '(body)'],
      [{ retry: { maxAttempts: 'many' } }, 'retry.maxAttempts'],
      [{ payload: { big: 'x'.repeat(70_000) } }, 'payload'],
      [{ endAt: '2001-01-01T00:00:00Z' }, 'endAt'],
    ];
    for (const [body, path] of cases) {
      const res = await w.api('PATCH', `/v1/jobs/${id}`, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const details = (res.body!.error as { details: { path: string }[] }).details.map((d) => d.path);
      expect(details, JSON.stringify(body).slice(0, 80)).toContain(path);
    }
    expect(await w.job(id)).toMatchObject({ rev: 1, schedule: { every: '1h' } });
    expect((await w.due.inbox(100)).filter((e) => e.rev !== 1)).toEqual([]);
  });

  it('is refused with 412 when If-Match names another version', async () => {
    const w = await world();
    const id = await w.createRec({ name: 'm', schedule: { every: '1h' } });
    const res = await w.app.request(`/v1/jobs/${id}`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json', 'if-match': '"7"' },
      body: JSON.stringify({ payload: { v: 3 } }),
    });
    expect(res.status).toBe(412);
    expect(await w.job(id)).toMatchObject({ rev: 1, payload: { v: 1 } });
  });

  it('on a paused job: nothing runs until the resume, then only the new definition', async () => {
    const w = await world();
    const id = await w.createRec({ name: 'p', schedule: { every: '5s' }, misfire: { policy: 'skip' } });
    await w.runFor(30);
    await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' });
    const pausedAt = w.clock.now().getTime();
    await w.runFor(10);
    const res = await w.api('PATCH', `/v1/jobs/${id}`, { payload: { v: 2 }, schedule: { every: '3s' } });
    expect(res.body).toMatchObject({ status: 'paused', edit: { sentWithPreviousDefinition: [] } });
    await w.runFor(200);
    expect(w.runs.filter((r) => Date.parse(r.at) > pausedAt)).toEqual([]);
    await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' });
    const resumedAt = w.clock.now().getTime();
    await w.runFor(120);
    const job = await w.job(id);
    expect(w.runs.filter((r) => Date.parse(r.at) > pausedAt).map((r) => r.at)).toEqual(
      occurrences(job, resumedAt, w.clock.now().getTime() + 1),
    );
    expect(w.runs.filter((r) => Date.parse(r.at) > pausedAt).every((r) => r.v === 2)).toBe(true);
  });

  it('brings a completed one-time job back with a new instant', async () => {
    const w = await world();
    const id = await w.createRec({ name: 'once', schedule: { at: '2026-03-01T10:00:20Z' } });
    await w.runFor(120);
    expect((await w.job(id)).status).toBe('completed');
    const res = await w.api('PATCH', `/v1/jobs/${id}`, { schedule: { at: '2026-03-01T10:03:00Z' }, payload: { v: 2 } });
    expect(res.body).toMatchObject({ status: 'active', nextRunAt: '2026-03-01T10:03:00.000Z' });
    await w.runFor(240);
    expect(w.runs).toEqual([
      { at: '2026-03-01T10:00:20.000Z', v: 1 },
      { at: '2026-03-01T10:03:00.000Z', v: 2 },
    ]);
    expect((await w.job(id)).status).toBe('completed');
  });

  it('counts runs across the edit for maxRuns', async () => {
    const w = await world();
    const id = await w.createRec({ name: 'max', schedule: { every: '10s' }, maxRuns: 12 });
    await w.runFor(45);
    await w.api('PATCH', `/v1/jobs/${id}`, { schedule: { every: '4s' }, payload: { v: 2 } });
    await w.runFor(400);
    expect(w.runs).toHaveLength(12);
    expect(new Set(w.runs.map((r) => r.at)).size).toBe(12);
    expect((await w.job(id)).status).toBe('completed');
  });
});

const SCHEDULES = [{ every: '5s' }, { every: '7s' }, { every: '20s' }, { cron: '*/15 * * * * *' }, { cron: '* * * * *' }];

describe('PATCH /v1/jobs/{id}: seeded random edits', () => {
  it.each(Array.from({ length: 24 }, (_, i) => i + 1))('seed %i: old runs end where the new begin, each once', async (seed) => {
    const random = mulberry32(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const w = await world(`2026-03-01T10:00:${String(Math.floor(random() * 60)).padStart(2, '0')}.250Z`);
    const id = await w.createRec({ name: 'j', schedule: pick(SCHEDULES), misfire: { policy: 'all', grace: '7d', maxCatchUp: 1000 } });
    await w.runFor(5 + Math.floor(random() * 150));
    // Sometimes the runtime is down at the edit: the tick is behind and the edit sends the backlog.
    const down = random() < 0.4;
    if (down) await w.runFor(30 + Math.floor(random() * 150), { down: true });
    const before = await w.job(id);
    const res = await w.api('PATCH', `/v1/jobs/${id}`, { schedule: pick(SCHEDULES), payload: { v: 2 } });
    expect(res.status).toBe(200);
    const from = Date.parse((res.body!.edit as { takesEffectFrom: string }).takesEffectFrom);
    if (down) await w.runFor(Math.floor(random() * 100), { down: true });
    await w.runFor(400);
    const after = await w.job(id);
    const end = w.clock.now().getTime() + 1;
    const ats = w.runs.map((r) => r.at);
    expect(new Set(ats).size, 'nothing runs twice').toBe(ats.length);
    expect(w.runs.filter((r) => r.v === 1).map((r) => r.at)).toEqual(occurrences(before, Date.parse(before.createdAt), from));
    expect(w.runs.filter((r) => r.v === 2).map((r) => r.at)).toEqual(occurrences(after, from - 1, end));
  });
});

describe('PATCH /v1/jobs/{id}: an edit that dies half-way', () => {
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))(
    'dies at its port call %i, is sent again: nothing lost, nothing twice',
    async (k) => {
      const w = await world();
      const id = await w.createRec({ name: 'k', schedule: { every: '5s' } });
      await w.runFor(50);
      const before = await w.job(id);
      const patch = { schedule: { every: '3s' }, payload: { v: 2 } };
      const dying = new JobService(mortal({ ...w, sleep: w.clock.sleep }, new Life('api', { crashAtCall: k })));
      await dying.update(id, patch).catch(() => undefined);
      await w.runFor(3);
      const retried = await w.service.update(id, patch);
      await w.runFor(400);
      const after = await w.job(id);
      expect(after.payload).toEqual({ v: 2 });
      const ats = w.runs.map((r) => r.at);
      expect(new Set(ats).size, 'nothing runs twice').toBe(ats.length);
      const old = w.runs.filter((r) => r.v === 1).map((r) => r.at);
      const next = w.runs.filter((r) => r.v === 2).map((r) => r.at);
      // The new definition took over at the first edit that was written, at the latest at the retry's instant.
      const switched = next.length > 0 ? Date.parse(next[0]!) : Infinity;
      expect(switched).toBeLessThanOrEqual(Date.parse(retried.edit!.takesEffectFrom) + 3_000);
      expect(old).toEqual(
        occurrences(before, Date.parse(before.createdAt), Math.min(switched, Date.parse(old.at(-1) ?? before.createdAt) + 1)),
      );
      expect(next).toEqual(occurrences(after, switched - 1, w.clock.now().getTime() + 1));
      // No gap between the two: every old occurrence before the switch ran.
      expect(occurrences(before, Date.parse(old.at(-1) ?? before.createdAt), switched).filter((t) => t !== old.at(-1))).toEqual([]);
    },
  );
});

describe('PATCH /v1/jobs/{id}: seeded random edits of paused jobs', () => {
  it.each(Array.from({ length: 16 }, (_, i) => i + 1))(
    'seed %i: the resume runs the new definition only, from the pause on',
    async (seed) => {
      const random = mulberry32(1_000 + seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
      const w = await world(`2026-03-01T10:00:${String(Math.floor(random() * 60)).padStart(2, '0')}.500Z`);
      const maxRuns = random() < 0.4 ? 5 + Math.floor(random() * 40) : undefined;
      const id = await w.createRec({
        name: 'j',
        schedule: pick(SCHEDULES),
        misfire: { policy: 'all', grace: '7d', maxCatchUp: 1000 },
        ...(maxRuns ? { maxRuns } : {}),
      });
      await w.runFor(5 + Math.floor(random() * 120));
      // A short maxRuns may be spent already: a completed job cannot be paused.
      if ((await w.job(id)).status === 'completed') return;
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' })).status).toBe(200);
      const pausedAt = w.clock.now().getTime();
      const before = await w.job(id);
      await w.runFor(Math.floor(random() * 150));
      const edited = await w.api('PATCH', `/v1/jobs/${id}`, { schedule: pick(SCHEDULES), payload: { v: 2 } });
      expect(edited.body).toMatchObject({ status: 'paused' });
      await w.runFor(Math.floor(random() * 150));
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' })).status).toBe(200);
      const resumedAt = w.clock.now().getTime();
      await w.runFor(400);
      const after = await w.job(id);
      const ats = w.runs.map((r) => r.at);
      expect(new Set(ats).size, 'nothing runs twice').toBe(ats.length);
      const old = w.runs.filter((r) => r.v === 1).map((r) => r.at);
      expect(old).toEqual(occurrences(before, Date.parse(before.createdAt), pausedAt + 1).slice(0, maxRuns));
      // What fell due while paused runs on resume (misfire all), the latest first when maxRuns leaves fewer.
      const missed = occurrences(after, pausedAt, resumedAt + 1);
      const later = occurrences(after, resumedAt, w.clock.now().getTime() + 1);
      const left = maxRuns === undefined ? Infinity : maxRuns - old.length;
      const expected = [...missed.slice(Math.max(0, missed.length - left)), ...later].slice(0, left);
      expect(w.runs.filter((r) => r.v === 2).map((r) => r.at)).toEqual(expected);
      if (maxRuns !== undefined) expect(after.status === 'completed').toBe(old.length + expected.length >= maxRuns);
    },
  );
});

/**
 * Scenarios of what users do to jobs over time (pause, resume, one-time jobs, maxRuns, downtime),
 * through the API, with the tick every minute and a worker taking what the queue
 * shows, all on a fake clock; asserted from the ledger.
 */
import { describe, expect, it } from 'vitest';
import { claimGroupOf, looksLikeBundle, PAUSED_HOLDER, type Bundle } from '../../core/execution/bundle.js';
import { executeBundle } from '../../core/execution/bundle-executor.js';
import { executeOccurrence } from '../../core/execution/occurrence-executor.js';
import type { Execution } from '../../core/execution/ledger-record.js';
import type { Occurrence } from '../../core/execution/occurrence.js';
import { recoverFreshQueue, recoverLost } from '../../core/dispatch/recovery.js';
import { runTick } from '../../core/dispatch/tick.js';
import { testApp, testAppOn, type StoreOverrides } from './app.js';

const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };

export function makeWorld(now: string, stores?: StoreOverrides) {
  const t = stores ? testAppOn(stores, { now }) : testApp({ now });
  const ran: string[] = [];
  t.handlers.register('log', (_p, ctx) => void ran.push(ctx.scheduledFor));
  const workerDeps = { ...t, maxEarlyWaitMs: 5_000 };
  let deliveries = 0;
  /** Runs what the queue shows now, as the worker would (each message once). */
  const work = async () => {
    for (const body of t.queue.takeVisible()) {
      const text = JSON.stringify(body);
      if (looksLikeBundle(text)) await executeBundle(body as Bundle, { id: `d${++deliveries}` }, workerDeps);
      else await executeOccurrence(body as Occurrence, workerDeps);
    }
  };
  /** Moves time on second by second, ticking at :30 of each minute, working every second. */
  const runFor = async (seconds: number, options: { down?: boolean } = {}) => {
    for (let i = 0; i < seconds; i++) {
      t.clock.advance(1_000);
      if (options.down) continue;
      if (t.clock.now().getUTCSeconds() === 30) await runTick(t);
      await work();
    }
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await t.app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
  };
  const create = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/v1/jobs', { handler: 'log', ...body });
    expect(res.status).toBe(201);
    return res.body!.id as string;
  };
  const history = async (id: string): Promise<Execution[]> => (await t.executions.listForJob(id, { limit: 10_000 })).items;
  return { ...t, ran, work, runFor, api, create, history };
}

export function transitionScenarios(label: string, stores?: () => Promise<StoreOverrides>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip)(`pause and resume (${label})`, () => {
    const world = async (now: string) => makeWorld(now, stores ? await stores() : undefined);
    it('pausing and resuming at once skips nothing: every occurrence after the resume runs', async () => {
      const w = await world('2026-03-01T10:00:03.000Z');
      const id = await w.create({ name: 'five', schedule: { every: '5s' } });
      await w.runFor(20);
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' })).status).toBe(200);
      const resumed = await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' });
      expect(resumed.body).toMatchObject({ status: 'active' });
      const resumedAt = w.clock.now().toISOString();
      await w.runFor(120);
      const records = await w.history(id);
      expect(records.filter((r) => r.status === 'skipped')).toEqual([]);
      const after = records.filter((r) => r.scheduledFor > resumedAt);
      expect(after.length).toBeGreaterThanOrEqual(23);
      expect(after.every((r) => r.status === 'succeeded')).toBe(true);
    });

    it('skips as paused only what fell due while paused; what was sent ahead and comes after the resume runs', async () => {
      const w = await world('2026-03-01T10:00:03.000Z');
      const id = await w.create({ name: 'five', schedule: { every: '5s' }, misfire: { policy: 'skip' } });
      await w.runFor(20);
      await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' });
      const pausedAt = w.clock.now().toISOString();
      await w.runFor(30);
      await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' });
      const resumedAt = w.clock.now().toISOString();
      await w.runFor(150);
      for (const r of await w.history(id)) {
        const whilePaused = r.scheduledFor > pausedAt && r.scheduledFor <= resumedAt;
        expect(r.status, r.scheduledFor).toBe(whilePaused ? 'skipped' : 'succeeded');
        if (whilePaused) expect(r.skipReason).toBe('paused');
      }
      expect(w.ran.filter((at) => at > pausedAt && at <= resumedAt)).toEqual([]);
    });

    it('a maxRuns job paused and resumed runs exactly maxRuns times, and skipped ones do not count', async () => {
      const w = await world('2026-03-01T10:00:03.000Z');
      const id = await w.create({ name: 'three', schedule: { every: '5s' }, maxRuns: 6, misfire: { policy: 'skip' } });
      await w.runFor(7);
      await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' });
      await w.runFor(12);
      await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' });
      await w.runFor(180);
      const records = await w.history(id);
      expect(records.filter((r) => r.status === 'succeeded')).toHaveLength(6);
      expect(records.filter((r) => r.status === 'skipped').every((r) => r.skipReason === 'paused')).toBe(true);
      expect((await w.api('GET', `/v1/jobs/${id}`)).body).toMatchObject({ status: 'completed', runs: 6, nextRunAt: null });
    });

    it('a maxRuns job whose first runs the API sent counts them, though the tick takes its chain up after their grace', async () => {
      // Created at 10:00:32: the API sends 10:00:52 to 10:01:52 itself; the tick at 10:01:30
      // finds 10:00:52 and 10:01:12 past their 5 s grace, and must count them, not skip them.
      const w = await world('2026-03-01T10:00:32.000Z');
      const id = await w.create({
        name: 'seven',
        schedule: { every: '20s' },
        maxRuns: 7,
        misfire: { policy: 'all', maxCatchUp: 1, grace: '5s' },
      });
      await w.runFor(300);
      expect(w.ran).toHaveLength(7);
      expect((await w.history(id)).map((r) => r.status)).toEqual(Array(7).fill('succeeded'));
      expect((await w.api('GET', `/v1/jobs/${id}`)).body).toMatchObject({ status: 'completed', runs: 7 });
    });

    it('a maxRuns job with misfire skips before a long pause runs its remaining runs after the resume', async () => {
      // Created at 10:00:10, so the tick's first look (10:00:30) finds nothing of it missed yet.
      const w = await world('2026-03-01T10:00:10.000Z');
      const id = await w.create({ name: 'twelve', schedule: { every: '20s' }, maxRuns: 12, misfire: { policy: 'skip', grace: '5s' } });
      await w.runFor(40);
      // Down for three minutes: what fell due then is skipped (misfire), and does not count.
      await w.runFor(180, { down: true });
      await w.runFor(60);
      const before = w.ran.length;
      // At 10:04:50, 7 ran; the tick has sent three more ahead (to 10:06): the pause holds them, and they count no more.
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' })).body).toMatchObject({ status: 'paused' });
      await w.runFor(3_600);
      expect(w.ran.length).toBe(before);
      // At 11:04:50, an occurrence's instant, as the pause was.
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' })).body).toMatchObject({ status: 'active' });
      await w.runFor(600);
      expect(w.ran).toHaveLength(12);
      const records = await w.history(id);
      expect(records.filter((r) => r.status === 'succeeded')).toHaveLength(12);
      expect(records.filter((r) => r.status === 'skipped').every((r) => r.skipReason === 'misfire' || r.skipReason === 'paused')).toBe(
        true,
      );
      expect((await w.api('GET', `/v1/jobs/${id}`)).body).toMatchObject({ status: 'completed', runs: 12 });
    });

    it(
      'a maxRuns job counts a run that crossed its pause (delivered before the pause held it), ' + 'and runs no more than maxRuns',
      async () => {
        const w = await world('2026-03-01T10:00:00.000Z');
        // The API sends 10:00:20 to 10:01:40 (five) at once; the pause at 10:00:25 holds the last four.
        const id = await w.create({ name: 'six', schedule: { every: '20s' }, maxRuns: 6, misfire: { policy: 'once' } });
        await w.runFor(25);
        expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' })).body).toMatchObject({ status: 'paused' });
        // A delivery that came between the pause's write and its hold: 10:00:40 runs though the job is paused.
        await w.claims.release(claimGroupOf({ jobId: id, scheduledFor: '2026-03-01T10:00:40.000Z' }), id, PAUSED_HOLDER);
        await w.runFor(65);
        expect(w.ran).toEqual(['2026-03-01T10:00:20.000Z', '2026-03-01T10:00:40.000Z']);
        expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' })).body).toMatchObject({ status: 'active' });
        await w.runFor(240);
        expect(w.ran).toHaveLength(6);
        expect((await w.api('GET', `/v1/jobs/${id}`)).body).toMatchObject({ status: 'completed', runs: 6 });
      },
    );

    it('a maxRuns job shows the runs it has left: no next run once all are sent, and while paused what a resume would run', async () => {
      const w = await world('2026-03-01T10:00:00.000Z');
      const sent = await w.create({ name: 'sent', schedule: { every: '3s' }, maxRuns: 5 });
      const paused = await w.create({ name: 'paused', schedule: { every: '3s' }, maxRuns: 5 });
      const preview = async (id: string) =>
        ((await w.api('GET', `/v1/jobs/${id}/preview?count=10`)).body as { occurrences: unknown[] }).occurrences;
      await w.api('PATCH', `/v1/jobs/${paused}`, { status: 'paused' });
      await w.runFor(7);
      // The API sent all five of `sent` at its create: none is left to come after the ones in the queue.
      expect((await w.api('GET', `/v1/jobs/${sent}`)).body).toMatchObject({ status: 'active', runs: 5 });
      expect(await preview(sent)).toHaveLength(3);
      await w.runFor(9);
      expect((await w.api('GET', `/v1/jobs/${sent}`)).body).toMatchObject({ nextRunAt: null });
      expect(await preview(sent)).toEqual([]);
      // Paused before its first run: all five are left for the resume, and nextRunAt agrees with the preview.
      const shown = (await w.api('GET', `/v1/jobs/${paused}`)).body!;
      const next = await preview(paused);
      expect(next).toHaveLength(5);
      expect(shown.nextRunAt).toBe((next[0] as { at: string }).at);
      await w.api('PATCH', `/v1/jobs/${paused}`, { status: 'active' });
      await w.runFor(60);
      expect((await w.history(paused)).filter((r) => r.status === 'succeeded')).toHaveLength(5);
    });

    it('a resume that comes between a pause and its holds leaves nothing held: every later occurrence runs', async () => {
      const w = await world('2026-03-01T10:00:00.000Z');
      const id = await w.create({ name: 'raced', schedule: { every: '20s' }, maxRuns: 7 });
      await w.runFor(25);
      // The pause has written its status; before its first hold lands, a resume (another request) runs to the end.
      const claim = w.claims.claim.bind(w.claims);
      let raced = false;
      w.claims.claim = async (...args: Parameters<typeof claim>) => {
        if (!raced && args[2].id === PAUSED_HOLDER.id) {
          raced = true;
          expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' })).body).toMatchObject({ status: 'active' });
        }
        return claim(...args);
      };
      await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' });
      expect(raced).toBe(true);
      expect((await w.api('GET', `/v1/jobs/${id}`)).body).toMatchObject({ status: 'active' });
      await w.runFor(240);
      expect(w.ran).toHaveLength(7);
      expect((await w.history(id)).map((r) => r.status)).toEqual(Array(7).fill('succeeded'));
    });

    it('a one-time job paused and resumed before its instant runs at its instant, once, and ends completed', async () => {
      const w = await world('2026-03-01T10:00:00.000Z');
      const id = await w.create({ name: 'once', schedule: { at: '2026-03-01T10:01:15Z' } });
      await w.runFor(5);
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' })).body).toMatchObject({ status: 'paused' });
      await w.runFor(10);
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' })).body).toMatchObject({
        status: 'active',
        nextRunAt: '2026-03-01T10:01:15.000Z',
      });
      await w.runFor(150);
      expect(w.ran).toEqual(['2026-03-01T10:01:15.000Z']);
      expect((await w.api('GET', `/v1/jobs/${id}`)).body).toMatchObject({ status: 'completed' });
    });

    it.each([
      ['once', 'succeeded'],
      ['skip', 'skipped'],
    ] as const)('a one-time job resumed after its instant follows its misfire policy (%s)', async (policy, outcome) => {
      const w = await world('2026-03-01T10:00:00.000Z');
      const id = await w.create({ name: 'once', schedule: { at: '2026-03-01T10:01:15Z' }, misfire: { policy } });
      await w.runFor(5);
      await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' });
      await w.runFor(120);
      const resumed = await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' });
      expect(resumed.status).toBe(200);
      await w.runFor(60);
      expect((await w.history(id)).map((r) => r.status)).toEqual([outcome]);
      expect(w.ran).toEqual(outcome === 'succeeded' ? ['2026-03-01T10:01:15.000Z'] : []);
      expect((await w.api('GET', `/v1/jobs/${id}`)).body).toMatchObject({ status: 'completed' });
    });

    it('a paused job shows as nextRunAt where a resume now would pick up, and a resume runs it then', async () => {
      const w = await world('2026-03-01T10:00:03.000Z');
      const id = await w.create({ name: 'five', schedule: { every: '5s' } });
      await w.runFor(21);
      const paused = await w.api('PATCH', `/v1/jobs/${id}`, { status: 'paused' });
      expect(paused.body).toMatchObject({ status: 'paused', nextRunAt: '2026-03-01T10:00:28.000Z' });
      await w.runFor(2);
      expect((await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' })).body).toMatchObject({ nextRunAt: '2026-03-01T10:00:28.000Z' });
      await w.runFor(10);
      expect(w.ran).toContain('2026-03-01T10:00:28.000Z');
    });

    it('asking for the status a job already has answers its next run from now', async () => {
      const w = await world('2026-03-01T10:00:03.000Z');
      const id = await w.create({ name: 'five', schedule: { every: '5s' } });
      await w.runFor(40);
      const same = await w.api('PATCH', `/v1/jobs/${id}`, { status: 'active' });
      const got = await w.api('GET', `/v1/jobs/${id}`);
      expect(same.body!.nextRunAt).toBe(got.body!.nextRunAt);
      expect(Date.parse(same.body!.nextRunAt as string)).toBeGreaterThanOrEqual(w.clock.now().getTime());
    });
  });

  describe.skipIf(options.skip)(`delete (${label})`, () => {
    const world = async (now: string) => makeWorld(now, stores ? await stores() : undefined);
    it(
      'deleting a maxRuns job while the tick is behind records every occurrence due before the delete, ' + 'not only maxRuns of them',
      async () => {
        const w = await world('2026-03-01T10:00:03.000Z');
        const id = await w.create({
          name: 'ten',
          schedule: { every: '10s' },
          maxRuns: 20,
          misfire: { policy: 'all', maxCatchUp: 2, grace: '2m' },
        });
        await w.runFor(30);
        // The tick and the worker are down for 5 minutes; what was sent ahead waits in the queue.
        await w.runFor(300, { down: true });
        const deletedAt = w.clock.now().getTime();
        expect((await w.api('DELETE', `/v1/jobs/${id}`)).status).toBe(204);
        await w.runFor(60);
        const records = new Map((await w.history(id)).map((r) => [r.scheduledFor, r]));
        const due: string[] = [];
        for (let t = Date.parse('2026-03-01T10:00:13.000Z'); t < deletedAt; t += 10_000) due.push(new Date(t).toISOString());
        expect(due.filter((at) => !records.has(at))).toEqual([]);
        expect(due.filter((at) => records.get(at)!.status === 'skipped').every((at) => records.get(at)!.skipReason === 'deleted')).toBe(
          true,
        );
      },
    );
  });

  describe.skipIf(options.skip)(`misfire after downtime (${label})`, () => {
    const world = async (now: string) => makeWorld(now, stores ? await stores() : undefined);
    it.each([
      ['once', 1, 1],
      ['all', 3, 3],
      ['skip', 1, 0],
    ] as const)(
      '%s (maxCatchUp %i) runs %i of the missed occurrences, whoever finds them, never an older after a newer',
      async (policy, maxCatchUp, expected) => {
        const w = await world('2026-03-01T10:00:03.000Z');
        const id = await w.create({ name: 'ten', schedule: { every: '10s' }, misfire: { policy, maxCatchUp, grace: '5s' } });
        await w.runFor(60);
        const downAt = w.clock.now().toISOString();
        // Down for 150 s; the queue forgets what it held (the local emulator keeps messages in memory).
        await w.runFor(150, { down: true });
        w.queue.takeVisible();
        const upAt = w.clock.now().toISOString();
        await runTick(w);
        const started: string[] = [];
        const mark = w.ran.length;
        await w.runFor(400);
        // Recovery finds what the queue lost, well after the tick dealt with the outage.
        await recoverLost(w, { staleAfterMs: 60_000, maxEntries: 20 });
        await w.runFor(30);
        started.push(...w.ran.slice(mark));
        const missed = started.filter((at) => at > downAt && at < new Date(Date.parse(upAt) - 5_000).toISOString());
        expect(missed).toHaveLength(expected);
        // In the order they ran, never an older one after a newer.
        expect([...started].sort()).toEqual(started);
        const records = await w.history(id);
        expect(records.filter((r) => r.status === 'running' || r.status === 'failed')).toEqual([]);
      },
    );

    it(
      'a fresh start makes one misfire decision, though its first tick comes seconds after its recovery ' +
        '(outside probe: all ran 5 of maxCatchUp 3)',
      async () => {
        const w = await world('2026-03-01T10:00:00.000Z');
        const id = await w.create({ name: 'two', schedule: { every: '2s' }, misfire: { policy: 'all', maxCatchUp: 3, grace: '10s' } });
        // Stopped just after the tick at 10:01:30, which sent up to 10:03:00; down until 10:03:13.
        await w.runFor(109);
        await w.runFor(84, { down: true });
        w.queue.forgetAll();
        const decidedAt = w.clock.now();
        const graceStart = decidedAt.getTime() - 10_000;
        await recoverFreshQueue(w, w.settings.recovery, decidedAt, decidedAt);
        w.settings = { ...w.settings, judgedAsOf: decidedAt.toISOString() };
        const mark = w.ran.length;
        // The first tick 18 s later: by then 10:03:04 to 10:03:20 are past their grace, but they were not when the start decided.
        w.clock.advance(18_000);
        await runTick(w);
        await w.runFor(120);
        // One cut, at the decision: the latest three missed by then ran, and nothing on time then was skipped.
        const created = Date.parse((await w.api('GET', `/v1/jobs/${id}`)).body!.createdAt as string);
        const lastMissed = created + Math.floor((graceStart - 1 - created) / 2_000) * 2_000;
        const latestThree = [lastMissed - 4_000, lastMissed - 2_000, lastMissed].map((t) => new Date(t).toISOString());
        expect(
          w.ran
            .slice(mark)
            .filter((at) => Date.parse(at) < graceStart)
            .sort(),
        ).toEqual(latestThree);
        const skipped = (await w.history(id)).filter((r) => r.status === 'skipped' && Date.parse(r.scheduledFor) >= graceStart);
        expect(skipped.map((r) => r.scheduledFor)).toEqual([]);
      },
    );
  });
}

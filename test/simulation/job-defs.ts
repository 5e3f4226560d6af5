/**
 * Random job definitions, as a user would POST them: every schedule kind (cron
 * with 5 and 6 fields, in zones with DST; every; at), bounds (startAt, endAt,
 * maxRuns) and every policy (retry, misfire, overlap, timeout), with a handler
 * behaviour in the payload.
 */
import type { Behavior } from './handlers.js';

type Random = () => number;

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
export const between = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

const CRONS = [
  '*/5 * * * *',
  '* * * * *',
  '*/20 * * * * *',
  '*/2 * * * *',
  '*/15 * * * *',
  '0 * * * *',
  '30 1 * * *',
  '30 2 * * *',
  '0,30 2 * * *',
  '15 1-3 * * *',
  '*/30 1 * * *',
  '*/10 * * * *',
  '*/30 * * * * *',
  '45 */2 * * * *',
  '0 */3 * * * *',
  '@hourly',
];
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'];
const EVERY = ['20s', '45s', '90s', '2m', '7m', '25m'];

function behavior(random: Random): Behavior {
  const r = random();
  if (r < 0.4) return { kind: 'ok' };
  if (r < 0.55) return { kind: 'flaky', failures: between(random, 1, 3) };
  if (r < 0.62) return { kind: 'fail' };
  if (r < 0.72) return { kind: 'odd' };
  if (r < 0.82) return { kind: 'hang', chance: 0.3 };
  if (r < 0.9) return { kind: 'non-retryable' };
  return { kind: 'retry-after', ms: between(random, 1, 30) * 1000 };
}

function schedule(random: Random, now: number): Record<string, string> {
  const r = random();
  if (r < 0.55) return { cron: pick(random, CRONS), timezone: pick(random, ZONES) };
  if (r < 0.85) return { every: pick(random, EVERY) };
  return { at: new Date(now + between(random, 30, 3 * 3600) * 1000 + 250).toISOString() };
}

export function randomJobDefinition(random: Random, name: string, now: number, zone?: string): Record<string, unknown> {
  const s = schedule(random, now);
  if (zone && s.cron && random() < 0.6) s.timezone = zone;
  const def: Record<string, unknown> = {
    name,
    schedule: s,
    handler: 'sim',
    payload: { behavior: behavior(random) },
    retry: {
      maxAttempts: between(random, 1, 5),
      initialDelay: `${between(random, 1, 20)}s`,
      maxDelay: `${between(random, 20, 60)}s`,
      multiplier: pick(random, [1, 2, 3]),
      jitter: pick(random, ['full', 'none']),
    },
    timeout: `${between(random, 1, 10)}s`,
    misfire: {
      policy: pick(random, ['skip', 'once', 'all']),
      grace: pick(random, ['5s', '30s', '60s', '2m']),
      maxCatchUp: between(random, 1, 5),
    },
    overlap: pick(random, ['allow', 'allow', 'skip', 'queue-one']),
  };
  if (random() < 0.15) def.status = 'paused';
  if (!s.at && random() < 0.2) def.startAt = new Date(now + between(random, 1, 60) * 60_000 + 500).toISOString();
  if (!s.at && random() < 0.2) def.endAt = new Date(now + between(random, 61, 240) * 60_000 + 700).toISOString();
  if (!s.at && random() < 0.25) def.maxRuns = between(random, 1, 12);
  return def;
}

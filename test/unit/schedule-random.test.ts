/**
 * Seeded randomized checks that the fast schedule maths gives the same fire times
 * as slow references: core/schedule/cron-calendar.ts against cron-parser's own search (UTC,
 * random expressions with ranges, steps, lists, names, L, # and ?), and
 * core/schedule/zoned-cron.ts against test/helpers/cron-reference.ts (the README's DST rule)
 * in zones with DST around their transitions, started anywhere. Rerun a failure
 * with FUZZ_SEED=<seed printed>.
 */
import fc from 'fast-check';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { compileCron } from '../../core/schedule/cron-calendar.js';
import { offsetAt } from '../../core/schedule/time-zone.js';
import { zonedCronOccurrences } from '../../core/schedule/zoned-cron.js';
import { referenceFires } from '../helpers/cron-reference.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`schedule-random: FUZZ_SEED=${seed}`);

const num = (min: number, max: number) => fc.integer({ min, max });
function field(min: number, max: number, extras: fc.Arbitrary<string>[] = []): fc.Arbitrary<string> {
  const value = num(min, max).map(String);
  const range = fc.tuple(num(min, max), num(min, max)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  return fc.oneof(
    fc.constant('*'),
    value,
    range,
    fc.tuple(num(1, Math.max(1, Math.floor((max - min) / 2))), fc.boolean()).map(([n, star]) => (star ? `*/${n}` : `${min}/${n}`)),
    fc.tuple(range, num(1, 5)).map(([r, n]) => `${r}/${n}`),
    fc.uniqueArray(num(min, max), { minLength: 2, maxLength: 4 }).map((v) => v.join(',')),
    ...extras,
  );
}
const dayOfMonth = field(1, 31, [fc.constant('L'), fc.constant('?'), num(1, 28).map((d) => `${d},L`)]);
const month = field(1, 12, [fc.constantFrom('jan', 'feb', 'feb-apr', 'oct,nov')]);
const dayOfWeek = field(0, 7, [
  fc.constant('?'),
  fc.tuple(num(0, 6), num(1, 5)).map(([d, n]) => `${d}#${n}`),
  num(0, 6).map((d) => `${d}L`),
  fc.constant('mon-fri'),
]);
const cronExpr = (withSeconds: fc.Arbitrary<string | undefined>) =>
  fc
    .tuple(withSeconds, field(0, 59, [fc.constant('?')]), field(0, 23, [fc.constant('?')]), dayOfMonth, month, dayOfWeek)
    .map(([s, ...rest]) => [...(s === undefined ? [] : [s]), ...rest].join(' '))
    .filter((e) => {
      try {
        CronExpressionParser.parse(e, { tz: 'UTC' });
        return compileCron(e).nextAfter(Date.UTC(2000, 0, 1)) !== undefined;
      } catch {
        return false;
      }
    });

describe('the cron calendar finds what cron-parser finds', () => {
  it('for random expressions from random instants (UTC)', () => {
    fc.assert(
      fc.property(cronExpr(fc.option(field(0, 59), { nil: undefined })), num(Date.UTC(1970, 0, 1), Date.UTC(2400, 0, 1)), (expr, start) => {
        const it = CronExpressionParser.parse(expr, { tz: 'UTC', currentDate: new Date(start) });
        const calendar = compileCron(expr);
        let t = start;
        for (let i = 0; i < 25; i++) {
          const expected = it.next().getTime();
          const got = calendar.nextAfter(t);
          expect(got, `${expr} after ${new Date(t).toISOString()}`).toBe(expected);
          t = got!;
        }
      }),
      { seed, numRuns: 300 },
    );
  }, 30_000);
});

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'America/Santiago',
  'Europe/London',
  'America/St_Johns',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'Asia/Kolkata',
  'UTC',
];

/** The offset changes of a zone in a year, probed every six hours. */
function transitions(zone: string, year: number): number[] {
  const out: number[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 6 * 3_600_000)
    if (offsetAt(zone, t) !== offsetAt(zone, t + 6 * 3_600_000)) out.push(t);
  return out;
}

describe('zoned cron follows the DST rule', () => {
  it('gives the reference fire times around transitions, from any starting instant', () => {
    fc.assert(
      fc.property(
        cronExpr(fc.option(fc.constantFrom('0', '0,30', '15'), { nil: undefined })),
        fc.constantFrom(...ZONES),
        num(1975, 2090),
        num(0, 3),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (expr, zone, year, pick, startAt) => {
          const around = transitions(zone, year);
          const centre = around.length > 0 ? around[pick % around.length]! : Date.UTC(year, 5, 1);
          const start = centre - 20 * 3_600_000 + Math.floor(startAt * 16 * 3_600_000);
          const end = centre + 16 * 3_600_000;
          const expected = referenceFires(expr, zone, start, end);
          const got: number[] = [];
          for (const t of zonedCronOccurrences(expr, zone, new Date(start))) {
            if (t.getTime() >= end) break;
            got.push(t.getTime());
          }
          expect(
            got.map((t) => new Date(t).toISOString()),
            `${expr} in ${zone} from ${new Date(start).toISOString()}`,
          ).toEqual(expected.map((t) => new Date(t).toISOString()));
        },
      ),
      { seed, numRuns: 60 },
    );
  }, 60_000);
});

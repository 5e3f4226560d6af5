/**
 * The layout's rules (CONTRIBUTING.md, README "Layout"): dependencies point one
 * way, kernel <- schedule <- jobs (and settings) <- execution <- dispatch <- service <- adapters
 * <- functions <- local; no import cycles; the domain (core/) talks to no AWS SDK,
 * reads no environment and no wall clock. Read from the imports of every file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Each folder's rank: a file may import only from folders of its rank or lower. */
const RANKS: [prefix: string, rank: number][] = [
  ['core/kernel/', 0],
  ['core/schedule/', 1],
  ['core/jobs/', 2],
  ['core/settings/', 2],
  ['core/execution/', 3],
  ['core/dispatch/', 4],
  ['core/service/', 5],
  ['adapters/', 6],
  ['handlers/', 6],
  ['functions/', 7],
  ['infra/', 7],
  ['local/', 8],
  ['bench/', 9],
];

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const sources = RANKS.map(([prefix]) => prefix.split('/')[0]!)
  .filter((d, i, all) => all.indexOf(d) === i)
  .flatMap(filesUnder);
const rankOf = (file: string) => RANKS.find(([prefix]) => file.startsWith(prefix))?.[1];
const text = new Map(sources.map((f) => [f, readFileSync(join(root, f), 'utf8')]));

/** Relative imports of a file, as repository paths of .ts files. */
function importsOf(file: string): string[] {
  const specs = [...text.get(file)!.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  // Lambda code names `.js`; SST's infra code names no extension.
  return specs
    .map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'))
    .map((p) => relative('.', p.endsWith('.ts') ? p : `${p}.ts`));
}

/** The code without its comments and strings, so that a comment naming Date.now() is not a call. */
const code = (file: string) =>
  text
    .get(file)!
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");

describe('layout', () => {
  it('places every source file in a folder with a rank', () => {
    expect(sources.filter((f) => rankOf(f) === undefined && !f.startsWith('core/'))).toEqual([]);
    expect(sources.filter((f) => f.startsWith('core/') && rankOf(f) === undefined)).toEqual([]);
    expect(sources.filter((f) => f.startsWith('core/') && f.includes('/adapters/'))).toEqual([]);
  });

  it('has dependencies point one way: nothing imports a folder of a higher rank', () => {
    const against: string[] = [];
    for (const file of sources) {
      for (const target of importsOf(file)) {
        const [from, to] = [rankOf(file), rankOf(target)];
        if (from !== undefined && to !== undefined && to > from) against.push(`${file} -> ${target}`);
      }
    }
    expect(against).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') return void cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      state.set(file, 'open');
      for (const next of importsOf(file).filter((t) => text.has(t))) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of sources) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the domain free of the AWS SDK, the environment and the wall clock', () => {
    const found: string[] = [];
    for (const file of sources.filter((f) => f.startsWith('core/'))) {
      if (/from\s+'@aws-sdk\//.test(text.get(file)!)) found.push(`${file}: imports the AWS SDK`);
      if (/process\.env/.test(code(file))) found.push(`${file}: reads process.env`);
      if (/Date\.now\(\)|new Date\(\)/.test(code(file))) found.push(`${file}: reads the wall clock`);
    }
    expect(found).toEqual([]);
  });

  it('resolves every relative import to a file that exists', () => {
    const exists = (path: string) => text.has(path) || statSync(join(root, path), { throwIfNoEntry: false })?.isFile() === true;
    expect(
      sources.flatMap((f) =>
        importsOf(f)
          .filter((t) => !exists(t))
          .map((t) => `${f} -> ${t}`),
      ),
    ).toEqual([]);
  });
});

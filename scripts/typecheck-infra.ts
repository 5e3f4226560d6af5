// `npm run typecheck:infra`: sst.config.ts and infra/*.ts against SST's own types, which
// `npx sst install` downloads into .sst/platform (it needs the internet; CI has none, and
// checks the same files against infra/offline/sst-globals.d.ts in `npm run typecheck`).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('.sst/platform/config.d.ts')) {
  console.error("SST's types are not installed here: run `npx sst install` first (it downloads them).");
  process.exit(1);
}
const result = spawnSync('npx', ['tsc', '--noEmit', '-p', 'infra/tsconfig.sst.json'], { stdio: 'inherit' });
process.exit(result.status ?? 1);

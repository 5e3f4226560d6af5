/**
 * One local runtime per data folder. A second `npm run dev` on the same `.data`
 * would stop the first one's DynamoDB Local (it takes it for one a `kill -9` left
 * behind) and decide the first one's messages lost while its workers run them. So
 * the folder holds the runtime's pid; a start that finds a live runtime there
 * refuses, and one that finds a dead one (killed hard) takes the folder over.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class DataFolderInUseError extends Error {
  override name = 'DataFolderInUseError';
  constructor(
    readonly folder: string,
    readonly pid: number,
  ) {
    super(`another local runtime (pid ${pid}) is using ${folder}; stop it first, or give this one another SCHEDULER_DATA_DIR`);
  }
}

function isLiveNode(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return false;
  }
}

/** Takes the folder for this process; the returned function gives it back. */
export function lockDataFolder(folder: string, pid = process.pid): () => void {
  const dir = resolve(folder);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'runtime.pid');
  // Created exclusively, so two starts at the same moment cannot both take it.
  for (let tries = 0; ; tries++) {
    try {
      writeFileSync(file, String(pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder !== pid && isLiveNode(holder)) throw new DataFolderInUseError(dir, holder);
      rmSync(file, { force: true });
    }
  }
  return () => {
    if (existsSync(file) && Number(readFileSync(file, 'utf8')) === pid) rmSync(file, { force: true });
  };
}

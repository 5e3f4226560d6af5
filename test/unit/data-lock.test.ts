/** One local runtime per data folder (local/data-lock.ts). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFolderInUseError, lockDataFolder } from '../../local/data-lock.js';

describe('lockDataFolder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scheduler-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a folder a live runtime holds, takes one whose holder is gone, and gives it back', async () => {
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'runtime.pid'), String(live.pid));
      expect(() => lockDataFolder(dir)).toThrow(DataFolderInUseError);
      expect(readFileSync(join(dir, 'runtime.pid'), 'utf8')).toBe(String(live.pid));
    } finally {
      live.kill('SIGKILL');
      await new Promise((resolve) => live.once('exit', resolve));
    }
    // Its holder died (kill -9): the folder is taken over.
    const unlock = lockDataFolder(dir);
    expect(readFileSync(join(dir, 'runtime.pid'), 'utf8')).toBe(String(process.pid));
    unlock();
    expect(() => readFileSync(join(dir, 'runtime.pid'))).toThrow();
    // A pid that is not a node process (reused by something else) does not hold it either.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'runtime.pid'), String(other.pid));
      lockDataFolder(dir)();
    } finally {
      other.kill('SIGKILL');
    }
  });
});

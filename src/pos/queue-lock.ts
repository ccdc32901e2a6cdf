// Keeps a second process (or a second open in this one) away from a queue directory while it is open.

import { open, readFile, unlink } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join } from 'node:path';

const LOCK = 'lock';

const openInThisProcess = new Set<string>();

/** A lock file holding `{"pid":…,"since":…}`; it is stale when that process is gone or the machine rebooted since. */
export async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, since: Date.now() }));
        await handle.sync();
      } finally {
        await handle.close();
      }
      openInThisProcess.add(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder && lockIsHeld(dir, holder)) throw new Error(`offline queue ${dir} is in use by process ${holder.pid}`);
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  throw new Error(`cannot lock offline queue ${dir}`);
}

async function readLock(path: string): Promise<{ pid: number; since: number } | null> {
  try {
    const lock = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; since?: unknown };
    return Number.isSafeInteger(lock.pid) && typeof lock.since === 'number' ? { pid: lock.pid as number, since: lock.since } : null;
  } catch {
    return null;
  }
}

function lockIsHeld(dir: string, holder: { pid: number; since: number }): boolean {
  if (holder.pid === process.pid) return openInThisProcess.has(dir);
  // After a reboot the old pid may belong to an unrelated process.
  const bootedAt = Date.now() - uptime() * 1000;
  if (holder.since < bootedAt) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function releaseLock(dir: string): Promise<void> {
  openInThisProcess.delete(dir);
  await unlink(join(dir, LOCK)).catch(() => undefined);
}

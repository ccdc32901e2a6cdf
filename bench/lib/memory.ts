// The resident memory of a process, from /proc (Linux only; null elsewhere).
import { readFileSync } from 'node:fs';

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Peak (VmHWM) and current (VmRSS) resident memory of a process in bytes. */
export function processMemory(pid: number | undefined): { peak: number; now: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { peak: kb('VmHWM'), now: kb('VmRSS') };
  } catch {
    return null;
  }
}

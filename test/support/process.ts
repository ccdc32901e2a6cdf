// Starts the real server as a child process (`node --import tsx src/cli.ts start`), as a POS would meet it (the
// POS simulator's launcher, which its demo uses too).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess as startProcess, type ServerProcess } from '../../src/pos/simulator/server-process.ts';

export type { ServerProcess } from '../../src/pos/simulator/server-process.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'regulars-e2e-'));
}

export function startServerProcess(env: Record<string, string>, timeoutMs = 180_000, nodeArgs: string[] = []): Promise<ServerProcess> {
  return startProcess([process.execPath, ...nodeArgs, '--import', 'tsx', join(ROOT, 'src/cli.ts'), 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'warn', REGULARS_WORKER_POLL_MS: '50', ...env },
    // a server that never came up must not outlive the test: it would keep the test runner waiting
    timeoutMs,
  });
}

// Starts the real server as a child process (`regulars start`, compiled as `npm start` runs it), as a POS would
// meet it (the POS simulator's launcher, which its demo uses too), and runs its command line as an operator does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess as startProcess, type ServerProcess } from '../../src/pos/simulator/server-process.ts';
import { buildServerBundle, SERVER_BUNDLE } from '../../scripts/build-server.mjs';

export type { ServerProcess } from '../../src/pos/simulator/server-process.ts';

const ROOT = join(import.meta.dirname, '..', '..');

// scripts/test.mjs built it before the run; a test file run on its own builds it when a source is newer
buildServerBundle();

/** `regulars <args>` as a process: the compiled server, its errors' stacks pointing at the TypeScript sources. */
export function regularsCommand(args: string[], nodeArgs: string[] = []): string[] {
  return [process.execPath, ...nodeArgs, '--enable-source-maps', SERVER_BUNDLE, ...args];
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'regulars-e2e-'));
}

export function startServerProcess(env: Record<string, string>, timeoutMs = 180_000, nodeArgs: string[] = []): Promise<ServerProcess> {
  return startProcess(regularsCommand(['start'], nodeArgs), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'warn', REGULARS_WORKER_POLL_MS: '50', ...env },
    // a server that never came up must not outlive the test: it would keep the test runner waiting
    timeoutMs,
  });
}

/** A command as `spawn` and `execFileSync` take it: the program, then its arguments. */
export function spawnArgs(command: string[]): [string, string[]] {
  return [command[0], command.slice(1)];
}

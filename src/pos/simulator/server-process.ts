// A Regulars server started as a process of its own, as a POS meets it: the demo starts one with the command line
// the entry gives it (`regulars start`), and the end-to-end tests start theirs the same way. Its address is read
// from the line the server prints once it listens (`API: http://127.0.0.1:PORT/…`), so it may listen on any port.

import { spawn, type ChildProcess } from 'node:child_process';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** everything it printed so far */
  output: () => string;
  /** stops it gracefully (SIGTERM) or brutally (SIGKILL) and waits for the exit */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServerProcessOptions {
  /** the whole environment of the server: nothing else is inherited */
  env: Record<string, string>;
  cwd?: string;
  /** a server that is not listening by then is killed, so it cannot outlive its caller */
  timeoutMs: number;
}

/** Runs `command` (the program, then its arguments) and resolves once the server listens. */
export async function startServerProcess(command: readonly string[], options: ServerProcessOptions): Promise<ServerProcess> {
  const [program, ...args] = command;
  const child = spawn(program, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${options.timeoutMs} ms:\n${output}`));
    }, options.timeoutMs);
    const check = () => {
      const match = /API: (http:\/\/[^/\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

// `regulars pos [demo]`: opens the POS with the resolved configuration and runs the terminal cashier, or the demo.

import { loadPosEnvironment, PosConfigError } from '../config.ts';
import { loadMenu } from '../menu.ts';
import { Pos } from '../pos.ts';
import { runDemo } from './demo.ts';
import { resolvePosConfig, SAMPLE_MENU, type PosCommandOptions } from './setup.ts';
import { describeQueueEvent, Terminal } from './terminal.ts';

export interface PosCommandLine extends PosCommandOptions {
  smsPort?: string;
}

/**
 * Runs the command; resolves to the exit code. `serverCommand` starts a Regulars server (`regulars start`) for the
 * demo's own server; `environment`: the REGULARS_POS_* overrides, by default this process's.
 */
export async function runPosCommand(
  mode: string | undefined,
  options: PosCommandLine,
  serverCommand: readonly string[],
  environment: Record<string, string> = loadPosEnvironment(),
): Promise<number> {
  const write = (line: string) => void process.stdout.write(`${line}\n`);
  const menuPath = options.menu ?? SAMPLE_MENU;
  try {
    if (mode === 'demo') {
      const smsPort = options.smsPort === undefined ? undefined : Number(options.smsPort);
      if (smsPort !== undefined && (!Number.isSafeInteger(smsPort) || smsPort < 1 || smsPort > 65535)) {
        process.stderr.write('--sms-port must be a port number\n');
        return 2;
      }
      if (options.server === undefined && (options.key !== undefined || smsPort !== undefined)) {
        process.stderr.write('--key and --sms-port go with --server (without it the demo starts its own server)\n');
        return 2;
      }
      return await runDemo({ out: write, config: options.config, server: options.server, serverCommand, key: options.key, smsPort, menu: menuPath, environment });
    }
    if (mode !== undefined) {
      process.stderr.write(`unknown mode "${mode}": use "regulars pos" or "regulars pos demo"\n`);
      return 2;
    }
    const config = resolvePosConfig(options, environment);
    const menu = loadMenu(menuPath, config.sendProductId);
    let terminal: Terminal | null = null;
    const pos = await Pos.open(config, {
      menu,
      onEvent: (event) => {
        const line = describeQueueEvent(event);
        if (line) (terminal ? terminal.print(line) : write(line));
      },
    });
    try {
      const recovered = pos.queue.pending().length;
      if (recovered > 0) write(`${recovered} order(s) from an earlier session wait in the offline queue (${config.queuePath}); sending them.`);
      const session = new Terminal(pos, { input: process.stdin, output: process.stdout });
      terminal = session;
      const interrupt = () => session.stop();
      process.once('SIGINT', interrupt);
      try {
        await session.run();
      } finally {
        process.off('SIGINT', interrupt);
      }
    } finally {
      await pos.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof PosConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

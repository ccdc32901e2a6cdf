// The scale for every other figure: a bare Fastify "hello world" in its own process on this machine.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runLoad } from './lib/load.ts';
import type { BenchLimits } from './lib/scenario.ts';
import type { ReportRow } from './lib/report.ts';

export async function helloWorldBaseline(limits: BenchLimits): Promise<ReportRow[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'hello-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /listening (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`hello-world server exited with ${code}`)));
    });
    const result = await runLoad({
      name: 'fastify hello world',
      baseUrl: url,
      concurrency: limits.concurrency,
      maxRequests: limits.maxRequests * 10,
      maxMs: limits.maxMs,
      request: () => ({ method: 'GET', path: '/' }),
    });
    return [result];
  } finally {
    child.kill();
  }
}

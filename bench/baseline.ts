// The scale for every other figure, measured in the same run with the same load generator: a bare Fastify
// "hello world", and per database a bare Fastify route reading one row by its primary key and one running a
// two-statement write transaction (bench/baseline-server.ts), each in a process of its own. An operation's
// throughput is then told as a share of its baseline (a preorder of the read one, a create or a payment of
// the write one): the machine's load moves both alike, so the share holds where req/s does not.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema } from '../test/support/db.ts';
import { withCpu, type PostgresSessions } from './lib/cpu.ts';
import { runLoad } from './lib/load.ts';
import type { BaselineKind, ReportRow } from './lib/report.ts';
import type { BenchLimits } from './lib/scenario.ts';
import type { TargetKind } from './lib/target.ts';

const ROWS = 100_000;

interface BaselineServer {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

async function startBaselineServer(env: Record<string, string>): Promise<BaselineServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'baseline-server.ts')], {
    env: { ...process.env, BASELINE_ROWS: String(ROWS), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

/** At most this long per baseline: it reaches its steady state within a second or two. */
const BASELINE_MAX_MS = 10_000;

export async function helloWorldBaseline(limits: BenchLimits): Promise<ReportRow[]> {
  const server = await startBaselineServer({});
  try {
    const result = await runLoad({
      name: 'fastify hello world',
      baseUrl: server.url,
      concurrency: limits.concurrency,
      maxRequests: limits.maxRequests * 10,
      maxMs: Math.min(limits.maxMs, BASELINE_MAX_MS),
      request: () => ({ method: 'GET', path: '/' }),
    });
    return [result];
  } finally {
    await server.stop();
  }
}

export type Baselines = Record<BaselineKind, number>;

/** Sessions of the baseline server, told apart from everyone else's by their application_name. */
const BASELINE_APPLICATION = `regulars_bench_baseline_${process.pid}`;

/**
 * The read and write baselines on `kind`: a table of their own (a schema on PostgreSQL, removed afterwards; a
 * data directory for PGlite), each route loaded as the operations are.
 */
export async function databaseBaselines(kind: TargetKind, postgresUrl: string | null, limits: BenchLimits, label: string): Promise<{ rows: ReportRow[]; baselines: Baselines }> {
  const schema = `bench_baseline_${randomBytes(5).toString('hex')}`;
  const dataDir = kind === 'pglite' ? mkdtempSync(join(tmpdir(), 'regulars-baseline-')) : null;
  let postgres: PostgresSessions | undefined;
  let env: Record<string, string>;
  if (kind === 'postgres') {
    const url = new URL(postgresUrl!);
    url.searchParams.set('application_name', BASELINE_APPLICATION);
    postgres = { url: postgresUrl!, applicationName: BASELINE_APPLICATION };
    env = { BASELINE_DATABASE_URL: url.toString(), BASELINE_SCHEMA: schema };
  } else {
    env = { BASELINE_DATA_DIR: dataDir! };
  }
  const server = await startBaselineServer(env);
  try {
    const spread = (index: number) => 1 + ((index * 7919) % ROWS);
    const load = (name: string, method: 'GET' | 'POST', path: (index: number) => string) =>
      withCpu(
        server.pid,
        () =>
          runLoad({
            name,
            baseUrl: server.url,
            concurrency: limits.concurrency,
            maxRequests: limits.maxRequests * 10,
            maxMs: Math.min(limits.maxMs, BASELINE_MAX_MS),
            request: (index) => ({ method, path: path(index) }),
          }),
        postgres,
      );
    const read = await load(`baseline, ${label}: one SELECT by key`, 'GET', (index) => `/read/${spread(index)}`);
    const write = await load(`baseline, ${label}: write transaction`, 'POST', (index) => `/write/${spread(index)}`);
    const row = ({ cpuNote, cpu: _cpu, ...result }: typeof read): ReportRow => (cpuNote ? { ...result, note: cpuNote } : result);
    return { rows: [row(read), row(write)], baselines: { read: read.perSecond, write: write.perSecond } };
  } finally {
    await server.stop();
    if (kind === 'postgres') await dropSchema(postgresUrl!, schema);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

// The databases a benchmark runs against: an embedded PGlite data directory, or a schema of its own on a
// PostgreSQL server. Each is migrated and given the iiko preset here, seeded by the scenarios, then served
// by the real server process (`regulars start`), as in production.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema } from '../../test/support/db.ts';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/database.ts';
import { initProject } from '../../src/project/project.service.ts';
import { startServerProcess, type ServerProcess } from '../../test/support/process.ts';
import type { PostgresSessions } from './cpu.ts';

export const BENCH_SECRET_KEY = 'bench-secret-key-0123456789abcdef';
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export type TargetKind = 'pglite' | 'postgres';

export interface BenchTarget {
  kind: TargetKind;
  /** open while the scenarios seed; closed before the server starts (PGlite allows one process) */
  db: Db;
  closeDb(): Promise<void>;
  serverEnv: Record<string, string>;
  /** PostgreSQL: how the bench tells the server's sessions from others' (for their CPU) */
  postgres?: PostgresSessions;
  /** removes the data directory or drops the schema */
  destroy(): Promise<void>;
}

export interface BenchServer {
  kind: TargetKind;
  /** the server's environment, for `regulars` commands run beside it */
  env: Record<string, string>;
  url: string;
  secretKey: string;
  adminToken: string;
  process: ServerProcess;
  /** PostgreSQL: the server's sessions, for `withCpu` */
  postgres?: PostgresSessions;
}

export async function prepareTarget(kind: TargetKind, postgresUrl: string | null): Promise<BenchTarget> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'regulars-bench-'));
    const handle = await openDatabase({ dataDir });
    await migrateToLatest(handle.db);
    await initProject(handle.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: BENCH_SECRET_KEY, adminToken: BENCH_ADMIN_TOKEN });
    return {
      kind,
      db: handle.db,
      closeDb: () => handle.close(),
      serverEnv: { REGULARS_DATA_DIR: dataDir },
      destroy: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  if (!postgresUrl) throw new Error('PostgreSQL needs a URL: --postgres postgres://… or TEST_DATABASE_URL');
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const handle = await openDatabase({ url: postgresUrl, schema, poolSize: 4 });
  await migrateToLatest(handle.db);
  await initProject(handle.db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: BENCH_SECRET_KEY, adminToken: BENCH_ADMIN_TOKEN });
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  // the server's sessions carry the schema's name, so their CPU is told apart from other clients' of the same PostgreSQL
  url.searchParams.set('application_name', schema);
  return {
    kind,
    db: handle.db,
    closeDb: () => handle.close(),
    serverEnv: { DATABASE_URL: url.toString() },
    postgres: { url: postgresUrl, applicationName: schema },
    destroy: () => dropSchema(postgresUrl, schema),
  };
}

export async function startBenchServer(target: BenchTarget): Promise<BenchServer> {
  const child = await startServerProcess(
    { ...target.serverEnv, REGULARS_SECRET_KEY: BENCH_SECRET_KEY, REGULARS_ADMIN_TOKEN: BENCH_ADMIN_TOKEN, LOG_LEVEL: 'error', REGULARS_RATE_LIMIT_PER_MINUTE: '10000000', REGULARS_WORKER_POLL_MS: '250' },
    180_000,
    // BENCH_PROFILE_DIR=dir writes the server's CPU profile there when it stops (open it in Chrome DevTools)
    process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
  );
  return {
    kind: target.kind,
    env: target.serverEnv,
    url: child.url,
    secretKey: BENCH_SECRET_KEY,
    adminToken: BENCH_ADMIN_TOKEN,
    process: child,
    ...(target.postgres ? { postgres: target.postgres } : {}),
  };
}

/** A protocol call as a load request. */
export function operationRequest(server: BenchServer, operation: string, body: unknown, transactionId?: string) {
  const query = new URLSearchParams({ endpointId: 'iiko', operation });
  if (transactionId) query.set('transactionId', transactionId);
  return {
    method: 'POST' as const,
    path: `/v3/operations/sync?${query}`,
    headers: { 'content-type': 'application/json', authorization: `SecretKey ${server.secretKey}` },
    body: JSON.stringify(body),
  };
}

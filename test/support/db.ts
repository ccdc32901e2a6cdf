// A fresh, migrated database for one test: PGlite in memory (loaded from a migrated snapshot that is
// made once and cached on disk, since booting PGlite and migrating takes seconds), or a schema of its
// own on the PostgreSQL server named by TEST_DATABASE_URL (dropped afterwards).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, migrateToLatest, type DatabaseHandle } from '../../src/db/database.ts';
import { migrations } from '../../src/db/migrations/index.ts';

export const testDatabaseUrl: string | null = process.env.TEST_DATABASE_URL || null;

export interface TestDatabase extends DatabaseHandle {
  /** what to pass to a server process so it uses the same database (PostgreSQL only) */
  env: Record<string, string>;
}

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const [name, migration] of Object.entries(migrations)) hash.update(name).update(String(migration.up));
  return hash.digest('hex').slice(0, 16);
}

async function migratedSnapshot(): Promise<Blob> {
  const path = join(tmpdir(), `regulars-pglite-${migrationsFingerprint()}.tar`);
  if (existsSync(path)) return new Blob([readFileSync(path)]);
  const handle = await openDatabase({ dataDir: 'memory://' });
  try {
    await migrateToLatest(handle.db);
    const dump = await handle.pglite!.dumpDataDir('none');
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
    renameSync(temporary, path);
    return dump;
  } finally {
    await handle.close();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const handle = await openDatabase({ dataDir: 'memory://', loadDataDir: await migratedSnapshot() });
    await migrateToLatest(handle.db);
    return { ...handle, env: {} };
  }
  const database = await createEmptyTestDatabase();
  await migrateToLatest(database.db);
  return database;
}

/** A database for one test with nothing migrated yet (to build an installation as an older version left it). */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  const serverUrl = testDatabaseUrl;
  if (!serverUrl) return { ...(await openDatabase({ dataDir: 'memory://' })), env: {} };
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const handle = await openDatabase({ url: serverUrl, schema, poolSize: 4 });
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    ...handle,
    // the key file of a server process on this database goes beside it, not into the working tree's ./data
    env: { DATABASE_URL: url.toString(), REGULARS_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'regulars-key-')), 'regulars.key') },
    close: async () => {
      await handle.close();
      await dropSchema(serverUrl, schema);
    },
  };
}

/** Drops a schema of its own (a test's or a benchmark's) with everything in it, over a connection of its own. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

// Opens the database: PGlite (embedded, in-process) by default, or a PostgreSQL server by URL.
// Both speak the same SQL; the same migrations run on both.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import { isMissingSchema } from './errors.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { migrations } from './migrations/index.ts';
import {
  lacksAnEarlierModuleNumberedMigration,
  recordedMigrationNames,
  recordModuleNumberedInNameOrder,
  recordsModuleNumberedOutOfOrder,
} from './migration-history.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** the embedded engine, when that is what runs (for snapshots) */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded PGlite is used */
  url?: string | null;
  /** PGlite data directory, or `memory://` for a throw-away database */
  dataDir?: string;
  /** PostgreSQL schema to work in (tests use one schema each) */
  schema?: string;
  poolSize?: number;
  /** PGlite only: start from this data directory snapshot */
  loadDataDir?: Blob;
}

// int8 ids and counters fit in a JS number; `date` stays the 'YYYY-MM-DD' text it is (no time zone shift).
const INT8_OID = 20;
const DATE_OID = 1082;
const parseInt8 = (value: string) => Number(value);
const keepText = (value: string) => value;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const schema = options.schema;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
      types: {
        getTypeParser: ((oid: number, format?: any) =>
          oid === INT8_OID ? parseInt8 : oid === DATE_OID ? keepText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // an idle connection dropped by the server (restart, admin kill) must not crash the process: the pool
    // discards that client and opens a new one for the next query
    pool.on('error', (error) => process.emitWarning(`PostgreSQL connection lost: ${error.message}`));
    if (schema) {
      const client = await pool.connect();
      try {
        await client.query(`create schema if not exists "${schema}"`);
      } finally {
        client.release();
      }
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir, {
    parsers: { [INT8_OID]: parseInt8, [DATE_OID]: keepText },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}

/**
 * Runs the migrations not yet applied, in name order, in the connection's current schema (named explicitly, or
 * Kysely would find its bookkeeping tables in another schema of the same database and skip creating them).
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const schema = await currentSchema(db);
  const recorded = await recordedMigrationNames(db, schema);
  // An installation made while migrations were named by module number (decision 0007) may lack one named
  // before others it ran: those it lacks run after what it has, as they did then; none named by time can have
  // run there yet, so the order among those is still their names'. Then its record is put in name order.
  const caughtUp = lacksAnEarlierModuleNumberedMigration(recorded) ? await runMigrations(db, schema, migrations, { allowUnorderedMigrations: true }) : [];
  if (caughtUp.length > 0 || recordsModuleNumberedOutOfOrder(recorded)) await recordModuleNumberedInNameOrder(db, schema);
  return [...caughtUp, ...(await runMigrations(db, schema, migrations, { allowUnorderedMigrations: false }))];
}

export async function currentSchema(db: Db): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0].schema;
}

/** Runs those of `available` not applied yet with Kysely's Migrator; returns the names of those it ran. */
export async function runMigrations(
  db: Db,
  schema: string,
  available: Record<string, Migration>,
  options: { allowUnorderedMigrations: boolean },
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => available },
    allowUnorderedMigrations: options.allowUnorderedMigrations,
    migrationTableSchema: schema,
  });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Kysely's check for its bookkeeping tables reads the tables of every schema; a schema dropped by someone
    // else meanwhile (another installation or test sharing the database) fails it with "schema … does not
    // exist". Nothing was applied then (each run is one transaction): look again.
    if (attempt < 5 && isAnotherSchemaGone(error, schema)) continue;
    throw error;
  }
}

function isAnotherSchemaGone(error: unknown, ownSchema: string): boolean {
  return isMissingSchema(error) && !error.message.includes(`"${ownSchema}"`);
}

export async function isDatabaseReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** Runs `work` in one transaction (or inside the caller's); everything it writes commits together or not at all. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute((trx) => work(trx));
}

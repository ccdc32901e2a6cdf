// Opens the database: PGlite (embedded, in-process) by default, or a PostgreSQL server by URL.
// Both speak the same SQL; the same migrations run on both.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { DatabaseUnavailableError, isDatabaseUnavailable, isLostConnection } from './errors.ts';
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

/** The connections to the database as this process uses them now. */
export interface ConnectionUse {
  /** the most it opens: the pool's size, or PGlite's one connection */
  max: number;
  inUse: number;
  /** open and idle (PostgreSQL's pool) */
  idle: number;
  /** callers waiting for a connection */
  waiting: number;
}

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  connections(): ConnectionUse;
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
  /** PostgreSQL only: told once when the database stops answering and once when it answers again */
  reachabilityLog?: ReachabilityLogger;
}

export interface ReachabilityLogger {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

// int8 ids and counters fit in a JS number; `date` stays the 'YYYY-MM-DD' text it is (no time zone shift).
const INT8_OID = 20;
const DATE_OID = 1082;
const parseInt8 = (value: string) => Number(value);
const keepText = (value: string) => value;

/** The longest a new connection to PostgreSQL may take: a server that is reachable answers in milliseconds. */
const CONNECT_TIMEOUT_MS = 1000;
/** After this long idle, the operating system probes a connection, so one cut by the network is noticed. */
const KEEP_ALIVE_DELAY_MS = 10_000;

/** pg's client, giving up on a connection attempt after CONNECT_TIMEOUT_MS (the pool's own option would also bound the wait for a free client). */
class TimelyClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const schema = options.schema;
    const reachability = new Reachability(options.reachabilityLog);
    const pool = new pg.Pool({
      Client: TimelyClient,
      connectionString: options.url,
      max: options.poolSize ?? 10,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
      types: {
        getTypeParser: ((oid: number, format?: any) =>
          oid === INT8_OID ? parseInt8 : oid === DATE_OID ? keepText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // A connection the server drops (restart, failover, pg_terminate_backend, a network cut) emits 'error' on its
    // client; unheard, that ends the process. The pool listens only while a client is idle, so every client gets a
    // listener of its own for its whole life; the pool discards the broken client and opens a new one when needed.
    pool.on('connect', (client) => client.on('error', (error) => reachability.lost(error)));
    pool.on('error', (error) => reachability.lost(error));
    if (schema) {
      const client = await pool.connect();
      try {
        await client.query(`create schema if not exists "${schema}"`);
      } finally {
        client.release();
      }
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guardedPool(pool, reachability) }) });
    const connections = () => ({ max: pool.options.max, inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount });
    return { db, kind: 'postgres', connections, close: () => db.destroy() };
  }
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir, {
    parsers: { [INT8_OID]: parseInt8, [DATE_OID]: keepText },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  await pglite.waitReady;
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect });
  return { db, kind: 'pglite', pglite, connections: () => ({ max: 1, idle: 1 - dialect.connectionUse.inUse, ...dialect.connectionUse }), close: () => db.destroy() };
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
    db: withIntrospectionOf(db, schema),
    provider: { getMigrations: async () => available },
    allowUnorderedMigrations: options.allowUnorderedMigrations,
    migrationTableSchema: schema,
  });
  const { error, results } = await unnamedWork.run(true, () => migrator.migrateToLatest());
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The connection as Kysely's migrator sees it: its check for the bookkeeping tables looks only at our own
 * schema. Kysely's own introspection reads every table of every schema of the database, so a schema dropped or
 * a table renamed at that moment by someone else sharing the database (another installation, a test) failed our
 * migration with "schema … does not exist" or "relation … does not exist".
 */
function withIntrospectionOf(db: Db, schema: string): Db {
  const introspection = {
    async getSchemas() {
      const found = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return found.rows;
    },
    async getTables() {
      const found = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db);
      return found.rows.map((row) => ({ name: row.name, schema, isView: false, columns: [] }));
    },
    async getMetadata() {
      return { tables: await this.getTables() };
    },
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value = Reflect.get(target, property);
      // Kysely keeps its state in private fields, which only the real instance can read
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Until when the queries of the work running now must be answered (performance.now() time); none outside withDatabaseTimeLimit. */
const deadlines = new AsyncLocalStorage<number>();

/**
 * Runs `work` with every PostgreSQL query it makes, and every wait for a connection, limited to end within `ms`
 * from now: a query not answered by then is given up (a DatabaseUnavailableError) and its connection closed, so a
 * server that stopped answering (a half-open connection, a network cut) cannot hold the caller longer. A protocol
 * call runs under the time the POS waits for it. Without effect on PGlite, which runs in-process.
 */
export function withDatabaseTimeLimit<T>(ms: number, work: () => Promise<T>): Promise<T> {
  return deadlines.run(performance.now() + ms, work);
}

function timeLeftMs(): number | undefined {
  const deadline = deadlines.getStore();
  if (deadline === undefined) return undefined;
  const left = Math.floor(deadline - performance.now());
  if (left <= 0) throw new DatabaseUnavailableError('the database did not answer within the time of the call');
  return left;
}

/**
 * The pool as Kysely uses it, the one place that turns pg's failures to reach the database into a
 * DatabaseUnavailableError. A connection that lost the database (its query failed for that, or timed out) is
 * closed when released rather than handed out again (a timed-out query may still be running on it), and every
 * query after the failure fails at once instead of waiting behind it; waits and queries keep to the time limit.
 */
function guardedPool(pool: pg.Pool, reachability: Reachability): PostgresPool {
  return {
    connect: async () => {
      try {
        return guardedClient(await connectWithin(pool, timeLeftMs()), reachability);
      } catch (error) {
        const failure = isDatabaseUnavailable(error) ? error : new DatabaseUnavailableError('could not connect to the database', error);
        reachability.lost(failure);
        throw failure;
      }
    },
    end: () => pool.end(),
  };
}

function connectWithin(pool: pg.Pool, waitMs: number | undefined): Promise<pg.PoolClient> {
  if (waitMs === undefined) return pool.connect();
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new DatabaseUnavailableError(`no connection to the database within ${waitMs} ms`));
    }, waitMs);
    pool.connect().then(
      (client) => {
        clearTimeout(timer);
        if (late) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!late) reject(error);
      },
    );
  });
}

/**
 * Named prepared statements: PostgreSQL parses and plans an unnamed statement on every call, which was a third
 * or more of its time per statement on the cashier's path (decision 0204). A statement with parameters gets a
 * name the first time its text is seen; each connection prepares it once (pg remembers what it prepared) and
 * then only binds and executes. Texts without parameters go by the simple protocol as before (they may hold
 * several statements, as migrations' do). At most MAX_NAMED_STATEMENTS texts are named, those with at most
 * MAX_NAMED_PARAMETERS parameters (a batch insert's text changes with its row count), so the statements
 * PostgreSQL keeps per connection stay bounded; others run unnamed, as before. Migrations run unnamed: a
 * prepared `select *` whose table they change would fail.
 */
const MAX_NAMED_STATEMENTS = 500;
const MAX_NAMED_PARAMETERS = 64;
const statementNames = new Map<string, string>();
let statementsNamed = 0;
const unnamedWork = new AsyncLocalStorage<true>();

function statementName(text: string, parameters: number): string | undefined {
  if (parameters === 0 || parameters > MAX_NAMED_PARAMETERS || unnamedWork.getStore()) return undefined;
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `regulars_${++statementsNamed}`;
    statementNames.set(text, name);
  }
  return name;
}

/** A statement prepared before its table changed shape (a migration run by another process): named anew, so it is prepared again. */
function forgetStatement(text: string): void {
  statementNames.delete(text);
}

function isStalePreparedStatement(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}

function guardedClient(client: pg.PoolClient, reachability: Reachability): PostgresPoolClient {
  let lostWith: unknown = null;
  const run = async (text: string, values: ReadonlyArray<unknown>) => {
    if (lostWith !== null) throw lostWith;
    try {
      // pg reads query_timeout per query too, though its types know it only as a connection setting
      const name = statementName(text, values.length);
      const query: pg.QueryConfig & { query_timeout?: number } = { text, values: [...values], query_timeout: timeLeftMs(), ...(name ? { name } : {}) };
      const result = await client.query(query);
      reachability.answered();
      return result;
    } catch (error) {
      if (isStalePreparedStatement(error)) forgetStatement(text);
      if (!isDatabaseUnavailable(error) && !isLostConnection(error)) throw error;
      lostWith = isDatabaseUnavailable(error) ? error : new DatabaseUnavailableError('lost the connection to the database', error);
      reachability.lost(lostWith);
      throw lostWith;
    }
  };
  return {
    // Kysely hands a cursor only to a dialect configured with one (for streaming); this one has none
    query: ((text: string, values: ReadonlyArray<unknown>) => run(text, values)) as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(Boolean(destroy) || lostWith !== null),
  };
}

/** An outage is over once the database has answered with no failure for this long (connections die one by one). */
const OUTAGE_QUIET_MS = 1000;

/** Tells the log once when the database stops answering and once when it answers again, however many calls fail between. */
class Reachability {
  #outage: { since: number; lastFailureAt: number; failures: number } | null = null;

  constructor(private readonly log: ReachabilityLogger | undefined) {}

  lost(error: unknown): void {
    const now = Date.now();
    if (this.#outage) {
      this.#outage.lastFailureAt = now;
      this.#outage.failures += 1;
      return;
    }
    this.#outage = { since: now, lastFailureAt: now, failures: 1 };
    const reason = { error: error instanceof Error ? error.message : String(error) };
    const text = 'the database does not answer: protocol calls get 503 and background work waits until it does';
    if (this.log) this.log.warn(reason, text);
    else process.emitWarning(`${text} (${reason.error})`);
  }

  answered(): void {
    if (!this.#outage) return;
    const now = Date.now();
    if (now - this.#outage.lastFailureAt < OUTAGE_QUIET_MS) return;
    const { since, lastFailureAt, failures } = this.#outage;
    this.#outage = null;
    this.log?.info({ failingForMs: lastFailureAt - since, failures }, 'the database answers again');
  }
}

/**
 * Runs `work`, and runs it again (after 100 ms, doubling up to 1 s) for as long as it fails because the database
 * does not answer, until `patienceMs` have passed or `signal` aborted; then, as on any other failure, throws.
 */
export async function retryWhileUnavailable<T>(work: () => Promise<T>, options: { patienceMs: number; signal?: AbortSignal }): Promise<T> {
  const giveUpAt = Date.now() + options.patienceMs;
  for (let pauseMs = 100; ; pauseMs = Math.min(1000, pauseMs * 2)) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || options.signal?.aborted || Date.now() + pauseMs > giveUpAt) throw error;
      await pause(pauseMs, options.signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
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

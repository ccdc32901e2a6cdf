// A bare Fastify server, the scale for every other figure (bench/baseline.ts): `GET /` answers
// {"hello":"world"}; with a database, `GET /read/:id` answers one row found by its primary key and
// `POST /write/:id` runs a two-statement write transaction (an update and an insert), through `pg` with a
// pool of the server's size (BASELINE_DATABASE_URL, a schema of its own in BASELINE_SCHEMA) or through
// PGlite in this process (BASELINE_DATA_DIR), on a table of BASELINE_ROWS rows. No framework of ours in
// between: what the stack gives.
import Fastify from 'fastify';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

const ROWS = Number(process.env.BASELINE_ROWS ?? 100_000);

interface Store {
  setUp(statements: string[]): Promise<void>;
  read(id: number): Promise<unknown>;
  write(id: number): Promise<void>;
}

const SET_UP = [
  'create table items (id integer primary key, name text not null, value bigint not null)',
  `insert into items select g, 'item ' || g, 0 from generate_series(1, ${ROWS}) g`,
  'create table item_log (id bigint generated always as identity primary key, item_id integer not null, at timestamptz not null)',
  'analyze items',
];
const READ = 'select id, name, value from items where id = $1';
const UPDATE = 'update items set value = value + 1 where id = $1';
const INSERT = 'insert into item_log (item_id, at) values ($1, now())';

function postgresStore(url: string, schema: string): Store {
  // the server's own pool size (src/db/database.ts)
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  return {
    async setUp(statements) {
      await pool.query(`create schema if not exists "${schema}"`);
      for (const statement of statements) await pool.query(statement);
    },
    async read(id) {
      return (await pool.query(READ, [id])).rows[0];
    },
    async write(id) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(UPDATE, [id]);
        await client.query(INSERT, [id]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

async function pgliteStore(dataDir: string): Promise<Store> {
  const db = await PGlite.create(dataDir);
  return {
    async setUp(statements) {
      for (const statement of statements) await db.exec(statement);
    },
    async read(id) {
      return (await db.query(READ, [id])).rows[0];
    },
    async write(id) {
      await db.transaction(async (tx) => {
        await tx.query(UPDATE, [id]);
        await tx.query(INSERT, [id]);
      });
    },
  };
}

const store = process.env.BASELINE_DATABASE_URL
  ? postgresStore(process.env.BASELINE_DATABASE_URL, process.env.BASELINE_SCHEMA ?? 'bench_baseline')
  : process.env.BASELINE_DATA_DIR
    ? await pgliteStore(process.env.BASELINE_DATA_DIR)
    : null;
await store?.setUp(SET_UP);

const server = Fastify({ logger: false });
server.get('/', async () => ({ hello: 'world' }));
if (store) {
  server.get<{ Params: { id: string } }>('/read/:id', async (request) => ({ item: await store.read(Number(request.params.id)) }));
  server.post<{ Params: { id: string } }>('/write/:id', async (request) => {
    await store.write(Number(request.params.id));
    return { written: true };
  });
}
const url = await server.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening ${url}`);

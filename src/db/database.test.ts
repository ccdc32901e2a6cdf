import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../test/support/db.ts';
import { startTcpProxy } from '../../test/support/tcp-proxy.ts';
import { currentSchema, inTransaction, isDatabaseReachable, migrateToLatest, openDatabase, withDatabaseTimeLimit, type Db } from './database.ts';
import { isDatabaseUnavailable } from './errors.ts';

test('migrations run once and a second run changes nothing', async () => {
  const handle = await createTestDatabase();
  try {
    assert.deepEqual(await migrateToLatest(handle.db), []);
    assert.equal(await isDatabaseReachable(handle.db), true);
  } finally {
    await handle.close();
  }
});

test('a failed transaction leaves nothing behind, a successful one keeps everything', async () => {
  const handle = await createTestDatabase();
  try {
    await assert.rejects(
      inTransaction(handle.db, async (trx) => {
        await trx.insertInto('customers').values({ mobile_phone: '79000000001', custom_fields: {} }).execute();
        throw new Error('boom');
      }),
    );
    await inTransaction(handle.db, async (trx) => {
      await trx.insertInto('customers').values({ mobile_phone: '79000000002', custom_fields: {} }).execute();
      await inTransaction(trx, async (inner) => {
        await inner.insertInto('customers').values({ mobile_phone: '79000000003', custom_fields: {} }).execute();
      });
    });
    const phones = await handle.db.selectFrom('customers').select('mobile_phone').orderBy('mobile_phone').execute();
    assert.deepEqual(phones.map((p) => p.mobile_phone), ['79000000002', '79000000003']);
  } finally {
    await handle.close();
  }
});

test('int8 ids come back as numbers and dates as plain text', async () => {
  const handle = await createTestDatabase();
  try {
    const row = await handle.db
      .insertInto('customers')
      .values({ mobile_phone: '79000000004', birth_date: '1990-01-31', custom_fields: { Rank: 'Gold' } })
      .returning(['id', 'birth_date', 'custom_fields'])
      .executeTakeFirstOrThrow();
    assert.equal(typeof row.id, 'number');
    assert.equal(row.birth_date, '1990-01-31');
    assert.deepEqual(row.custom_fields, { Rank: 'Gold' });
    const { rows } = await sql<{ n: string }>`select 12.34::numeric as n`.execute(handle.db);
    assert.equal(rows[0].n, '12.34');
  } finally {
    await handle.close();
  }
});

describe('when PostgreSQL goes away (PostgreSQL only: PGlite runs in-process)', { skip: !testDatabaseUrl && 'needs TEST_DATABASE_URL' }, () => {
  let database: TestDatabase;
  let admin: pg.Client;
  before(async () => {
    database = await createTestDatabase();
    admin = new pg.Client({ connectionString: testDatabaseUrl! });
    await admin.connect();
  });
  after(async () => {
    await admin.end();
    await database.close();
  });

  const terminate = (pid: number) => admin.query('select pg_terminate_backend($1)', [pid]);
  const backendPid = async (db: Db) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0].pid;

  test('a connection terminated while a transaction holds it fails that transaction as unavailable; the process lives and the next query gets a new connection', async () => {
    const failure = await failureOf(() =>
      inTransaction(database.db, async (trx) => {
        await terminate(await backendPid(trx));
        // the server's goodbye arrives while no query runs on the checked-out connection: the 'error' pg emits then ended the process
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(trx);
      }),
    );
    assert.ok(isDatabaseUnavailable(failure), String(failure));
    assert.match((failure as Error).message, /connection/);
    const mid = await failureOf(() =>
      inTransaction(database.db, async (trx) => {
        await terminate(await backendPid(trx));
        await sql`select pg_sleep(1)`.execute(trx);
      }),
    );
    assert.ok(isDatabaseUnavailable(mid), String(mid));
    assert.equal(await isDatabaseReachable(database.db), true);
  });

  test('a query not answered within the time limit is given up at once, and its connection is not handed out again', async () => {
    const started = performance.now();
    const failure = await failureOf(() => withDatabaseTimeLimit(300, () => sql`select pg_sleep(3)`.execute(database.db)));
    const waitedMs = performance.now() - started;
    assert.ok(isDatabaseUnavailable(failure), String(failure));
    assert.ok(waitedMs < 800, `gave up after ${Math.round(waitedMs)} ms`);
    // had the busy connection gone back to the pool, one of these would wait behind the sleep
    const quick = await withDatabaseTimeLimit(1000, () => Promise.all([1, 2, 3, 4].map(() => sql`select 1`.execute(database.db))));
    assert.equal(quick.length, 4);
  });

  test('a silent network (half-open connections) costs a call no more than its time limit, a new connection no more than the connect timeout; the pool recovers when the network does', async () => {
    const server = new URL(testDatabaseUrl!);
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    const proxied = await openDatabase({ url: proxy.urlFor(testDatabaseUrl!), schema: await currentSchema(database.db), poolSize: 2 });
    try {
      await sql`select 1`.execute(proxied.db);
      proxy.cut();
      let started = performance.now();
      const inFlight = await failureOf(() => withDatabaseTimeLimit(500, () => sql`select 1`.execute(proxied.db)));
      assert.ok(isDatabaseUnavailable(inFlight), String(inFlight));
      assert.ok(performance.now() - started < 900, `in flight: ${Math.round(performance.now() - started)} ms`);
      started = performance.now();
      const connecting = await failureOf(() => sql`select 1`.execute(proxied.db));
      assert.ok(isDatabaseUnavailable(connecting), String(connecting));
      assert.match((connecting as Error).message, /could not connect/);
      assert.ok(performance.now() - started < 1500, `connecting: ${Math.round(performance.now() - started)} ms`);
      proxy.mend();
      assert.equal(await isDatabaseReachable(proxied.db), true);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  test('a server that refuses connections is told at once, not after a timeout', async () => {
    const url = new URL(testDatabaseUrl!);
    url.port = '1';
    const refused = await openDatabase({ url: url.toString() });
    try {
      const started = performance.now();
      const failure = await failureOf(() => sql`select 1`.execute(refused.db));
      assert.ok(isDatabaseUnavailable(failure), String(failure));
      assert.ok(performance.now() - started < 500);
      assert.equal(await isDatabaseReachable(refused.db), false);
    } finally {
      await refused.close();
    }
  });
});

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected the work to fail');
}

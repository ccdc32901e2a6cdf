// The predicates read what the driver really throws: PGlite in-process, pg against the PostgreSQL server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { ERROR_TABLE } from '../shared/errors.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../test/support/db.ts';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  isLostConnection,
  isUniqueViolation,
  unavailableErrorOf,
} from './errors.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.close());

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected the statement to fail');
}

test('a second row with a taken unique value is a unique violation of that constraint', async () => {
  const user = { name: 'olga', role: 'owner' as const, password_hash: 'x' };
  await database.db.insertInto('admin_users').values(user).execute();
  const error = await failureOf(() => database.db.insertInto('admin_users').values(user).execute());
  assert.ok(isUniqueViolation(error));
  assert.ok(isUniqueViolation(error, 'admin_users_name_key'));
  assert.ok(!isUniqueViolation(error, 'customers_mobile_phone'));
});

test('a failure of another kind, or no database error at all, is no unique violation', async () => {
  const error = await failureOf(() => sql`create table no_such_schema.t (id int)`.execute(database.db));
  assert.ok(!isUniqueViolation(error));
  assert.ok(!isUniqueViolation(new Error('not a database error')) && !isUniqueViolation(null));
});

test('what pg throws for a lost connection is told apart from what a statement or an SMS gateway throws', async (t) => {
  const lost = [
    { code: '57P01', message: 'terminating connection due to administrator command' },
    { code: '57P03', message: 'the database system is starting up' },
    { code: '08006', message: 'connection failure' },
    { code: '25006', message: 'cannot execute INSERT in a read-only transaction' },
    { code: '53300', message: 'sorry, too many clients already' },
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    new Error('Connection terminated unexpectedly'),
    new Error('Query read timeout'),
    new Error('Client has encountered a connection error and is not queryable'),
  ];
  for (const error of lost) assert.ok(isLostConnection(error), error.message);
  const user = { name: 'lost-check', role: 'owner' as const, password_hash: 'x' };
  await database.db.insertInto('admin_users').values(user).execute();
  const duplicate = await failureOf(() => database.db.insertInto('admin_users').values(user).execute());
  assert.ok(!isLostConnection(duplicate));
  assert.ok(!isLostConnection({ code: '55000', message: 'currval of sequence is not yet defined in this session' }), '55000 counts only when connecting');
  assert.ok(!isLostConnection(null));
  if (!testDatabaseUrl) return t.diagnostic('PGlite has no connection to lose');
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  client.on('error', () => {});
  await client.connect();
  const terminated = await failureOf(() => client.query('select pg_terminate_backend(pg_backend_pid())'));
  await client.end().catch(() => {});
  assert.ok(isLostConnection(terminated), String(terminated));
});

test('a caller whose call the database failed is answered 503 with Retry-After; other failures are not', () => {
  const answer = unavailableErrorOf(new DatabaseUnavailableError('could not connect to the database', new Error('connect ECONNREFUSED 127.0.0.1:5432')));
  assert.ok(answer);
  assert.equal(answer.code, 'unavailable');
  assert.equal(answer.retryAfterSeconds, DATABASE_RETRY_AFTER_SECONDS);
  assert.equal(ERROR_TABLE[answer.code].protocolHttpStatus, 503);
  assert.equal(ERROR_TABLE[answer.code].adminHttpStatus, 503);
  assert.doesNotMatch(answer.message, /ECONNREFUSED|5432/, 'the caller learns nothing of the database');
  // a gateway that refuses carries the same socket code, but is no database outage
  const gatewayDown = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  assert.equal(unavailableErrorOf(gatewayDown), null);
  assert.equal(unavailableErrorOf({ code: '57P01' }), null, 'only the pool guard, which knows an error came from pg, turns it into an outage');
  assert.ok(!isDatabaseUnavailable(new Error('boom')));
});

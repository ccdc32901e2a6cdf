// The predicates read what the driver really throws: PGlite in-process, pg against the PostgreSQL server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { isMissingSchema, isUniqueViolation } from './errors.ts';

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
  assert.ok(!isMissingSchema(error));
});

test('a statement naming a schema that does not exist is told apart from other failures', async () => {
  const error = await failureOf(() => sql`create table no_such_schema.t (id int)`.execute(database.db));
  assert.ok(isMissingSchema(error));
  assert.match(error.message, /no_such_schema/);
  assert.ok(!isUniqueViolation(error));
  assert.ok(!isUniqueViolation(new Error('not a database error')) && !isMissingSchema(null));
});

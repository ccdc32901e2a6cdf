import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test/support/db.ts';
import { inTransaction, isDatabaseReachable, migrateToLatest } from './database.ts';

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

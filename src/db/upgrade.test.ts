// Installations made by older versions upgrade to this one: the last release's database with its data, and
// installations whose record of migrations is out of name order because they followed main while migrations
// ran unordered (decision 0007).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { createEmptyTestDatabase } from '../../test/support/db.ts';
import { findByPhone } from '../customers/customers.repository.ts';
import { ledgerDiscrepancies } from '../loyalty/ledger.repository.ts';
import { linesOf } from '../orders/orders.repository.ts';
import { currentSchema, migrateToLatest, runMigrations, type Db } from './database.ts';
import { lacksAnEarlierModuleNumberedMigration, recordedMigrationNames, recordsModuleNumberedOutOfOrder, timeNamedMigration } from './migration-history.ts';
import { migrations } from './migrations/index.ts';

const names = Object.keys(migrations);
/** The last release (ebd2bca) had every migration named by module number and none named by time. */
const lastRelease = names.filter((name) => !timeNamedMigration.test(name));
const addedSinceLastRelease = names.filter((name) => timeNamedMigration.test(name));

/** The migrations each commit of main that added some added, in the order they came (`git log src/db/migrations`). */
const additionsToMain: string[][] = [
  ['0001_foundation'],
  ['0301_catalog'],
  ['0201_ledger'],
  ['0101_guests', '0401_scenario_runs'],
  ['0501_admin_users', '0502_admin_list_indexes'],
  ['0202_orders'],
  ['0402_segments'],
  ['0503_admin_order_indexes'],
  ['0504_admin_pending_phone_index'],
  ['0505_admin_message_indexes'],
  ['0002_operation_log_json'],
  ['20261205_0100_messages_without_codes'],
];

/** Runs these migrations as the code of that time did: those not run yet, after those that had, whatever their names. */
async function migrateAsBefore(db: Db, available: readonly string[]): Promise<void> {
  await runMigrations(db, await currentSchema(db), Object.fromEntries(available.map((name) => [name, migrations[name]])), {
    allowUnorderedMigrations: true,
  });
}

/** An installation started at the first of these commits and upgraded with every one of them. */
async function followMain(db: Db, commits: string[][]): Promise<void> {
  const available: string[] = [];
  for (const added of commits) {
    available.push(...added);
    await migrateAsBefore(db, available);
    // upgrades were days apart: no two of them share the millisecond Kysely records
    await delay(5);
  }
}

async function columnType(db: Db, table: string, column: string): Promise<string> {
  const { rows } = await sql<{ data_type: string }>`
    select data_type from information_schema.columns where table_schema = current_schema() and table_name = ${table} and column_name = ${column}
  `.execute(db);
  return rows[0].data_type;
}

const at = new Date('2026-12-01T10:00:00.000Z');
const minutesLater = (minutes: number) => new Date(at.getTime() + minutes * 60_000);

/** A guest with a code, messages, an order with lines paid partly with points, coupons, events, log entries … */
async function fillAsTheLastRelease(release: Kysely<any>) {
  const guest = await release
    .insertInto('customers')
    .values({ mobile_phone: '79990000001', is_mobile_phone_confirmed: true, first_name: 'Anna', birth_date: '1990-01-31', discount_card: '4000100', custom_fields: { Rank: 'Gold' }, registered_via: 'iiko', created_at: at, updated_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  await release
    .insertInto('customer_codes')
    .values({ customer_id: guest.id, purpose: 'confirmation', phone: '79990000001', code_hash: 'code-hash', salt: 'salt', created_at: at, expires_at: minutesLater(10) })
    .execute();
  const message = (status: string, text: string, sent?: { sent_at: Date; provider_message_id: string }) => ({
    id: randomUUID(), customer_id: guest.id, phone: '79990000001', text_encrypted: text, connection: 'main', source: 'confirmation', status, created_at: at, valid_until: minutesLater(60), updated_at: at, ...sent,
  });
  const queued = message('queued', 'sealed:Your code 1111');
  const sending = message('sending', 'sealed:Your code 2222');
  const sent = message('sent', 'sealed:Your code 3333', { sent_at: minutesLater(1), provider_message_id: 'gateway-1' });
  await release.insertInto('messages').values([queued, sending, sent]).execute();

  const order = await release
    .insertInto('orders')
    .values({
      customer_id: guest.id, kind: 'authorized', balance_type: 'Bonus', point_of_contact: 'cafe-1', cashdesk: '1', integration_point: 'iiko', operation: 'Offline.CreateOrder',
      payments: JSON.stringify([{ type: 'cash', amount: 400 }]), coupons: JSON.stringify(['WELCOME']), subtotal: '500.00', discount_total: '100.00', total_price: '400.00',
      executed_at: at, created_at: at, updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await release.insertInto('order_identifiers').values({ field: 'iikoOrderId', value: 'A-1', order_id: order.id }).execute();
  const line = (lineNumber: number, productId: string, price: string, pointsSpent: string) => ({
    order_id: order.id, line_number: lineNumber, product_id: productId, quantity: '1.000', base_price_per_item: price, line_total: price, discounted_price: price,
    status: 'Paid', points_spent: pointsSpent, points_spent_net: pointsSpent, earnings: JSON.stringify([{ promotion: 'base', name: 'Base', points: 10, lifetimeDays: 90 }]), paid_at: at,
  });
  await release.insertInto('order_lines').values([line(1, 'borscht', '300.00', '50'), line(2, 'kvass', '200.00', '0')]).execute();
  await release
    .insertInto('order_line_history')
    .values([1, 2].map((lineNumber) => ({ order_id: order.id, line_number: lineNumber, status: 'Paid', quantity: '1.000', operation: 'Offline.CreateOrder', transaction_id: 't-1', at })))
    .execute();
  await release.insertInto('coupons').values({ code: 'WELCOME', pool: 'welcome', uses: 1, used_by: guest.id, used_at: at, created_at: at }).execute();
  await release.insertInto('coupon_uses').values({ code: 'WELCOME', customer_id: guest.id, order_id: order.id, at }).execute();

  const entry = (kind: string, amount: string, reason: string) => ({
    customer_id: guest.id, balance_type: 'Bonus', kind, amount, order_id: order.id, source: 'operation', operation: 'Offline.CreateOrder', reason, at,
  });
  const accrual = await release.insertInto('ledger_entries').values({ ...entry('accrual', '100', 'order'), active_from: at }).returning('id').executeTakeFirstOrThrow();
  const spend = await release.insertInto('ledger_entries').values({ ...entry('spend', '-50', 'order'), related_entry_id: accrual.id }).returning('id').executeTakeFirstOrThrow();
  const lot = await release
    .insertInto('point_lots')
    .values({ customer_id: guest.id, balance_type: 'Bonus', entry_id: accrual.id, order_id: order.id, active_from: at, expires_at: minutesLater(90 * 24 * 60), amount: '100', remaining: '50' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await release.insertInto('point_lot_moves').values({ lot_id: lot.id, entry_id: spend.id, amount: '-50' }).execute();
  await release.insertInto('point_balances').values({ customer_id: guest.id, balance_type: 'Bonus', total: '50', updated_at: at }).execute();

  await release.insertInto('outbox').values({ topic: 'event', payload: { type: 'orderCreated', orderId: order.id }, available_at: at, created_at: at }).execute();
  await release
    .insertInto('operation_log')
    .values(
      ['Offline.CheckCustomer', 'Offline.CreateOrder'].map((operation, index) => ({
        at: minutesLater(index), integration_point: 'iiko', operation, mode: 'sync', status: 'Success', http_status: 200, duration_ms: 12, request_id: `request-${index}`,
        transaction_id: index === 1 ? 't-1' : null, request: JSON.stringify({ customer: { mobilePhone: '7999***0001' } }), response: JSON.stringify({ status: 'Success' }),
      })),
    )
    .execute();
  await release.insertInto('protocol_transactions').values({ transaction_id: 't-1', integration_point: 'iiko', operation: 'Offline.CreateOrder', response: { status: 'Success' }, created_at: at }).execute();
  await release
    .insertInto('async_operations')
    .values({ id: randomUUID(), integration_point: 'iiko', operation: 'Offline.SaveOfflineOrder', body: { order: { ids: { iikoOrderId: 'A-2' } } }, available_at: at, received_at: at })
    .execute();
  const ranAsync = await release
    .insertInto('async_operations')
    .values({
      id: randomUUID(), integration_point: 'iiko', operation: 'Offline.SaveOfflineOrder', body: { customer: { mobilePhone: '79990000001' }, order: { ids: { iikoOrderId: 'A-3' } } },
      status: 'done', attempts: 1, result: { status: 'Success' }, available_at: at, received_at: at, processed_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await release
    .insertInto('scenario_runs')
    .values({ scenario: 'welcome', event_key: `customerRegistered:${guest.id}`, customer_id: guest.id, event_type: 'customerRegistered', status: 'completed', steps: JSON.stringify([{ type: 'sendSms', status: 'done' }]), created_at: at })
    .execute();
  await release.insertInto('customer_segments').values({ customer_id: guest.id, segment: 'regulars', entered_at: at }).execute();
  await release.insertInto('catalog_categories').values({ external_system: 'iiko', id: 'soups', name: 'Soups', created_at: at, updated_at: at }).execute();
  await release
    .insertInto('catalog_products')
    .values({ external_system: 'iiko', id: 'borscht', name: 'Borscht', price: '300.00', category_ids: ['soups'], created_at: at, updated_at: at })
    .execute();
  const owner = await release.insertInto('admin_users').values({ name: 'owner', role: 'owner', password_hash: 'scrypt$hash', created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
  const session = { created_at: at, last_seen_at: at, expires_at: minutesLater(720), user_agent: 'Firefox' };
  await release.insertInto('admin_sessions').values([{ ...session, id_hash: 'owner-session', user_id: owner.id }, { ...session, id_hash: 'admin-token-session', user_id: null }]).execute();
  await release.insertInto('project_entities').values({ kind: 'balanceType', system_name: 'Bonus', definition: { name: 'Bonus points' }, updated_at: at }).execute();
  return { guestId: guest.id as number, orderId: order.id as number, queued, sending, sent, ranAsyncId: ranAsync.id as string };
}

/** Every row of every table, each as JSON of the columns named, in a stable order. */
async function contents(db: Kysely<any>, columnsOfTables: Map<string, string[]>): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const [table, columns] of columnsOfTables) {
    const rows = await db.selectFrom(table).select(columns).execute();
    tables[table] = rows.map((row) => JSON.stringify(columns.map((column) => row[column]))).sort();
  }
  return tables;
}

async function columnsOfTables(db: Db): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name, ordinal_position
  `.execute(db);
  const tables = new Map<string, string[]>();
  for (const row of rows) tables.set(row.table_name, [...(tables.get(row.table_name) ?? []), row.column_name]);
  return tables;
}

test('the database of the last release upgrades with its data intact; messages keep only the text still to be sent, async calls that ran lose their request', async () => {
  const database = await createEmptyTestDatabase();
  try {
    const release = database.db as unknown as Kysely<any>;
    assert.deepEqual(await runMigrations(database.db, await currentSchema(database.db), Object.fromEntries(lastRelease.map((name) => [name, migrations[name]])), { allowUnorderedMigrations: false }), lastRelease);
    const filled = await fillAsTheLastRelease(release);
    const releaseColumns = await columnsOfTables(database.db);
    // the upgrade rewrites the messages' shown text on purpose; every other column of every table stays as it was
    releaseColumns.set('messages', releaseColumns.get('messages')!.filter((column) => column !== 'text_encrypted'));
    // and an async call that ran drops its request body (20261205_1332_retention)
    releaseColumns.set('async_operations', releaseColumns.get('async_operations')!.filter((column) => column !== 'body'));
    // and a console session opened with the admin token, which names no token, ends (20261205_1427_session_credentials)
    releaseColumns.delete('admin_sessions');
    const before = await contents(release, releaseColumns);

    assert.deepEqual(await migrateToLatest(database.db), addedSinceLastRelease);

    assert.deepEqual(await contents(release, releaseColumns), before);
    assert.deepEqual(await recordedMigrationNames(database.db, await currentSchema(database.db)), names);
    const messages = await database.db.selectFrom('messages').select(['id', 'text_encrypted', 'outgoing_text_encrypted']).execute();
    const messageById = new Map(messages.map((message) => [message.id, message]));
    assert.deepEqual(messageById.get(filled.queued.id), { id: filled.queued.id, text_encrypted: null, outgoing_text_encrypted: filled.queued.text_encrypted });
    assert.deepEqual(messageById.get(filled.sending.id), { id: filled.sending.id, text_encrypted: null, outgoing_text_encrypted: filled.sending.text_encrypted });
    assert.deepEqual(messageById.get(filled.sent.id), { id: filled.sent.id, text_encrypted: null, outgoing_text_encrypted: null });
    const asyncBodies = await database.db.selectFrom('async_operations').select(['id', 'status', 'body']).orderBy('status').execute();
    assert.deepEqual(asyncBodies, [
      { id: filled.ranAsyncId, status: 'done', body: null },
      { id: asyncBodies[1].id, status: 'pending', body: { order: { ids: { iikoOrderId: 'A-2' } } } },
    ]);

    const sessions = await database.db.selectFrom('admin_sessions').select(['id_hash', 'user_generation', 'admin_token_id']).execute();
    assert.deepEqual(sessions, [{ id_hash: 'owner-session', user_generation: 1, admin_token_id: null }], "a user's session stays open under the user's first generation");

    // today's code reads what the release wrote
    const [guest] = await findByPhone(database.db, '79990000001');
    assert.equal(guest.id, filled.guestId);
    assert.deepEqual(guest.custom_fields, { Rank: 'Gold' });
    const lines = await linesOf(database.db, filled.orderId);
    assert.deepEqual(lines.map((line) => [line.product_id, line.points_spent]), [['borscht', '50'], ['kvass', '0']]);
    assert.deepEqual(await ledgerDiscrepancies(database.db), []);
    const log = await database.db.selectFrom('operation_log').select(['operation', 'request']).orderBy('id').execute();
    assert.deepEqual(log.map((entry) => entry.operation), ['Offline.CheckCustomer', 'Offline.CreateOrder']);
    assert.deepEqual(log[0].request, { customer: { mobilePhone: '7999***0001' } });
  } finally {
    await database.close();
  }
});

test('an installation that followed main until 0505 and never ran 0002_operation_log_json runs it, then the newer ones', async () => {
  const database = await createEmptyTestDatabase();
  try {
    await followMain(database.db, additionsToMain.slice(0, additionsToMain.findIndex((added) => added.includes('0002_operation_log_json'))));
    await database.db
      .insertInto('operation_log')
      .values({ at, mode: 'sync', status: 'Success', http_status: 200, duration_ms: 3, request_id: 'request-1', request: JSON.stringify({ customer: { ids: { mindboxId: 1 } } }) })
      .execute();
    const schema = await currentSchema(database.db);
    const recorded = await recordedMigrationNames(database.db, schema);
    assert.equal(lacksAnEarlierModuleNumberedMigration(recorded), true);
    assert.equal(recordsModuleNumberedOutOfOrder(recorded), true);

    assert.deepEqual(await migrateToLatest(database.db), ['0002_operation_log_json', ...addedSinceLastRelease]);

    assert.deepEqual(await recordedMigrationNames(database.db, schema), names);
    assert.equal(await columnType(database.db, 'operation_log', 'request'), 'json');
    const [entry] = await database.db.selectFrom('operation_log').select('request').execute();
    assert.deepEqual(entry.request, { customer: { ids: { mindboxId: 1 } } });
    assert.deepEqual(await migrateToLatest(database.db), []);
  } finally {
    await database.close();
  }
});

test('an installation that followed main until today, 0002_operation_log_json run after 0505, upgrades', async () => {
  const database = await createEmptyTestDatabase();
  try {
    await followMain(database.db, additionsToMain);
    const schema = await currentSchema(database.db);
    const recorded = await recordedMigrationNames(database.db, schema);
    assert.equal(lacksAnEarlierModuleNumberedMigration(recorded), false);
    assert.equal(recordsModuleNumberedOutOfOrder(recorded), true);
    const ranByThen = additionsToMain.flat();

    assert.deepEqual(await migrateToLatest(database.db), names.filter((name) => !ranByThen.includes(name)));

    assert.deepEqual(await recordedMigrationNames(database.db, schema), names);
    assert.deepEqual(await migrateToLatest(database.db), []);
  } finally {
    await database.close();
  }
});

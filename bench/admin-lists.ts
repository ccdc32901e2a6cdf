// The admin console's pages at scale: 1 000 000 guests, 5 000 000 orders (one line each), 1 000 000 ledger
// entries and operation log calls, generated in PostgreSQL, then each admin endpoint timed through the real
// server (in-process inject, admin token). A page must not scan a table.
//   npx tsx bench/admin-lists.ts [postgres://…]   (default: TEST_DATABASE_URL); drops its schema afterwards
import { randomBytes } from 'node:crypto';
import { dropSchema } from '../test/support/db.ts';
import pino from 'pino';
import { sql } from 'kysely';
import type { AppContext } from '../src/app-context.ts';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest, openDatabase } from '../src/db/database.ts';
import { ProjectStore } from '../src/project/project-store.ts';
import { OperationLogWriter } from '../src/protocol/mindbox/operation-log-writer.ts';
import { initProject } from '../src/project/project.service.ts';
import { buildServer } from '../src/server.ts';
import { SecretBox } from '../src/shared/secret-box.ts';
import { SecretValues } from '../src/project/secret-values.ts';

const url = process.argv[2] ?? process.env.TEST_DATABASE_URL;
if (!url) throw new Error('give a postgres:// URL or set TEST_DATABASE_URL');
const GUESTS = Number(process.env.BENCH_GUESTS ?? 1_000_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 5_000_000);
const TOKEN = 'bench-admin-token-0123456789';
const schema = `bench_admin_${randomBytes(4).toString('hex')}`;

const step = async (label: string, work: () => Promise<unknown>) => {
  const started = Date.now();
  await work();
  process.stdout.write(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
};

const handle = await openDatabase({ url, schema, poolSize: 1 });
const db = handle.db;
try {
  await migrateToLatest(db);
  await initProject(db, { preset: 'iiko', presetOptions: { phoneConfirmation: true }, secretKey: null, adminToken: TOKEN });
  // generated rows are consistent by construction: skip the per-row foreign key checks while loading
  await sql`set session_replication_role = replica`.execute(db);
  await step(`${GUESTS} guests`, () =>
    sql`insert into customers (mobile_phone, first_name, last_name, discount_card, custom_fields, created_at, updated_at)
        select (79000000000 + g)::text, 'Гость' || g, (array['Иванов','Смирнова','Ким','Петров','Соколова'])[1 + g % 5] || g % 1000, 'C' || g,
               jsonb_build_object('Rank', (array['Bronze','Bronze','Bronze','Silver','Gold'])[1 + g % 5]),
               now() - (g % 730) * interval '1 day', now()
        from generate_series(1, ${GUESTS}) g`.execute(db),
  );
  await step(`${ORDERS} orders`, () =>
    sql`insert into orders (id, customer_id, kind, point_of_contact, integration_point, operation, subtotal, discount_total, total_price, executed_at, created_at, updated_at)
        overriding system value
        select o, case when o % 4 = 0 then null else 1 + (o::bigint * 7919) % ${GUESTS} end, case when o % 4 = 0 then 'anonymous' else 'authorized' end,
               'cafe-' || (o % 20), 'iiko', 'Offline.CreateAuthorizedOrder', 1500, 0, 1500, now() - (o % 365) * interval '1 day' - (o % 1440) * interval '1 minute', now(), now()
        from generate_series(1, ${ORDERS}) o`.execute(db),
  );
  await step(`${ORDERS} order lines`, () =>
    sql`insert into order_lines (order_id, line_number, product_id, quantity, base_price_per_item, line_total, discounted_price, status)
        select o, 1, 'dish-' || (o % 300), 1, 1500, 1500, 1500, case when o % 50 = 0 then 'iikoReturn' else 'iikoPaid' end
        from generate_series(1, ${ORDERS}) o`.execute(db),
  );
  await step('1 000 000 ledger entries', () =>
    sql`insert into ledger_entries (customer_id, balance_type, kind, amount, source, operation, reason, at)
        select 1 + (e::bigint * 104729) % ${GUESTS}, 'Bonus', case when e % 3 = 0 then 'spend' else 'accrual' end, case when e % 3 = 0 then -50 else 75 end,
               'operation', 'Offline.ChangeStatus', 'Начислено за заказ', now() - (e % 365) * interval '1 day'
        from generate_series(1, 1000000) e`.execute(db),
  );
  await step('1 000 000 operation log calls', () =>
    sql`insert into operation_log (at, integration_point, operation, mode, status, http_status, duration_ms, request_id, request, response)
        select now() - (l % 30) * interval '1 day', 'iiko', (array['Offline.CheckCustomer','Offline.CreateAuthorizedOrder','Offline.ChangeStatus'])[1 + l % 3], 'sync',
               case when l % 200 = 0 then 'ValidationError' else 'Success' end, 200, 5, 'r' || l, '{}'::json, '{}'::json
        from generate_series(1, 1000000) l`.execute(db),
  );
  await sql`set session_replication_role = default`.execute(db);
  await step('analyze', () => sql`analyze`.execute(db));

  const secrets = SecretBox.random();
  const app: AppContext = {
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    db,
    databaseKind: 'postgres',
    databaseConnections: () => handle.connections(),
    project: await ProjectStore.open(db, new SecretValues(secrets, {})),
    logger: pino({ level: 'silent' }),
    secrets,
    operationLog: new OperationLogWriter(db, pino({ level: 'silent' })),
    now: () => new Date(),
  };
  const server = await buildServer(app);
  await server.ready();
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  const pages = [
    '/api/admin/customers',
    '/api/admin/customers?q=8%20(900)%20000-12-34',
    '/api/admin/customers?q=C424242',
    `/api/admin/customers?q=${encodeURIComponent('смирнова4')}`,
    `/api/admin/customers?q=${encodeURIComponent('Ким')}&before=500000`,
    '/api/admin/customers/424242',
    '/api/admin/customers/424242/ledger',
    '/api/admin/orders',
    '/api/admin/orders?pointOfContact=cafe-7',
    `/api/admin/orders?from=${monthAgo}&to=${monthAgo}`,
    '/api/admin/orders?customerId=424242',
    '/api/admin/orders?status=iikoReturn',
    '/api/admin/orders/4242424',
    '/api/admin/operation-log',
    '/api/admin/operation-log?status=ValidationError',
    '/api/admin/operation-log?operation=Offline.ChangeStatus',
    '/api/admin/messages',
    `/api/admin/dashboard?from=${monthAgo}&to=${today}`,
    `/api/admin/dashboard?from=${monthAgo}&to=${today}&pointOfContact=cafe-3`,
    '/api/admin/segments',
  ];
  process.stdout.write('\nendpoint | status | median of 3, ms\n--- | --- | ---\n');
  for (const page of pages) {
    const times: number[] = [];
    let status = 0;
    for (let round = 0; round < 3; round += 1) {
      const started = performance.now();
      const answer = await server.inject({ method: 'GET', url: page, headers: { authorization: `Bearer ${TOKEN}` } });
      times.push(performance.now() - started);
      status = answer.statusCode;
    }
    times.sort((a, b) => a - b);
    process.stdout.write(`${page} | ${status} | ${times[1].toFixed(0)}\n`);
  }
  await server.close();
} finally {
  await handle.close();
  await dropSchema(url, schema);
}

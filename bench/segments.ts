// Segments benchmarks.
//
// 1. Full recalculation of the preset's three rank segments on PostgreSQL, in a schema of its own that is
//    dropped afterwards: --guests guests (1 000 000) and --orders orders (5 000 000, two years, every 50th
//    returned, every 97th never paid), seeded with set-based SQL (generate_series). Three runs: the first
//    (every guest enters a segment: a membership row and an event each), one where nothing changed, and one
//    30 days later (windows aged).
// 2. The delay from `iikoPaid` to the new Rank over HTTP against the real server process: --rank-orders
//    guests (1 000) at 9 900 paid, each with a 200 bill open, paid with Offline.ChangeStatus at --rate a
//    second (100); each delay runs from sending the payment (and, apart, from the moment the server took it:
//    the line's paid time) to the start of the Rank run that wrote Silver (its run log record), and
//    CheckCustomer is asked for a sample. --workers more processes with
//    `--role worker` share the outbox with the server's own worker (the documented way to scale out).
//
//   npx tsx bench/segments.ts --postgres postgres://root@127.0.0.1:5432/test
//   TEST_DATABASE_URL=postgres://… npx tsx bench/segments.ts [--guests 1000000] [--orders 5000000]
//     [--rank-orders 1000] [--rate 100] [--seconds 120] [--workers 2] [--only recalculation|rank]
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { dropSchema } from '../test/support/db.ts';
import { migrateToLatest, openDatabase, type Db } from '../src/db/database.ts';
import { initProject, loadProject } from '../src/project/project.service.ts';
import { recalculateAllSegments, type RecalculationReport } from '../src/segments/segments.service.ts';
import { printTable, type ReportRow } from './lib/report.ts';
import type { BenchScenario } from './lib/scenario.ts';
import { BENCH_ADMIN_TOKEN, BENCH_SECRET_KEY, operationRequest, prepareTarget, startBenchServer, type BenchServer } from './lib/target.ts';
import { regularsCommand, spawnArgs } from '../test/support/process.ts';

const DAY = 86_400_000;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function recalculationRow(label: string, report: RecalculationReport | null): ReportRow {
  if (!report) throw new Error('the recalculation did not run');
  const parts = report.perSegment.map((segment) => `${segment.segment} ${seconds(segment.durationMs)} (+${segment.entered}/−${segment.left})`);
  return { name: label, note: `${seconds(report.durationMs)}: aggregates ${seconds(report.metricsMs)}; ${parts.join(', ')}` };
}

async function timed(label: string, work: () => Promise<unknown>): Promise<ReportRow> {
  const started = performance.now();
  await work();
  return { name: label, note: seconds(performance.now() - started) };
}

async function seedOrders(db: Db, now: Date, guests: number, orders: number): Promise<void> {
  await sql`insert into orders (id, customer_id, kind, point_of_contact, integration_point, operation, subtotal, discount_total, total_price, executed_at, created_at, updated_at)
    select g, 1 + (g::bigint * 7919) % ${guests}, 'authorized', 'resto-' || (g % 20), 'iiko', 'Offline.CreateAuthorizedOrder',
      amount, 0, amount, at, at, at
    from (select g, (200 + floor(random() * 5800))::numeric as amount, ${now}::timestamptz - random() * interval '730 days' as at
          from generate_series(1, ${orders}::int) g) seeded`.execute(db);
  await sql`insert into order_lines (order_id, line_number, quantity, base_price_per_item, line_total, discounted_price, status, quantity_returned, amount_returned, paid_at)
    select id, 1, 1, total_price, total_price, total_price,
      case when id % 97 = 0 then 'iikoCheckedOut' when id % 50 = 0 then 'iikoReturn' else 'iikoPaid' end,
      case when id % 97 <> 0 and id % 50 = 0 then 1 else 0 end,
      case when id % 97 <> 0 and id % 50 = 0 then total_price else 0 end,
      case when id % 97 = 0 then null else executed_at end
    from orders`.execute(db);
}

/** Full recalculation at scale, in a PostgreSQL schema of its own that is dropped afterwards. */
export async function recalculationBenchmark(postgresUrl: string, guests: number, orders: number): Promise<ReportRow[]> {
  const schema = `bench_segments_${randomBytes(4).toString('hex')}`;
  const handle = await openDatabase({ url: postgresUrl, schema, poolSize: 2 });
  const db = handle.db;
  const rows: ReportRow[] = [];
  try {
    await migrateToLatest(db);
    await initProject(db, { preset: 'iiko', presetOptions: { phoneConfirmation: false }, secretKey: 'bench-segments-secret-0123456789', adminToken: 'bench-segments-admin-0123456789' });
    const now = new Date();
    rows.push(
      await timed(`seed ${guests.toLocaleString('en')} guests`, async () => {
        await sql`insert into customers (id, mobile_phone, custom_fields, registered_via, created_at, updated_at)
          select g, '79' || lpad(g::text, 9, '0'), '{}'::jsonb, 'iiko', ${now}::timestamptz - (g % 900) * interval '1 day', ${now}
          from generate_series(1, ${guests}::int) g`.execute(db);
        await sql`alter table customers alter column id restart with ${sql.raw(String(guests + 1))}`.execute(db);
      }),
    );
    rows.push(
      await timed(`seed ${orders.toLocaleString('en')} orders and lines`, async () => {
        // consistent by construction: foreign key triggers are skipped while seeding (needs a superuser), and
        // the secondary indexes are built once afterwards instead of row by row
        await db.transaction().execute(async (trx) => {
          await sql`set local session_replication_role = replica`.execute(trx);
          const { rows: constraints } = await sql<{ name: string; table: string; definition: string }>`
            select conname as name, conrelid::regclass::text as table, pg_get_constraintdef(oid) as definition
            from pg_constraint where conrelid in ('orders'::regclass, 'order_lines'::regclass) and contype = 'u'`.execute(trx);
          for (const constraint of constraints) await sql`alter table ${sql.id(constraint.table)} drop constraint ${sql.id(constraint.name)}`.execute(trx);
          const { rows: indexes } = await sql<{ name: string; definition: string }>`
            select indexname as name, indexdef as definition from pg_indexes
            where schemaname = current_schema() and tablename in ('orders', 'order_lines') and indexname not like '%_pkey'`.execute(trx);
          for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
          await seedOrders(trx, now, guests, orders);
          for (const index of indexes) await sql.raw(index.definition).execute(trx);
          for (const constraint of constraints) await sql`alter table ${sql.id(constraint.table)} add constraint ${sql.id(constraint.name)} ${sql.raw(constraint.definition)}`.execute(trx);
        });
        await sql`analyze`.execute(db);
      }),
    );
    const project = await loadProject(db);
    rows.push(recalculationRow('recalculation: first run', await recalculateAllSegments(db, project, now, 'manual')));
    rows.push(recalculationRow('recalculation: nothing changed', await recalculateAllSegments(db, project, now, 'manual')));
    rows.push(recalculationRow('recalculation: 30 days later', await recalculateAllSegments(db, project, new Date(now.getTime() + 30 * DAY), 'manual')));
    const sizes = await db.selectFrom('customer_segments').select(['segment', (eb) => eb.fn.countAll<string>().as('size')]).groupBy('segment').orderBy('segment').execute();
    rows.push({ name: 'segment sizes', note: sizes.map((row) => `${row.segment} ${Number(row.size).toLocaleString('en')}`).join(', ') });
  } finally {
    await handle.close();
    await dropSchema(postgresUrl, schema);
  }
  return rows;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)];
}

async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * The delay from `iikoPaid` to Rank = Silver, over HTTP only (so it runs against PGlite too): `count` guests
 * at 9 900 paid with a 200 bill open; the bills are paid at `rate` a second; the delay of each guest is from
 * sending the payment to the moment the Rank run that wrote Silver started (its record in the run log).
 */
export async function rankDelay(server: BenchServer, options: { count: number; rate: number; maxMs: number }): Promise<ReportRow[]> {
  const call = async (operation: string, body: unknown, transactionId?: string) => {
    const request = operationRequest(server, operation, body, transactionId);
    const response = await fetch(`${server.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
    const answer = (await response.json()) as any;
    if (answer.status !== 'Success') throw new Error(`${operation}: ${JSON.stringify(answer)}`);
    return answer;
  };
  const admin = async (path: string) => (await (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.adminToken}` } })).json()) as any;
  const rankOf = async (phone: string) => (await call('Offline.CheckCustomer', { customer: { mobilePhone: phone } })).customer.customFields.Rank;

  const run = randomBytes(2).toString('hex');
  const guests = Array.from({ length: options.count }, (_, i) => ({ phone: `7955${String(i).padStart(7, '0')}`, id: 0, order: `RANK-${run}-${i}`, orderId: 0, sentAt: 0 }));
  const setupStarted = performance.now();
  await inParallel(guests, 16, async (guest) => {
    guest.id = (await call('Offline.RegisterCustomer', { customer: { mobilePhone: guest.phone } })).customer.ids.mindboxId;
    const history = { ids: { iikoOrderId: `${guest.order}-history` }, totalPrice: 9900, lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 9900, product: { ids: { iiko: 'feast' } }, status: { ids: { externalId: 'iikoPaid' } } }] };
    await call('Offline.SaveOfflineOrder', { customer: { mobilePhone: guest.phone }, executionDateTimeUtc: new Date(Date.now() - DAY).toISOString(), order: history }, randomUUID());
    const order = { ids: { iikoOrderId: guest.order }, lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 200, product: { ids: { iiko: 'coffee' } } }] };
    const preorder = await call('Offline.AuthorizedPreorder', { customer: { mobilePhone: guest.phone }, order });
    const created = await call('Offline.CreateAuthorizedOrder', { customer: { mobilePhone: guest.phone }, order: { ...order, totalPrice: preorder.order.totalPrice } }, randomUUID());
    guest.orderId = created.order.ids.mindboxId;
  });
  // every guest Bronze: the registrations' and offline orders' events are worked off
  let waiting = guests;
  while (waiting.length > 0) {
    const still: typeof guests = [];
    await inParallel(waiting, 8, async (guest) => {
      if ((await rankOf(guest.phone)) !== 'Bronze') still.push(guest);
    });
    waiting = still;
    if (waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const setupMs = performance.now() - setupStarted;

  const payLatency: number[] = [];
  const started = Date.now();
  await Promise.all(
    guests.map(
      (guest, i) =>
        new Promise<void>((resolve, reject) =>
          setTimeout(
            () => {
              guest.sentAt = Date.now();
              call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: guest.order } }, orderLinesStatus: 'iikoPaid' })
                .then(() => {
                  payLatency.push(Date.now() - guest.sentAt);
                  resolve();
                }, reject);
            },
            Math.max(0, started + (i * 1000) / options.rate - Date.now()),
          ),
        ),
    ),
  );
  const sendingMs = Date.now() - started;

  const delays: number[] = [];
  const afterPayment: number[] = [];
  let pending = guests;
  const deadline = Date.now() + options.maxMs;
  while (pending.length > 0 && Date.now() < deadline) {
    const still: typeof guests = [];
    await inParallel(pending, 8, async (guest) => {
      const runs = (await admin(`/api/admin/customers/${guest.id}/scenario-runs`)).items as Array<{ scenario: string; branch: string; status: string; at: string }>;
      const silver = runs.find((item) => item.scenario === 'Rank' && item.branch === 'Silver' && item.status === 'completed');
      if (!silver) return void still.push(guest);
      delays.push(new Date(silver.at).getTime() - guest.sentAt);
      // from the moment the server took the payment (the line's paid time) to the Rank run: the asynchronous part alone
      const order = await admin(`/api/admin/orders/${guest.orderId}`);
      afterPayment.push(new Date(silver.at).getTime() - new Date(order.lines[0].paidAt).getTime());
    });
    pending = still;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const sample = guests.filter((_, i) => i % Math.max(1, Math.floor(guests.length / 20)) === 0);
  let shown = 0;
  for (const guest of sample) if ((await rankOf(guest.phone)) === 'Silver') shown++;

  delays.sort((a, b) => a - b);
  afterPayment.sort((a, b) => a - b);
  payLatency.sort((a, b) => a - b);
  return [
    { name: `rank: set up ${guests.length} guests`, note: `${seconds(setupMs)} (register, offline order 9 900, create 200; all Bronze)` },
    {
      name: `rank: ChangeStatus iikoPaid ${options.rate}/s`,
      requests: guests.length,
      failures: 0,
      p50Ms: percentile(payLatency, 50),
      p99Ms: percentile(payLatency, 99),
      perSecond: (guests.length * 1000) / sendingMs,
      durationMs: sendingMs,
    },
    {
      name: 'rank: sent iikoPaid → Rank Silver',
      note: `${delays.length}/${guests.length} Silver; p50 ${percentile(delays, 50)} ms, p95 ${percentile(delays, 95)} ms, p99 ${percentile(delays, 99)} ms, max ${delays[delays.length - 1] ?? '-'} ms; CheckCustomer Silver ${shown}/${sample.length} sampled`,
    },
    {
      name: 'rank: paid (server) → Rank Silver',
      note: `p50 ${percentile(afterPayment, 50)} ms, p95 ${percentile(afterPayment, 95)} ms, p99 ${percentile(afterPayment, 99)} ms, max ${afterPayment[afterPayment.length - 1] ?? '-'} ms`,
    },
  ];
}

/** For `npm run bench`: the rank delay on each target, bounded by the run's request count and time. */
export const rankDelayScenario: BenchScenario = {
  name: 'segments',
  run: (server, limits) => rankDelay(server, { count: Math.min(1000, limits.maxRequests), rate: 100, maxMs: limits.maxMs }),
};

/** `regulars start --role worker` on the same database: outbox jobs are shared out with FOR UPDATE SKIP LOCKED. */
async function startWorkerProcess(env: Record<string, string>): Promise<{ stop(): Promise<void> }> {
  const child = spawn(...spawnArgs(regularsCommand(['start', '--role', 'worker'])), {
    cwd: join(import.meta.dirname, '..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'error', REGULARS_SECRET_KEY: BENCH_SECRET_KEY, REGULARS_ADMIN_TOKEN: BENCH_ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Regulars is running')) resolve();
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}:\n${output}`)));
  });
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      postgres: { type: 'string' },
      guests: { type: 'string', default: '1000000' },
      orders: { type: 'string', default: '5000000' },
      'rank-orders': { type: 'string', default: '1000' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '120' },
      only: { type: 'string' },
      workers: { type: 'string', default: '2' },
    },
  });
  const postgresUrl = values.postgres ?? process.env.TEST_DATABASE_URL;
  if (!postgresUrl) throw new Error('give --postgres postgres://… or TEST_DATABASE_URL');
  if (values.only !== 'rank') {
    printTable(
      `Full recalculation of RankBronze, RankSilver, RankGold (PostgreSQL)`,
      await recalculationBenchmark(postgresUrl, Number(values.guests), Number(values.orders)),
    );
  }
  if (values.only !== 'recalculation') {
    const target = await prepareTarget('postgres', postgresUrl);
    await target.closeDb();
    try {
      const server = await startBenchServer(target);
      const workers = await Promise.all(Array.from({ length: Number(values.workers) }, () => startWorkerProcess(target.serverEnv)));
      try {
        const options = { count: Number(values['rank-orders']), rate: Number(values.rate), maxMs: Number(values.seconds) * 1000 };
        printTable(
          `Delay from iikoPaid to Rank over HTTP (server process and ${workers.length} more worker processes on PostgreSQL)`,
          await rankDelay(server, options),
        );
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
        await server.process.stop();
      }
    } finally {
      await target.destroy();
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();

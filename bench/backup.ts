// Backup benchmark: `regulars backup` beside the running server process on a database of --backup-guests guests
// (10 000 by default; 100 000 for the figures of docs/decisions/0015), each with three paid orders, their lines,
// identifiers and ledger accruals, seeded with set-based SQL (the orders older than a year, so the server's first
// segment recalculation queues no event per guest); then `regulars restore` of that file into a fresh
// data directory or database. Reports the time and size of the backup, how long the server's work waited for
// it, and the time of the restore.
//   npm run bench -- --scenarios backup [--backup-guests 100000] [--only pglite|postgres]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../src/db/database.ts';
import type { ReportRow } from './lib/report.ts';
import type { BenchScenario } from './lib/scenario.ts';
import type { BenchServer, TargetKind } from './lib/target.ts';
import { regularsCommand, spawnArgs } from '../test/support/process.ts';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { 'backup-guests': { type: 'string', default: '10000' } }, strict: false });
const GUESTS = Number(values['backup-guests']);
const ORDERS_PER_GUEST = 3;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function seedGuests(db: Db): Promise<void> {
  await sql`insert into customers (id, mobile_phone, is_mobile_phone_confirmed, first_name, last_name, registered_via, created_at, updated_at)
    select g, '7900' || lpad(g::text, 7, '0'), true, 'Гость', 'Номер ' || g, 'iiko', at, at
    from (select g, now() - random() * interval '700 days' as at from generate_series(1, ${GUESTS}::int) g) seeded`.execute(db);
  await sql`insert into orders (id, customer_id, kind, balance_type, point_of_contact, integration_point, operation, subtotal, discount_total, total_price, executed_at, created_at, updated_at)
    select o, 1 + o % ${GUESTS}, 'authorized', 'Bonus', 'resto-' || (o % 20), 'iiko', 'Offline.CreateAuthorizedOrder', amount, 0, amount, at, at, at
    from (select o, (200 + floor(random() * 5800))::numeric as amount, now() - interval '400 days' - random() * interval '300 days' as at
          from generate_series(1, ${GUESTS * ORDERS_PER_GUEST}::int) o) seeded`.execute(db);
  await sql`insert into order_identifiers (field, value, order_id) select 'iikoOrderId', 'bench-' || id, id from orders`.execute(db);
  await sql`insert into order_lines (order_id, line_number, product_id, quantity, base_price_per_item, line_total, discounted_price, status, paid_at)
    select id, 1, 'borscht', 1, total_price, total_price, total_price, 'iikoPaid', executed_at from orders`.execute(db);
  await sql`insert into ledger_entries (customer_id, balance_type, kind, amount, active_from, order_id, source, operation, reason, at)
    select customer_id, 'Bonus', 'accrual', floor(total_price * 0.05), executed_at, id, 'operation', 'Offline.CreateAuthorizedOrder', 'bench order', executed_at
    from orders`.execute(db);
  await sql`insert into point_balances (customer_id, balance_type, total, updated_at)
    select customer_id, 'Bonus', sum(amount), now() from ledger_entries group by customer_id`.execute(db);
  for (const table of ['customers', 'orders']) await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(db);
}

function regulars(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(...spawnArgs(regularsCommand([...args])), {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`regulars ${args.join(' ')} failed:\n${output}`))));
  });
}

/** A fresh place to restore into, as the server's environment names it. */
async function freshTarget(kind: TargetKind, env: Record<string, string>): Promise<{ env: Record<string, string>; remove(): Promise<void> }> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'regulars-bench-restore-'));
    copyFileSync(join(env.REGULARS_DATA_DIR, 'regulars.key'), join(dataDir, 'regulars.key'));
    return { env: { REGULARS_DATA_DIR: dataDir }, remove: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const url = new URL(env.DATABASE_URL);
  const name = `bench_restore_${randomBytes(5).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await admin(`create database ${name}`);
  url.pathname = `/${name}`;
  return { env: { ...env, DATABASE_URL: url.toString() }, remove: () => admin(`drop database if exists ${name} with (force)`) };
}

/**
 * Waits until the server answers its health check at once, twice in a row: after the seed, the server's first
 * full segment recalculation queues an event per guest, and the backup is measured on an idle server, not
 * behind that work.
 */
async function untilIdle(server: BenchServer): Promise<void> {
  for (let quick = 0; quick < 2; ) {
    const asked = performance.now();
    await (await fetch(`${server.url}/health`)).text();
    quick = performance.now() - asked < 100 ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export const backupScenario: BenchScenario = {
  name: 'backup',
  async seed(db) {
    const started = performance.now();
    await seedGuests(db);
    return [{ name: `backup: seed ${GUESTS} guests`, note: `${GUESTS * ORDERS_PER_GUEST} orders, ${seconds(performance.now() - started)}` }];
  },
  async run(server: BenchServer): Promise<ReportRow[]> {
    const file = join(mkdtempSync(join(tmpdir(), 'regulars-bench-backup-')), 'regulars.backup');
    try {
      await untilIdle(server);
      const backupStarted = performance.now();
      const output = await regulars(['backup', file], server.env);
      const backupMs = performance.now() - backupStarted;
      const waited = /waited (\d+) ms/.exec(output)?.[1];
      const target = await freshTarget(server.kind, server.env);
      try {
        const restoreStarted = performance.now();
        await regulars(['restore', file], target.env);
        return [
          { name: `backup of ${GUESTS} guests`, note: `${seconds(backupMs)}, ${megabytes(statSync(file).size)}${waited ? `, server paused ${waited} ms` : ''}` },
          { name: `restore of ${GUESTS} guests`, note: seconds(performance.now() - restoreStarted) },
        ];
      } finally {
        await target.remove();
      }
    } finally {
      rmSync(join(file, '..'), { recursive: true, force: true });
    }
  },
};

// The simulation of a proposed program (POST /api/admin/project/simulate) against the real server process:
// BENCH_SIMULATION_GUESTS guests (20 000) with their segments and Rank, BENCH_SIMULATION_ORDERS paid orders (100 000,
// three lines each, a quarter anonymous, some paying with points) over the last 30 days; the proposal raises Gold's
// earn rate, adds a Gold discount and moves Silver's threshold from 10 000 to 20 000, so the replay prices every order twice, the guests'
// segments are evaluated for both and the level shifts counted. Issue 15 asks for 100 000 orders in ≤ 10 s.
//   npm run bench -- --scenarios simulation [--only pglite|postgres]
import { request } from 'node:http';
import { sql } from 'kysely';
import YAML from 'yaml';
import type { Db } from '../src/db/database.ts';
import { loadProject } from '../src/project/project.service.ts';
import { recalculateAllSegments } from '../src/segments/segments.service.ts';
import type { ReportRow } from './lib/report.ts';
import type { BenchScenario } from './lib/scenario.ts';
import type { BenchServer } from './lib/target.ts';

const GUESTS = Number(process.env.BENCH_SIMULATION_GUESTS ?? 20_000);
const ORDERS = Number(process.env.BENCH_SIMULATION_ORDERS ?? 100_000);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function seed(db: Db): Promise<ReportRow[]> {
  const started = performance.now();
  await sql`insert into customers (id, mobile_phone, first_name, custom_fields, registered_via, created_at, updated_at)
    overriding system value
    select g, (79000000000 + g)::text, 'Гость ' || g, '{}'::jsonb, 'iiko', now() - (g % 700) * interval '1 day', now()
    from generate_series(1, ${GUESTS}::int) g`.execute(db);
  await sql`select setval(pg_get_serial_sequence('customers', 'id'), ${GUESTS})`.execute(db);
  // bills of 300 to 6 000 roubles in three lines; every 4th anonymous; every 10th guest's bill paid partly with points
  await sql`insert into orders (id, customer_id, kind, balance_type, point_of_contact, integration_point, operation, subtotal, discount_total, total_price, executed_at, created_at, updated_at)
    overriding system value
    select o, case when o % 4 = 0 then null else 1 + (o::bigint * 7919) % ${GUESTS} end,
      case when o % 4 = 0 then 'anonymous' else 'authorized' end, case when o % 4 = 0 then null else 'Bonus' end,
      'cafe-' || (o % 12), 'iiko', 'Offline.CreateAuthorizedOrder', 0, 0, 0,
      now() - (o % 30) * interval '1 day' - (o % 600) * interval '1 minute', now(), now()
    from generate_series(1, ${ORDERS}::int) o`.execute(db);
  await sql`select setval(pg_get_serial_sequence('orders', 'id'), ${ORDERS})`.execute(db);
  await sql`insert into order_lines (order_id, line_number, product_id, quantity, base_price_per_item, line_total, discounted_price, status, points_spent, paid_at)
    select o.id, n, 'dish-' || ((o.id * 7 + n) % 300), 1 + (o.id + n) % 2, price, price * (1 + (o.id + n) % 2), price * (1 + (o.id + n) % 2), 'iikoPaid',
      case when o.customer_id is not null and o.id % 10 = 1 and n = 1 then least(100, price) else 0 end, o.executed_at
    from orders o, generate_series(1, 3) n, lateral (select (100 + (o.id * 13 + n * 101) % 1900)::numeric as price) p`.execute(db);
  await sql`analyze`.execute(db);
  const seeded = performance.now() - started;
  const project = await loadProject(db);
  const report = await recalculateAllSegments(db, project, new Date(), 'manual');
  // the Rank the preset's scenario would have written on entering each level segment
  await sql`update customers c set custom_fields = jsonb_build_object('Rank', replace(s.segment, 'Rank', ''))
    from customer_segments s where s.customer_id = c.id and s.segment like 'Rank%'`.execute(db);
  return [
    { name: 'simulation: seed', note: `${GUESTS.toLocaleString('en')} guests, ${ORDERS.toLocaleString('en')} paid orders (${(ORDERS * 3).toLocaleString('en')} lines) in ${seconds(seeded)}; segments ${seconds(report?.durationMs ?? 0)}` },
  ];
}

async function run(server: BenchServer): Promise<ReportRow[]> {
  // node:http rather than fetch, whose answers time out after 5 minutes: a loaded machine's embedded database may take longer
  const admin = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    new Promise<any>((resolve, reject) => {
      const call = request(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200) reject(new Error(`${path}: ${response.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      });
      call.on('error', reject);
      call.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const project = await admin('GET', '/api/admin/project');
  project.promotions.find((p: any) => p.systemName === 'EarnGold').percent = 12;
  project.promotions.push({ systemName: 'GoldDiscount', name: 'Скидка 10 % (Gold)', kind: 'discount', percent: 10, scope: 'order', customField: { name: 'Rank', equals: 'Gold' } });
  project.segments.find((s: any) => s.systemName === 'RankSilver').conditions[0].atLeast = 20000;
  project.segments.find((s: any) => s.systemName === 'RankBronze').conditions[0].below = 20000;
  const rows: ReportRow[] = [];
  for (const attempt of ['first', 'again']) {
    const started = performance.now();
    const answer = await admin('POST', '/api/admin/project/simulate', { content: YAML.stringify(project), days: 30 });
    const took = performance.now() - started;
    const moved = answer.guests.levels.map((level: any) => `${level.from}→${level.to} ${level.guests}`).join(', ');
    rows.push({
      name: `simulation: replay ${attempt}`,
      note:
        `${answer.replay.orders.toLocaleString('en')} orders in ${seconds(took)} (server ${seconds(answer.durationMs)}); ` +
        `points ${answer.replay.current.pointsEarned} → ${answer.replay.proposed.pointsEarned}, discounts ${answer.replay.current.discount} → ${answer.replay.proposed.discount} ₽; levels ${moved}`,
    });
  }
  return rows;
}

export const simulationScenario: BenchScenario = { name: 'simulation', seed, run };

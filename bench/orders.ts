// The cashier's hot path under load: 100 000 guests with points, a 10 000-product menu in 100 categories,
// 50 promotions; then over HTTP, each phase on its own: preorder of a 20-line bill spending points,
// create of the same bills with the preorder's total, and the payment (ChangeStatus to iikoPaid); then a
// venue's four terminals ringing up bills one after another while the worker handles their events.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { sql } from 'kysely';
import type { Db } from '../src/db/database.ts';
import { iikoPreset } from '../src/project/presets/iiko.ts';
import { applyProject, loadProject } from '../src/project/project.service.ts';
import type { ProjectInput } from '../src/project/schemas.ts';
import { recalculateAllSegments } from '../src/segments/segments.service.ts';
import { withCpu } from './lib/cpu.ts';
import { loopbackUrl, runLoad, send, summarize, type LoadRequest } from './lib/load.ts';
import type { BaselineKind, ReportRow } from './lib/report.ts';
import type { BenchLimits, BenchScenario } from './lib/scenario.ts';
import { operationRequest, type BenchServer, type TargetKind } from './lib/target.ts';

export const GUESTS = 100_000;
export const PRODUCTS = 10_000;
const CATEGORIES = 100;
const LINES_PER_BILL = 20;
const POINTS_EACH = 5000;

/** A small deterministic generator, so every run prices the same bills. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const phoneOf = (guest: number) => `7990${String(guest).padStart(7, '0')}`;
const priceOf = (product: number) => 90 + ((product * 37) % 900);

/** 46 promotions on top of the preset's 4: category and product discounts, happy hours, venue and coupon deals, extra earning. */
function benchPromotions(): NonNullable<ProjectInput['promotions']> {
  const promotions: NonNullable<ProjectInput['promotions']> = [];
  for (let i = 1; i <= 20; i++) {
    promotions.push({ systemName: `CategoryDiscount${i}`, name: `Скидка ${3 + (i % 8)} % на категорию ${i}`, kind: 'discount', percent: 3 + (i % 8), scope: 'lines', categories: [`c-${i}`], exclusivityGroup: 'menu', priority: i });
  }
  for (let i = 1; i <= 10; i++) {
    const products = Array.from({ length: 20 }, (_, k) => `p-${(i * 97 + k * 13) % PRODUCTS}`);
    promotions.push({ systemName: `ProductDiscount${i}`, name: `Минус 20 ₽ на блюда подборки ${i}`, kind: 'discount', amount: 20, scope: 'lines', products, exclusivityGroup: 'menu', priority: 50 });
  }
  for (let i = 1; i <= 6; i++) {
    promotions.push({
      systemName: `HappyHour${i}`,
      name: `Счастливые часы ${i}`,
      kind: 'discount',
      percent: 5,
      scope: 'order',
      weekdays: [i],
      timeOfDay: { from: '00:00', to: '24:00' },
      minOrderTotal: 3000,
      exclusivityGroup: 'happy',
    });
  }
  for (let i = 1; i <= 5; i++) {
    promotions.push({ systemName: `ExtraEarning${i}`, name: `Ещё 2 % баллами за категорию ${20 + i}`, kind: 'earnPoints', percent: 2, balanceType: 'Bonus', categories: [`c-${20 + i}`], lifetimeDays: 90 });
  }
  for (let i = 1; i <= 3; i++) {
    promotions.push({ systemName: `VenueDiscount${i}`, name: `Скидка ресторана ${i}`, kind: 'discount', percent: 7, scope: 'order', pointsOfContact: [`resto-${i}`], exclusivityGroup: 'happy', priority: 5 });
  }
  promotions.push({ systemName: 'CouponDiscount', name: 'Скидка 10 % по купону', kind: 'discount', percent: 10, scope: 'order', couponPool: 'BenchPool' });
  promotions.push({ systemName: 'CouponEarning', name: 'Двойные баллы по купону', kind: 'earnPoints', percent: 5, balanceType: 'Bonus', couponPool: 'BenchPool' });
  return promotions;
}

export async function seedOrders(db: Db, kind: TargetKind): Promise<ReportRow[]> {
  const started = performance.now();
  const preset = iikoPreset({ phoneConfirmation: true });
  await applyProject(db, {
    ...preset,
    couponPools: [...(preset.couponPools ?? []), { systemName: 'BenchPool', name: 'Купоны для нагрузочного теста', usage: 'single' }],
    promotions: [...preset.promotions!, ...benchPromotions()],
  });
  await sql`
    insert into customers (mobile_phone, is_mobile_phone_confirmed, first_name, custom_fields, registered_via, created_at, updated_at)
    select '7990' || lpad(g::text, 7, '0'), true, 'Гость ' || g,
           case when g % 10 = 0 then '{"Rank":"Gold"}' when g % 5 = 0 then '{"Rank":"Silver"}' else '{"Rank":"Bronze"}' end::jsonb,
           'bench', now(), now()
    from generate_series(1, ${GUESTS}) g`.execute(db);
  await sql`
    insert into ledger_entries (customer_id, balance_type, kind, amount, active_from, expires_at, source, actor, reason, at)
    select id, 'Bonus', 'adjustment', ${POINTS_EACH}, now(), now() + interval '365 days', 'admin', 'bench', 'Баллы для нагрузочного теста', now()
    from customers where registered_via = 'bench'`.execute(db);
  await sql`
    insert into point_lots (customer_id, balance_type, entry_id, active_from, expires_at, amount, remaining)
    select customer_id, balance_type, id, active_from, expires_at, amount, amount from ledger_entries where actor = 'bench'`.execute(db);
  await sql`
    insert into point_balances (customer_id, balance_type, total)
    select customer_id, balance_type, amount from ledger_entries where actor = 'bench'`.execute(db);
  const catalogue = await sql<{ present: boolean }>`select to_regclass('catalog_products') is not null as present`.execute(db);
  if (catalogue.rows[0]?.present) {
    await sql`
      insert into catalog_categories (external_system, id, name, parent_id)
      select 'iiko', 'c-' || g, 'Категория ' || g, case when g > 10 then 'c-' || (g % 10 + 1) end
      from generate_series(1, ${CATEGORIES}) g`.execute(db);
    await sql`
      insert into catalog_products (external_system, id, name, price, category_ids)
      select 'iiko', 'p-' || g, 'Блюдо ' || g, 90 + (g * 37) % 900, array['c-' || (g % ${CATEGORIES} + 1)]
      from generate_series(0, ${PRODUCTS - 1}) g`.execute(db);
  }
  // membership as the segments module computes it; the events of this first run are not part of the test
  await recalculateAllSegments(db, await loadProject(db), new Date(), 'definitions');
  await sql`update outbox set status = 'done', processed_at = now() where status = 'pending'`.execute(db);
  await sql`analyze`.execute(db);
  // embedded PGlite has no background checkpointer: flush the seed's pages now, not in the middle of a measurement
  if (kind === 'pglite') await sql`checkpoint`.execute(db);
  return [
    {
      name: 'seed',
      note: `${GUESTS} guests with ${POINTS_EACH} points, ${catalogue.rows[0]?.present ? PRODUCTS : 0} products, 50 promotions in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    },
  ];
}

function bill(index: number) {
  const next = random(index + 1);
  const lines = Array.from({ length: LINES_PER_BILL }, (_, line) => {
    const product = Math.floor(next() * PRODUCTS);
    return {
      lineNumber: line + 1,
      lineId: `l${line + 1}`,
      quantity: 1 + Math.floor(next() * 2),
      basePricePerItem: priceOf(product),
      product: { ids: { iiko: `p-${product}` } },
    };
  });
  // distinct guests, so the create phase never meets a balance another bill already spent
  const guest = 1 + ((index * 7919) % GUESTS);
  return { phone: phoneOf(guest), orderId: `B-${index}`, pointOfContact: `resto-${1 + (index % 5)}`, lines };
}

/** The three phases over the bills numbered from `first`: preorder, create with the preorder's total, pay. */
async function cashierPhases(server: BenchServer, limits: BenchLimits, first: number): Promise<ReportRow[]> {
  const totals = new Map<number, number>();
  const body = (index: number) => {
    const { phone, orderId, pointOfContact, lines } = bill(first + index);
    return { customer: { mobilePhone: phone }, pointOfContact, order: { ids: { iikoOrderId: orderId }, bonusPoints: [{ amount: 300 }], lines } };
  };
  const pid = server.process.child.pid;
  const preorder = await withCpu(pid, () => runLoad({
    name: `preorder (${LINES_PER_BILL} lines)`,
    baseUrl: server.url,
    concurrency: limits.concurrency,
    maxRequests: limits.maxRequests,
    maxMs: limits.maxMs,
    request: (index) => operationRequest(server, 'Offline.AuthorizedPreorder', body(index)),
    check: (index, _status, text) => {
      const answer = JSON.parse(text);
      if (answer.order?.processingStatus !== 'Calculated') return false;
      totals.set(index, answer.order.totalPrice);
      return true;
    },
  }), server.postgres);
  let priceChanged = 0;
  const create = await withCpu(pid, () => runLoad({
    name: 'create order',
    baseUrl: server.url,
    concurrency: limits.concurrency,
    maxRequests: totals.size,
    maxMs: limits.maxMs,
    request: (index) => {
      const totalPrice = totals.get(index);
      if (totalPrice === undefined) return null;
      const request = body(index);
      return operationRequest(server, 'Offline.CreateAuthorizedOrder', { ...request, order: { ...request.order, totalPrice } }, randomUUID());
    },
    check: (_index, _status, text) => {
      const status = JSON.parse(text).order?.processingStatus;
      if (status === 'PriceHasBeenChanged') priceChanged++;
      return status === 'Created';
    },
  }), server.postgres);
  const pay = await withCpu(pid, () => runLoad({
    name: 'change status (paid)',
    baseUrl: server.url,
    concurrency: limits.concurrency,
    maxRequests: create.requests,
    maxMs: limits.maxMs,
    request: (index) => operationRequest(server, 'Offline.ChangeStatus', { order: { ids: { iikoOrderId: bill(first + index).orderId } }, orderLinesStatus: 'iikoPaid' }),
    check: (_index, _status, text) => JSON.parse(text).status === 'Success',
  }), server.postgres);
  const row = ({ cpuNote, cpu: _cpu, ...result }: Awaited<typeof preorder>, baseline: BaselineKind, extra?: string): ReportRow => {
    const note = [cpuNote, extra].filter(Boolean).join('; ');
    return note ? { ...result, baseline, note } : { ...result, baseline };
  };
  return [row(preorder, 'read'), row(create, 'write', priceChanged ? `${priceChanged} PriceHasBeenChanged` : undefined), row(pay, 'write')];
}

/** A venue's terminals. */
const VENUE_TERMINALS = 4;

/**
 * A venue's day in miniature: VENUE_TERMINALS terminals, each ringing up bills one after another (preorder,
 * create, payment), while the server's worker handles the events of those same orders (segments, scenarios).
 * On the embedded database the worker and the calls share one connection, so this is where they meet.
 */
async function venuePhase(server: BenchServer, limits: BenchLimits, first: number): Promise<ReportRow[]> {
  const base = loopbackUrl(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: VENUE_TERMINALS });
  const latencies = { preorder: [] as number[], create: [] as number[], pay: [] as number[] };
  const failures = { preorder: 0, create: 0, pay: 0 };
  let next = 0;
  const started = performance.now();
  const deadline = started + limits.maxMs;
  const timed = async (step: keyof typeof latencies, request: LoadRequest): Promise<Record<string, any> | null> => {
    const sent = performance.now();
    try {
      const answer = await send(agent, base, request);
      latencies[step].push(performance.now() - sent);
      if (answer.status !== 200) failures[step]++;
      return answer.status === 200 ? JSON.parse(answer.body) : null;
    } catch {
      failures[step]++;
      return null;
    }
  };
  const terminal = async () => {
    while (next < limits.maxRequests && performance.now() < deadline) {
      const { phone, orderId, pointOfContact, lines } = bill(first + next++);
      const body = { customer: { mobilePhone: phone }, pointOfContact, order: { ids: { iikoOrderId: orderId }, bonusPoints: [{ amount: 300 }], lines } };
      const preorder = await timed('preorder', operationRequest(server, 'Offline.AuthorizedPreorder', body));
      if (preorder?.order?.processingStatus !== 'Calculated') continue;
      const created = await timed('create', operationRequest(server, 'Offline.CreateAuthorizedOrder', { ...body, order: { ...body.order, totalPrice: preorder.order.totalPrice } }, randomUUID()));
      if (created?.order?.processingStatus !== 'Created') continue;
      await timed('pay', operationRequest(server, 'Offline.ChangeStatus', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoPaid' }));
    }
  };
  await Promise.all(Array.from({ length: VENUE_TERMINALS }, terminal));
  const durationMs = performance.now() - started;
  agent.destroy();
  const label = `venue (${VENUE_TERMINALS} terminals)`;
  return [
    { ...summarize(`${label}: preorder`, latencies.preorder, failures.preorder, durationMs), baseline: 'read' },
    { ...summarize(`${label}: create`, latencies.create, failures.create, durationMs), baseline: 'write' },
    { ...summarize(`${label}: payment`, latencies.pay, failures.pay, durationMs), baseline: 'write' },
  ];
}

// bills numbered from here warm the server up (JIT, query plans) and are not reported
const WARM_UP_FIRST = 1_000_000;
// the venue's bills
const VENUE_FIRST = 2_000_000;

export const ordersScenario: BenchScenario = {
  name: 'orders',
  seed: seedOrders,
  async run(server, limits) {
    await cashierPhases(server, { concurrency: 4, maxRequests: 40, maxMs: 60_000 }, WARM_UP_FIRST);
    const phases = await cashierPhases(server, limits, 0);
    return [...phases, ...(await venuePhase(server, limits, VENUE_FIRST))];
  },
};

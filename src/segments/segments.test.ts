// Segments on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL): every condition type, the
// same membership whether one guest is evaluated or everyone is recalculated, entering and leaving as
// events, and the daily recalculation under a fixed clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { changeBalance } from '../loyalty/ledger.service.ts';
import { customerPaidTotal } from '../orders/orders.service.ts';
import { iikoPreset } from '../project/presets/iiko.ts';
import { applyProject } from '../project/project.service.ts';
import type { ProjectInput } from '../project/schemas.ts';
import { dailyRecalculationDay } from './schedule.ts';
import { evaluateCustomerSegments, recalculateAllSegments, runDueRecalculation } from './segments.service.ts';

const DAY = 86_400_000;

async function register(t: TestApp, phone: string, customFields: Record<string, unknown> = {}): Promise<number> {
  const answer = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, customFields } });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  return Number(answer.body.customer.ids.mindboxId);
}

/** A paid order taken offline at `at` (one line of `amount` roubles) in `venue`. */
async function paidOrder(t: TestApp, phone: string, orderId: string, amount: number, at: Date, venue = 'cafe-1'): Promise<void> {
  const answer = await t.call(
    'Offline.SaveOfflineOrder',
    {
      customer: { mobilePhone: phone },
      pointOfContact: venue,
      executionDateTimeUtc: at.toISOString(),
      order: {
        ids: { iikoOrderId: orderId },
        totalPrice: amount,
        lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: amount, product: { ids: { iiko: 'dish' } }, status: { ids: { externalId: 'iikoPaid' } } }],
      },
    },
    { transactionId: randomUUID() },
  );
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
}

async function returnOrder(t: TestApp, orderId: string): Promise<void> {
  const answer = await t.call('Offline.Return', { order: { ids: { iikoOrderId: orderId } }, orderLinesStatus: 'iikoReturn' });
  assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
}

async function membership(t: TestApp): Promise<Record<number, string[]>> {
  const rows = await t.app.db.selectFrom('customer_segments').select(['customer_id', 'segment']).orderBy('customer_id').orderBy('segment').execute();
  const members: Record<number, string[]> = {};
  for (const row of rows) (members[row.customer_id] ??= []).push(row.segment);
  return members;
}

async function rankOf(t: TestApp, phone: string): Promise<unknown> {
  const answer = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: phone } });
  return answer.body.customer.customFields.rank;
}

test('every condition type; evaluating one guest and recalculating everyone give the same membership', async () => {
  const t = await createTestApp({ now: '2026-06-01T09:00:00Z', phoneConfirmation: false });
  try {
    const project = iikoPreset({ phoneConfirmation: false }) as ProjectInput & { customFields: unknown[]; segments: unknown[] };
    project.customFields.push({ entity: 'Customer', systemName: 'Vip', type: 'Boolean' }, { entity: 'Customer', systemName: 'Tags', type: 'String', multiValued: true });
    project.segments.push(
      { systemName: 'Paid5k', name: 'Paid 5 000 in 30 days', conditions: [{ type: 'paidTotal', windowDays: 30, atLeast: 5000 }] },
      { systemName: 'TwoOrders', name: 'Two paid orders in 30 days', conditions: [{ type: 'orderCount', windowDays: 30, atLeast: 2 }] },
      { systemName: 'Vip', name: 'VIP', conditions: [{ type: 'customField', field: 'Vip', equals: true }] },
      { systemName: 'Tagged', name: 'Tagged regular', conditions: [{ type: 'customField', field: 'Tags', equals: 'regular' }] },
      { systemName: 'Confirmed', name: 'Confirmed phone', conditions: [{ type: 'phoneConfirmed', equals: true }] },
      { systemName: 'Newcomers', name: 'Registered this week', conditions: [{ type: 'registeredWithinDays', days: 7 }] },
      { systemName: 'Rich', name: '500 points or more', conditions: [{ type: 'pointsAvailable', balanceType: 'Bonus', atLeast: 500 }] },
      { systemName: 'CafeTwo', name: 'Visited cafe-2 this month', conditions: [{ type: 'visitedVenue', pointOfContact: 'cafe-2', windowDays: 30 }] },
      {
        systemName: 'VipOrConfirmed',
        name: 'VIP or confirmed',
        match: 'any',
        conditions: [
          { type: 'customField', field: 'Vip', equals: true },
          { type: 'phoneConfirmed', equals: true },
        ],
      },
    );
    await applyProject(t.app.db, project);
    await t.app.project.reload();
    const now = t.clock.now;

    t.clock.set(new Date(now.getTime() - 10 * DAY));
    const spender = await register(t, '79005000001');
    const regular = await register(t, '79005000002', { Tags: ['regular', 'wine'] });
    const lapsed = await register(t, '79005000003');
    t.clock.set(now);
    const vip = await register(t, '79005000004', { Vip: true });
    const confirmed = await register(t, '79005000005');

    await paidOrder(t, '79005000001', 'S-1', 6000, new Date(now.getTime() - 5 * DAY));
    await paidOrder(t, '79005000002', 'R-1', 1000, new Date(now.getTime() - 3 * DAY), 'cafe-2');
    await paidOrder(t, '79005000002', 'R-2', 1000, new Date(now.getTime() - 2 * DAY), 'cafe-2');
    await paidOrder(t, '79005000003', 'L-1', 6000, new Date(now.getTime() - 40 * DAY), 'cafe-2');
    await t.app.db.updateTable('customers').set({ is_mobile_phone_confirmed: true }).where('id', '=', confirmed).execute();
    await changeBalance(t.app.db, t.app.project.current, { customerId: confirmed, balanceType: t.app.project.current.balanceType('Bonus')!, amount: 600, reason: 'gift', now }, { source: 'admin', actor: 'test' });

    const expected: Record<number, string[]> = {
      [spender]: ['Paid5k', 'RankBronze'],
      [regular]: ['CafeTwo', 'RankBronze', 'Tagged', 'TwoOrders'],
      [lapsed]: ['RankBronze'],
      [vip]: ['Newcomers', 'RankBronze', 'Vip', 'VipOrConfirmed'],
      [confirmed]: ['Confirmed', 'Newcomers', 'RankBronze', 'Rich', 'VipOrConfirmed'],
    };
    // the orders module's paid total, guest by guest, draws the same line as the set-based statement
    for (const id of [spender, regular, lapsed, vip, confirmed]) {
      const paid = await customerPaidTotal(t.app.db, id, new Date(now.getTime() - 30 * DAY), new Date(now.getTime() + 1));
      assert.equal(paid >= 500_000, expected[id].includes('Paid5k'), `guest ${id} paid ${paid} kopecks`);
    }
    const full = await recalculateAllSegments(t.app.db, t.app.project.current, now, 'manual');
    assert.equal(full?.entered, 16);
    assert.deepEqual(await membership(t), expected);

    await t.app.db.deleteFrom('customer_segments').execute();
    for (const id of [spender, regular, lapsed, vip, confirmed]) await evaluateCustomerSegments(t.app.db, t.app.project.current, id, now, { cause: 'test', depth: 0 });
    assert.deepEqual(await membership(t), expected, 'one guest at a time');

    await returnOrder(t, 'R-2');
    const change = await evaluateCustomerSegments(t.app.db, t.app.project.current, regular, now, { cause: 'orderReturned', depth: 0 });
    assert.deepEqual(change, { entered: 0, left: 1 });
    assert.deepEqual((await membership(t))[regular], ['CafeTwo', 'RankBronze', 'Tagged'], 'a returned order no longer counts');
    assert.deepEqual(await evaluateCustomerSegments(t.app.db, t.app.project.current, regular, now, { cause: 'again', depth: 0 }), { entered: 0, left: 0 });

    const left = await t.app.db.selectFrom('outbox').select('payload').where('topic', '=', 'event').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.deepEqual(left.payload, { type: 'leftSegment', customerId: regular, at: now.toISOString(), data: { segment: 'TwoOrders', cause: 'orderReturned', depth: 0 } });
  } finally {
    await t.close();
  }
});

test('paying past 10 000 makes the guest Silver at once; a return makes them Bronze again; CheckCustomer shows it', async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    const phone = '79005000010';
    await register(t, phone);
    await t.drain();
    assert.equal(await rankOf(t, phone), 'Bronze');

    await paidOrder(t, phone, 'A-1', 6000, t.clock.now);
    await t.drain();
    assert.equal(await rankOf(t, phone), 'Bronze');
    await paidOrder(t, phone, 'A-2', 4000, t.clock.now);
    await t.drain();
    assert.equal(await rankOf(t, phone), 'Silver', '10 000 paid in a year');

    await returnOrder(t, 'A-2');
    await t.drain();
    assert.equal(await rankOf(t, phone), 'Bronze');
    const segments = (await t.admin('GET', '/api/admin/segments')).body.items;
    assert.deepEqual(
      segments.map((segment: any) => [segment.systemName, segment.size]).sort(),
      [
        ['RankBronze', 1],
        ['RankGold', 0],
        ['RankSilver', 0],
      ],
    );
  } finally {
    await t.close();
  }
});

test('the daily recalculation runs once a day at the configured local time and catches a year that aged', async () => {
  // 12:00 in Moscow
  const t = await createTestApp({ now: '2026-01-10T09:00:00Z', phoneConfirmation: false });
  try {
    const phone = '79005000020';
    await register(t, phone);
    await paidOrder(t, phone, 'D-1', 12000, t.clock.now);
    await t.drain();
    assert.equal(await rankOf(t, phone), 'Silver');

    const first = await runDueRecalculation(t.app);
    assert.equal(first?.reason, 'definitions', 'the first run computes membership under the current definitions');
    assert.deepEqual([first?.entered, first?.left], [0, 0], 'the events kept it current already');
    assert.equal(await runDueRecalculation(t.app), null, "today's run is done: it ran after 03:00");

    t.clock.set('2027-01-10T23:30:00Z'); // 02:30 on 11 January in Moscow: the order is 366 days old
    assert.equal(await runDueRecalculation(t.app), null, 'not before 03:00');
    assert.equal(await rankOf(t, phone), 'Silver');

    t.clock.set('2027-01-11T00:05:00Z'); // 03:05 in Moscow
    const daily = await runDueRecalculation(t.app);
    assert.deepEqual([daily?.reason, daily?.localDay, daily?.entered, daily?.left], ['daily', '2027-01-11', 1, 1]);
    assert.equal(await runDueRecalculation(t.app), null, 'once a day');
    await t.drain();
    assert.equal(await rankOf(t, phone), 'Bronze', 'left RankSilver, entered RankBronze, the Rank scenario followed');

    const history = (await t.admin('GET', '/api/admin/segments/recalculations')).body.items;
    assert.deepEqual(
      history.map((run: any) => [run.reason, run.localDay, run.entered, run.left]),
      [
        ['daily', '2027-01-11', 1, 1],
        ['definitions', '2026-01-10', 0, 0],
      ],
    );

    const project = iikoPreset({ phoneConfirmation: false }) as ProjectInput & { settings: Record<string, unknown>; segments: any[] };
    project.settings.segmentRecalculationTime = '05:30';
    for (const segment of project.segments) for (const condition of segment.conditions) if (condition.atLeast === 50000) condition.atLeast = 40000;
    for (const segment of project.segments) for (const condition of segment.conditions) if (condition.below === 50000) condition.below = 40000;
    await applyProject(t.app.db, project);
    await t.app.project.reload();
    const changed = await runDueRecalculation(t.app);
    assert.equal(changed?.reason, 'definitions', 'a changed definition is recalculated without waiting for the night');
    t.clock.set('2027-01-12T02:00:00Z'); // 05:00 in Moscow
    assert.equal(await runDueRecalculation(t.app), null, 'the configured time is 05:30 now');
    t.clock.set('2027-01-12T02:31:00Z');
    assert.equal((await runDueRecalculation(t.app))?.reason, 'daily');
  } finally {
    await t.close();
  }
});

test('the schedule follows the wall clock of the project time zone', () => {
  const settings = { timeZone: 'Europe/Moscow', segmentRecalculationTime: '03:00' };
  assert.equal(dailyRecalculationDay(new Date('2026-06-01T00:00:00Z'), settings), '2026-06-01', '03:00 in Moscow');
  assert.equal(dailyRecalculationDay(new Date('2026-05-31T23:59:00Z'), settings), null, '02:59 in Moscow');
  assert.equal(dailyRecalculationDay(new Date('2026-05-31T20:59:00Z'), settings), '2026-05-31', 'late in the evening the day is still due');
  assert.equal(dailyRecalculationDay(new Date('2026-05-31T21:00:00Z'), { ...settings, segmentRecalculationTime: '00:00' }), '2026-06-01');
  const newYork = { timeZone: 'America/New_York', segmentRecalculationTime: '02:30' };
  assert.equal(dailyRecalculationDay(new Date('2026-03-08T06:59:00Z'), newYork), null, '01:59 in New York');
  assert.equal(dailyRecalculationDay(new Date('2026-03-08T07:00:00Z'), newYork), '2026-03-08', 'the clock jumps from 02:00 over 02:30 to 03:00');
});

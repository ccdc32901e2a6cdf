// The simulation of a proposed program (issue 15): the guests it would move between levels, a sample bill priced
// by both programs, the paid orders of the last days replayed under both — the numbers a marketer sees, through
// the admin API, with nothing written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { addUser } from '../src/admin/users.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';

interface Session {
  cookie: string;
  csrfToken: string;
}

const NOW = '2026-11-29T12:00:00Z';
const TODAY = '2026-11-29T09:00:00Z';
const EARLIER = '2026-11-20T12:00:00Z';

describe('simulating a proposed program', () => {
  let t: TestApp;
  let marketer: Session;
  let viewer: Session;
  const guests: Record<'gold' | 'silver' | 'bronze', number> = { gold: 0, silver: 0, bronze: 0 };

  async function session(name: string, password: string): Promise<Session> {
    const answer = await t.server.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name, password }) });
    assert.equal(answer.statusCode, 200, answer.body);
    return { cookie: String(answer.headers['set-cookie']).split(';')[0], csrfToken: answer.json().csrfToken };
  }

  async function simulate(who: Session, body: Record<string, unknown>) {
    const answer = await t.server.inject({
      method: 'POST',
      url: '/api/admin/project/simulate',
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return { status: answer.statusCode, body: answer.json() };
  }

  /** The stored project changed by `edit`, as a file. */
  async function proposed(edit: (project: any) => void): Promise<string> {
    const project = (await t.admin('GET', '/api/admin/project')).body;
    edit(project);
    return YAML.stringify(project);
  }

  /** Gold earns 12 % instead of 10 % and gets 10 % off; Silver starts at 15 000 instead of 10 000. */
  const goldAndSilver = () =>
    proposed((project) => {
      project.promotions.find((p: any) => p.systemName === 'EarnGold').percent = 12;
      project.promotions.push({ systemName: 'GoldDiscount', name: 'Скидка 10 % (Gold)', kind: 'discount', percent: 10, scope: 'order', customField: { name: 'Rank', equals: 'Gold' } });
      project.segments.find((s: any) => s.systemName === 'RankSilver').conditions[0].atLeast = 15000;
      project.segments.find((s: any) => s.systemName === 'RankBronze').conditions[0].below = 15000;
    });

  async function paidOrder(phone: string, orderId: string, price: number) {
    const answer = await t.call('Offline.CreateAuthorizedOrder', {
      customer: { mobilePhone: phone },
      pointOfContact: 'cafe-1',
      order: {
        ids: { iikoOrderId: orderId },
        payments: [{ type: 'card', amount: price }],
        totalPrice: price,
        lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: price, product: { ids: { iiko: 'banquet' } }, status: { ids: { externalId: 'iikoPaid' } } }],
      },
    });
    assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
  }

  async function guestWith(phone: string, name: string, paid: number, at: string): Promise<number> {
    const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: phone, firstName: name } });
    assert.equal(registered.body.status, 'Success', JSON.stringify(registered.body));
    t.clock.set(at);
    await paidOrder(phone, `order-${phone}`, paid);
    t.clock.set(NOW);
    return Number(registered.body.customer.ids.mindboxId);
  }

  before(async () => {
    t = await createTestApp({ now: NOW, phoneConfirmation: false });
    await addUser(t.app.db, { name: 'mark', role: 'marketer', password: 'marketer-password-1' });
    await addUser(t.app.db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    marketer = await session('mark', 'marketer-password-1');
    viewer = await session('vera', 'viewer-password-1');
    guests.gold = await guestWith('79160000001', 'Анна', 60000, TODAY);
    guests.silver = await guestWith('79160000002', 'Борис', 12000, TODAY);
    guests.bronze = await guestWith('79160000003', 'Вера', 5000, EARLIER);
    await t.drain(); // the segments and the Rank scenario: Gold, Silver, Bronze
    const ranks = await t.app.db.selectFrom('customers').select(['id', 'custom_fields']).orderBy('id').execute();
    assert.deepEqual(ranks.map((row) => (row.custom_fields as any).Rank), ['Gold', 'Silver', 'Bronze']);
  });
  after(async () => t.close());

  test('the replay: each paid order priced by both programs, per day and in total', async () => {
    const answer = await simulate(marketer, { content: await goldAndSilver() });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { replay } = answer.body;
    assert.equal(replay.orders, 3);
    assert.equal(replay.complete, true);
    // current: Gold 10 % of 60 000, Silver 7 % of 12 000, Bronze 5 % of 5 000
    assert.deepEqual(replay.current, { discount: 0, pointsEarned: 6000 + 840 + 250, pointsSpent: 0 });
    // proposed: Gold 10 % off 60 000 and 12 % of the 54 000 left; the Silver guest is Bronze at 12 000: 5 %
    assert.deepEqual(replay.proposed, { discount: 6000, pointsEarned: 6480 + 600 + 250, pointsSpent: 0 });
    assert.deepEqual(
      replay.perDay.map((day: any) => [day.day, day.orders, day.current.pointsEarned, day.proposed.pointsEarned, day.proposed.discount]),
      [
        ['2026-11-20', 1, 250, 250, 0],
        ['2026-11-29', 2, 6840, 7080, 6000],
      ],
    );
    assert.deepEqual(answer.body.changed.sort(), ['promotions/EarnGold', 'promotions/GoldDiscount', 'segments/RankBronze', 'segments/RankSilver']);

    const lastWeek = await simulate(marketer, { content: await goldAndSilver(), days: 7 });
    assert.equal(lastWeek.body.replay.orders, 2, 'the order of nine days ago is outside the last 7 days');
  });

  test('the guests whose level and segments would change, counted and named', async () => {
    const { body } = await simulate(marketer, { content: await goldAndSilver() });
    assert.deepEqual(body.guests.levels, [{ from: 'Silver', to: 'Bronze', guests: 1, sample: [{ id: guests.silver, name: 'Борис' }] }]);
    assert.deepEqual(body.guests.segments, [
      { segment: 'RankBronze', entering: 1, leaving: 0, enteringSample: [{ id: guests.silver, name: 'Борис' }], leavingSample: [] },
      { segment: 'RankSilver', entering: 0, leaving: 1, enteringSample: [], leavingSample: [{ id: guests.silver, name: 'Борис' }] },
    ]);
    const none = await simulate(marketer, { content: await proposed(() => {}) });
    assert.deepEqual([none.body.changed, none.body.guests, none.body.replay.current], [[], { segments: [], levels: [] }, none.body.replay.proposed]);
  });

  test('a sample bill, for a guest and for a guest of a level, side by side', async () => {
    const content = await goldAndSilver();
    const ofLevel = await simulate(marketer, { content, bill: { level: 'RankGold', lines: [{ productId: 'steak', quantity: 2, price: 1000 }] } });
    assert.equal(ofLevel.status, 200, JSON.stringify(ofLevel.body));
    const { current, proposed: next } = ofLevel.body.bill;
    assert.deepEqual([current.level, current.subtotal, current.discount, current.pointsEarned, current.toPay], ['Gold', 2000, 0, 200, 2000]);
    assert.deepEqual([next.level, next.subtotal, next.discount, next.pointsEarned, next.toPay], ['Gold', 2000, 200, 216, 1800]);
    assert.deepEqual(next.lines[0], {
      lineNumber: 1,
      productId: 'steak',
      name: null,
      quantity: 2,
      price: 1000,
      total: 2000,
      discounts: [{ promotion: 'GoldDiscount', name: 'Скидка 10 % (Gold)', amount: 200 }],
      pointsSpent: 0,
      pointsEarned: 216,
      toPay: 1800,
    });

    const silver = await simulate(marketer, { content, bill: { customerId: guests.silver, lines: [{ productId: 'steak', quantity: 2, price: 1000 }] } });
    assert.deepEqual(
      [silver.body.bill.current.level, silver.body.bill.current.pointsEarned, silver.body.bill.proposed.level, silver.body.bill.proposed.pointsEarned],
      ['Silver', 140, 'Bronze', 100],
    );

    const noPrice = await simulate(marketer, { content, bill: { lines: [{ productId: 'steak' }] } });
    assert.equal(noPrice.status, 400);
    assert.match(JSON.stringify(noPrice.body), /the catalogue has no price for \\"steak\\"/);
  });

  test('nothing is written; a viewer may not simulate; a file with problems answers them', async () => {
    const before = {
      version: t.app.project.current.version,
      membership: await t.app.db.selectFrom('customer_segments').select(['customer_id', 'segment']).orderBy('customer_id').execute(),
      outbox: (await t.app.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
    };
    assert.equal((await simulate(marketer, { content: await goldAndSilver() })).status, 200);
    assert.deepEqual(
      {
        version: t.app.project.current.version,
        membership: await t.app.db.selectFrom('customer_segments').select(['customer_id', 'segment']).orderBy('customer_id').execute(),
        outbox: (await t.app.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
      },
      before,
    );
    assert.equal((await t.admin('GET', '/api/admin/project/versions')).body.items.length, 1);

    const refused = await simulate(viewer, { content: await goldAndSilver() });
    assert.equal(refused.status, 403);

    const broken = await simulate(marketer, { content: await proposed((project) => (project.promotions[0].balanceType = 'Nope')) });
    assert.equal(broken.status, 200);
    assert.equal(broken.body.ok, false);
    assert.ok(broken.body.problems.some((problem: any) => problem.path.startsWith('/promotions/0')), JSON.stringify(broken.body.problems));
  });
});

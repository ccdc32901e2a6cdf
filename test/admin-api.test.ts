// The admin API as the console and scripts use it: sign-in with users and roles, session cookies, CSRF,
// the admin token, and every console endpoint over real data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { addUser } from '../src/admin/users.service.ts';
import { insertCustomer } from '../src/customers/customers.repository.ts';
import { accruePoints } from '../src/loyalty/ledger.service.ts';
import { insertOperationLogEntries } from '../src/protocol/mindbox/protocol.repository.ts';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from './support/app.ts';

interface Session {
  cookie: string;
  csrfToken: string;
}

describe('admin API', () => {
  let t: TestApp;
  let owner: Session;
  let marketer: Session;
  let viewer: Session;
  let annaId: number;

  async function signIn(body: Record<string, string>) {
    return t.server.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  }

  async function session(name: string, password: string): Promise<Session> {
    const answer = await signIn({ name, password });
    assert.equal(answer.statusCode, 200, answer.body);
    const cookie = String(answer.headers['set-cookie']).split(';')[0];
    return { cookie, csrfToken: answer.json().csrfToken };
  }

  async function as(who: Session | null, method: 'GET' | 'POST', url: string, body?: unknown, options: { csrf?: boolean } = {}) {
    const headers: Record<string, string> = {};
    if (who) headers.cookie = who.cookie;
    if (who && options.csrf !== false) headers['x-csrf-token'] = who.csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const answer = await t.server.inject({ method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body) });
    return { status: answer.statusCode, body: answer.body ? (answer.headers['content-type']?.toString().includes('json') ? answer.json() : answer.body) : null, headers: answer.headers };
  }

  before(async () => {
    t = await createTestApp({ now: '2026-11-29T12:00:00Z' });
    const db = t.app.db;
    await addUser(db, { name: 'olga', role: 'owner', password: 'owner-password-1' });
    await addUser(db, { name: 'mark', role: 'marketer', password: 'marketer-password-1' });
    await addUser(db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    const anna = await insertCustomer(db, {
      mobile_phone: '79001234567',
      is_mobile_phone_confirmed: true,
      first_name: 'Анна',
      last_name: 'Смирнова',
      discount_card: '4000123',
      custom_fields: JSON.stringify({ Rank: 'Gold' }),
      created_at: new Date('2026-11-20T09:00:00Z'),
    });
    annaId = anna.id;
    await insertCustomer(db, { mobile_phone: '79007654321', first_name: 'Борис', last_name: 'Смирнов', custom_fields: JSON.stringify({ Rank: 'Silver' }), created_at: new Date('2026-11-28T09:00:00Z') });
    await insertCustomer(db, { mobile_phone: '79001112233', first_name: 'Вика', last_name: 'Ким', custom_fields: '{}', created_at: new Date('2026-10-01T09:00:00Z') });
    const bonus = t.app.project.current.balanceType('Bonus')!;
    await accruePoints(
      db,
      t.app.project.current,
      { customerId: annaId, balanceType: bonus, amount: 120, activeFrom: new Date('2026-11-28T10:00:00Z'), expiresAt: new Date('2027-11-28T10:00:00Z'), reason: 'Начислено за заказ 1001 (5 % от 2 400 ₽)', now: new Date('2026-11-28T10:00:00Z') },
      { source: 'operation', operation: 'Offline.ChangeStatus' },
    );
    await insertOperationLogEntries(db, [{
      at: new Date('2026-11-28T10:00:00Z'),
      integrationPoint: 'iiko',
      operation: 'Offline.CheckCustomer',
      mode: 'sync',
      status: 'ValidationError',
      httpStatus: 200,
      durationMs: 4,
      transactionId: null,
      requestId: 'req-1',
      errorId: null,
      request: JSON.stringify({ customer: { mobilePhone: '7******67' } }),
      response: JSON.stringify({ status: 'ValidationError', validationMessages: [{ message: 'is not a valid mobile phone number', location: '/customer/mobilePhone' }] }),
      notes: [],
    }]);
    const offlineOrder = (id: string, at: string, pointOfContact: string, price: number, phone?: string) =>
      t.call(
        'Offline.SaveOfflineOrder',
        {
          ...(phone ? { customer: { mobilePhone: phone } } : {}),
          pointOfContact,
          executionDateTimeUtc: at,
          order: { ids: { iikoOrderId: id }, totalPrice: price, payments: [{ type: 'Cash', amount: price }], lines: [{ product: { ids: { iiko: 'latte' } }, quantity: 1, basePricePerItem: price }] },
        },
        { transactionId: randomUUID() },
      );
    for (const answer of [
      await offlineOrder('A-1', '2026-11-28 10:00:00.000', 'cafe-arbat', 2400, '79001234567'),
      await offlineOrder('A-2', '2026-11-28 11:00:00.000', 'cafe-arbat', 500),
      await offlineOrder('T-1', '2026-11-27 10:00:00.000', 'cafe-tver', 800, '79007654321'),
    ])
      assert.equal(answer.body.order?.processingStatus, 'Created', JSON.stringify(answer.body));
    owner = await session('olga', 'owner-password-1');
    marketer = await session('mark', 'marketer-password-1');
    viewer = await session('vera', 'viewer-password-1');
  });
  after(() => t.close());

  describe('signing in', () => {
    test('a wrong password or an unknown name is refused alike, and nothing is set', async () => {
      for (const body of [{ name: 'olga', password: 'wrong-password' }, { name: 'nobody', password: 'owner-password-1' }]) {
        const answer = await signIn(body);
        assert.equal(answer.statusCode, 401);
        assert.equal(answer.json().error, 'wrong name or password');
        assert.equal(answer.headers['set-cookie'], undefined);
      }
    });

    test('the session cookie is httpOnly and SameSite, and stored only as a hash', async () => {
      const answer = await signIn({ name: 'olga', password: 'owner-password-1' });
      const cookie = String(answer.headers['set-cookie']);
      assert.match(cookie, /^regulars_session=[A-Za-z0-9_-]{40,};/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.deepEqual(answer.json().user, { name: 'olga', role: 'owner' });
      const id = cookie.split(';')[0].split('=')[1];
      const stored = await t.app.db.selectFrom('admin_sessions').select('id_hash').execute();
      assert.ok(stored.length >= 1);
      assert.ok(stored.every((row) => row.id_hash !== id));
    });

    test('the session cookie is Secure behind an https proxy only when the server is told to trust it', async () => {
      const headers = { 'content-type': 'application/json', 'x-forwarded-proto': 'https' };
      const payload = JSON.stringify({ name: 'olga', password: 'owner-password-1' });
      const direct = await t.server.inject({ method: 'POST', url: '/api/auth/login', headers, payload });
      assert.doesNotMatch(String(direct.headers['set-cookie']), /Secure/);
      const proxied = await createTestApp({ env: { REGULARS_TRUST_PROXY: 'true' } });
      try {
        await addUser(proxied.app.db, { name: 'olga', role: 'owner', password: 'owner-password-1' });
        const viaProxy = await proxied.server.inject({ method: 'POST', url: '/api/auth/login', headers, payload });
        assert.match(String(viaProxy.headers['set-cookie']), /; Secure/);
        const plain = await proxied.server.inject({ method: 'POST', url: '/api/auth/login', headers: { ...headers, 'x-forwarded-proto': 'http' }, payload });
        assert.doesNotMatch(String(plain.headers['set-cookie']), /Secure/);
      } finally {
        await proxied.close();
      }
    });

    test('the session answers who is signed in; without a cookie or token the API is 401', async () => {
      const me = await as(viewer, 'GET', '/api/admin/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.name, 'vera');
      assert.equal(me.body.role, 'viewer');
      assert.equal((await as(null, 'GET', '/api/admin/me')).status, 401);
      assert.equal((await as({ cookie: 'regulars_session=forged', csrfToken: 'x' }, 'GET', '/api/admin/me')).status, 401);
      const current = await as(viewer, 'GET', '/api/auth/session');
      assert.equal(current.body.csrfToken, viewer.csrfToken);
    });

    test('the admin token still works for scripts, as an owner, without CSRF', async () => {
      const me = await t.admin('GET', '/api/admin/me');
      assert.equal(me.httpStatus, 200);
      assert.equal(me.body.role, 'owner');
      assert.equal(me.body.via, 'token');
      const wrong = await t.server.inject({ method: 'GET', url: '/api/admin/me', headers: { authorization: 'Bearer nope-nope-nope' } });
      assert.equal(wrong.statusCode, 401);
    });

    test('the admin token also opens a console session (for a fresh installation without users)', async () => {
      const answer = await signIn({ token: TEST_ADMIN_TOKEN });
      assert.equal(answer.statusCode, 200);
      assert.deepEqual(answer.json().user, { name: 'admin token', role: 'owner' });
      assert.equal((await signIn({ token: 'not-the-token-at-all' })).statusCode, 401);
    });

    test('signing out ends the session for good', async () => {
      const mine = await session('mark', 'marketer-password-1');
      assert.equal((await as(mine, 'POST', '/api/auth/logout', {}, { csrf: false })).status, 403);
      const out = await as(mine, 'POST', '/api/auth/logout', {});
      assert.equal(out.status, 200);
      assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
      assert.equal((await as(mine, 'GET', '/api/admin/me')).status, 401);
    });

    test('after five failed sign-ins an account waits, from any address, even with the right password; the others at that address sign in', async () => {
      await addUser(t.app.db, { name: 'lena', role: 'marketer', password: 'lena-password-1' });
      const attempt = (name: string, password: string, remoteAddress = '192.0.2.7') =>
        t.server.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name, password }) });
      for (let i = 0; i < 5; i += 1) assert.equal((await attempt('lena', 'guess-' + i)).statusCode, 401);
      const refused = await attempt('lena', 'lena-password-1');
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.headers['retry-after'], '30', 'Retry-After says how long to wait');
      assert.equal((await attempt('lena', 'lena-password-1', '198.51.100.1')).statusCode, 429, 'another address does not help');
      assert.equal((await attempt('vera', 'viewer-password-1')).statusCode, 200, 'a colleague at the same address signs in');
      t.clock.advance(30_000);
      try {
        assert.equal((await attempt('lena', 'lena-password-1')).statusCode, 200);
      } finally {
        t.clock.set('2026-11-29T12:00:00Z');
      }
    });

    test('failed sign-ins count by the client X-Forwarded-For names only when the proxy is trusted', async () => {
      const attempt = (server: typeof t.server, forwardedFor: string, name: string, password: string) =>
        server.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '10.0.0.9',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          payload: JSON.stringify({ name, password }),
        });
      // an address may fail 50 times (across accounts) before it waits
      for (let i = 0; i < 50; i += 1) assert.equal((await attempt(t.server, `198.51.100.${i}`, `guesser-${i}`, 'guess')).statusCode, 401);
      assert.equal((await attempt(t.server, '198.51.100.99', 'vera', 'viewer-password-1')).statusCode, 429, 'untrusted, the header is ignored: one address');
      const proxied = await createTestApp({ env: { REGULARS_TRUST_PROXY: 'true' } });
      try {
        await addUser(proxied.app.db, { name: 'olga', role: 'owner', password: 'owner-password-1' });
        for (let i = 0; i < 50; i += 1) assert.equal((await attempt(proxied.server, '203.0.113.5', `guesser-${i}`, 'guess')).statusCode, 401);
        assert.equal((await attempt(proxied.server, '203.0.113.5', 'olga', 'owner-password-1')).statusCode, 429);
        assert.equal((await attempt(proxied.server, '192.0.2.1, 203.0.113.5', 'olga', 'owner-password-1')).statusCode, 429, 'an address the client wrote before the proxy entry does not count');
        assert.equal((await attempt(proxied.server, '203.0.113.6', 'olga', 'owner-password-1')).statusCode, 200, 'another guest behind the same proxy signs in');
      } finally {
        await proxied.close();
      }
    });

    test('a session expires after 12 idle hours', async () => {
      const mine = await session('vera', 'viewer-password-1');
      t.clock.advance(13 * 3_600_000);
      try {
        assert.equal((await as(mine, 'GET', '/api/admin/me')).status, 401);
      } finally {
        t.clock.set('2026-11-29T12:00:00Z');
      }
    });
  });

  describe('CSRF and roles', () => {
    const file = () => ({ content: YAML.stringify({ settings: { timeZone: 'Europe/Moscow', codeMaxAttempts: 4 } }) });

    test('a change with the session cookie but without the CSRF header is refused', async () => {
      const answer = await as(owner, 'POST', '/api/admin/project/apply', file(), { csrf: false });
      assert.equal(answer.status, 403);
      assert.match(answer.body.error, /CSRF/);
      const wrong = await as({ ...owner, csrfToken: 'a'.repeat(43) }, 'POST', '/api/admin/project/apply', file());
      assert.equal(wrong.status, 403);
    });

    test('a viewer and a marketer cannot apply a project; an owner can', async () => {
      const refusedViewer = await as(viewer, 'POST', '/api/admin/project/apply', file());
      assert.equal(refusedViewer.status, 403);
      assert.match(refusedViewer.body.error, /viewer may not/);
      assert.equal((await as(marketer, 'POST', '/api/admin/project/apply', file())).status, 403);
      const applied = await as(owner, 'POST', '/api/admin/project/apply', file());
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      assert.deepEqual(applied.body.changed, ['settings/project']);
      assert.equal(t.app.project.current.settings.codeMaxAttempts, 4);
    });

    test('a viewer may read every page, but not change anything, nor plan a change', async () => {
      for (const url of ['/api/admin/customers', `/api/admin/customers/${annaId}`, '/api/admin/dashboard', '/api/admin/operation-log', '/api/admin/project', '/api/admin/segments', '/api/admin/scenarios']) {
        assert.equal((await as(viewer, 'GET', url)).status, 200, url);
      }
      assert.equal((await as(viewer, 'POST', '/api/admin/project/plan', file())).status, 403);
      const settings = { content: YAML.stringify({ settings: { timeZone: 'Europe/Moscow', codeMaxAttempts: 3 } }) };
      assert.equal((await as(marketer, 'POST', '/api/admin/project/plan', settings)).status, 403, 'a plan is for those who may apply it: settings are an owner’s');
      assert.equal((await as(owner, 'POST', '/api/admin/project/plan', file())).status, 200);
      assert.equal((await as(viewer, 'GET', '/api/admin/users')).status, 403);
    });
  });

  describe('guests', () => {
    test('a phone typed in any format finds the guest', async () => {
      for (const q of ['8 (900) 123-45-67', '+7 900 123 45 67', '9001234567', '79001234567']) {
        const found = await as(viewer, 'GET', `/api/admin/customers?q=${encodeURIComponent(q)}`);
        assert.deepEqual(found.body.items.map((g: { id: number }) => g.id), [annaId], q);
      }
    });

    test('a card number and the start of a name find guests too; a name matches last and first names', async () => {
      const card = await as(viewer, 'GET', '/api/admin/customers?q=4000123');
      assert.deepEqual(card.body.items.map((g: { firstName: string }) => g.firstName), ['Анна']);
      const surname = await as(viewer, 'GET', `/api/admin/customers?q=${encodeURIComponent('смирн')}`);
      assert.deepEqual(surname.body.items.map((g: { firstName: string }) => g.firstName).sort(), ['Анна', 'Борис']);
      const full = await as(viewer, 'GET', `/api/admin/customers?q=${encodeURIComponent('Смирнова Ан')}`);
      assert.deepEqual(full.body.items.map((g: { firstName: string }) => g.firstName), ['Анна']);
      const first = await as(viewer, 'GET', `/api/admin/customers?q=${encodeURIComponent('вика')}`);
      assert.deepEqual(first.body.items.map((g: { lastName: string }) => g.lastName), ['Ким']);
    });

    test('the newest guests come in pages', async () => {
      const page1 = await as(viewer, 'GET', '/api/admin/customers?limit=2');
      assert.equal(page1.body.items.length, 2);
      assert.ok(page1.body.next);
      const page2 = await as(viewer, 'GET', `/api/admin/customers?limit=2&before=${page1.body.next}`);
      assert.equal(page2.body.items.length, 1);
      assert.equal(page2.body.next, null);
    });

    test("the guest card shows rank, confirmed phone and the balance computed from the ledger", async () => {
      const card = await as(viewer, 'GET', `/api/admin/customers/${annaId}`);
      assert.equal(card.status, 200);
      assert.equal(card.body.rank, 'Gold');
      assert.equal(card.body.mobilePhone, '79001234567');
      assert.equal(card.body.isMobilePhoneConfirmed, true);
      const bonus = card.body.balances.find((b: { systemName: string }) => b.systemName === 'Bonus');
      // 120 seeded and 240 for the Gold guest's offline order A-1
      assert.equal(bonus.total, 360);
      assert.equal(bonus.available, 360);
      assert.deepEqual(card.body.segments, []);
      assert.equal((await as(viewer, 'GET', '/api/admin/customers/999999')).status, 404);
      assert.equal((await as(viewer, 'GET', '/api/admin/customers/abc')).status, 400);
    });
  });

  describe('dashboard', () => {
    test('guests, new guests, points and ranks per day', async () => {
      const answer = await as(viewer, 'GET', '/api/admin/dashboard?from=2026-11-27&to=2026-11-29');
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const body = answer.body;
      assert.deepEqual(body.guests.perDay.map((d: { day: string }) => d.day), ['2026-11-27', '2026-11-28', '2026-11-29']);
      assert.equal(body.guests.before, 2);
      assert.deepEqual(body.guests.perDay.map((d: { new: number }) => d.new), [0, 1, 0]);
      assert.deepEqual(body.guests.perDay.map((d: { total: number }) => d.total), [2, 3, 3]);
      // 120 seeded on the 28th; the offline orders' points (Gold 10 % of 2 400, Silver 7 % of 800) are credited when they arrive, on the 29th
      assert.deepEqual(body.points.perDay.map((d: { earned: number }) => d.earned), [0, 120, 296]);
      assert.deepEqual(body.orders.perDay.map((d: { orders: number }) => d.orders), [1, 2, 0]);
      assert.deepEqual(body.orders.perDay.map((d: { withGuest: number }) => d.withGuest), [1, 1, 0]);
      assert.deepEqual(body.orders.perDay.map((d: { revenue: number }) => d.revenue), [800, 2900, 0]);
      assert.deepEqual(body.orders.perDay.map((d: { revenueAnonymous: number }) => d.revenueAnonymous), [0, 500, 0]);
      assert.deepEqual(body.venues, ['cafe-arbat', 'cafe-tver']);
      assert.deepEqual(body.messages.perDay.map((d: { failed: number }) => d.failed), [0, 0, 0]);
      const ranks = Object.fromEntries(body.ranks.map((r: { rank: string | null; guests: number }) => [r.rank ?? 'none', r.guests]));
      assert.deepEqual(ranks, { Gold: 1, Silver: 1, none: 1 });
    });

    test('the venue filter narrows orders, revenue and the points of orders made there, and says so', async () => {
      const tver = (await as(viewer, 'GET', '/api/admin/dashboard?from=2026-11-27&to=2026-11-29&pointOfContact=cafe-tver')).body;
      assert.deepEqual(tver.orders.perDay.map((d: { orders: number }) => d.orders), [1, 0, 0]);
      assert.deepEqual(tver.orders.perDay.map((d: { revenue: number }) => d.revenue), [800, 0, 0]);
      // Silver 7 % of 800, credited when the offline order arrived; the 120 adjusted by hand belong to no venue
      assert.deepEqual(tver.points.perDay.map((d: { earned: number }) => d.earned), [0, 0, 56]);
      assert.deepEqual(tver.points.perDay.map((d: { expired: number | null }) => d.expired), [null, null, null]);
      assert.deepEqual(tver.narrowedByVenue, ['orders', 'revenue', 'pointsEarned', 'pointsSpent', 'pointsReturned']);
      assert.deepEqual(tver.guests.perDay.map((d: { total: number }) => d.total), [2, 3, 3], 'guests carry no venue');
      const arbat = (await as(viewer, 'GET', '/api/admin/dashboard?from=2026-11-27&to=2026-11-29&pointOfContact=cafe-arbat')).body;
      assert.deepEqual(arbat.points.perDay.map((d: { earned: number }) => d.earned), [0, 0, 240]);
      const all = (await as(viewer, 'GET', '/api/admin/dashboard?from=2026-11-27&to=2026-11-29')).body;
      assert.deepEqual(all.narrowedByVenue, []);
      assert.deepEqual(all.points.perDay.map((d: { expired: number | null }) => d.expired), [0, 0, 0]);
    });

    test('a day is a day of the project time zone', async () => {
      // 2026-11-28T22:30Z is already 29 November in Moscow
      await insertCustomer(t.app.db, { mobile_phone: '79005550000', custom_fields: '{}', created_at: new Date('2026-11-28T22:30:00Z') });
      const answer = await as(viewer, 'GET', '/api/admin/dashboard?from=2026-11-29&to=2026-11-29');
      assert.equal(answer.body.guests.perDay[0].new, 1);
    });

    test('a backwards or too long range is refused', async () => {
      assert.equal((await as(viewer, 'GET', '/api/admin/dashboard?from=2026-11-29&to=2026-11-01')).status, 400);
      assert.equal((await as(viewer, 'GET', '/api/admin/dashboard?from=2020-01-01&to=2026-11-01')).status, 400);
      assert.equal((await as(viewer, 'GET', '/api/admin/dashboard?from=yesterday')).status, 400);
    });
  });

  describe('orders', () => {
    test('the list is newest first, filters by venue, guest, status and dates, and pages by a cursor', async () => {
      const all = await as(viewer, 'GET', '/api/admin/orders');
      assert.deepEqual(all.body.items.map((o: { ids: { iikoOrderId: string } }) => o.ids.iikoOrderId), ['A-2', 'A-1', 'T-1']);
      assert.equal(all.body.items[1].totalPrice, 2400);
      assert.deepEqual(all.body.items[1].statuses, ['iikoPaid']);
      const venue = await as(viewer, 'GET', '/api/admin/orders?pointOfContact=cafe-tver');
      assert.deepEqual(venue.body.items.map((o: { ids: { iikoOrderId: string } }) => o.ids.iikoOrderId), ['T-1']);
      const guest = await as(viewer, 'GET', `/api/admin/orders?customerId=${annaId}`);
      assert.deepEqual(guest.body.items.map((o: { ids: { iikoOrderId: string } }) => o.ids.iikoOrderId), ['A-1']);
      assert.equal((await as(viewer, 'GET', '/api/admin/orders?status=iikoReturn')).body.items.length, 0);
      const day = await as(viewer, 'GET', '/api/admin/orders?from=2026-11-27&to=2026-11-27');
      assert.deepEqual(day.body.items.map((o: { ids: { iikoOrderId: string } }) => o.ids.iikoOrderId), ['T-1']);
      const first = await as(viewer, 'GET', '/api/admin/orders?limit=2');
      assert.ok(first.body.next);
      const second = await as(viewer, 'GET', `/api/admin/orders?limit=2&before=${encodeURIComponent(first.body.next)}`);
      assert.deepEqual(second.body.items.map((o: { ids: { iikoOrderId: string } }) => o.ids.iikoOrderId), ['T-1']);
      assert.equal(second.body.next, null);
      assert.equal((await as(viewer, 'GET', '/api/admin/orders?before=garbage')).status, 400);
    });

    test('an order opens with its lines, promotions, points and status history', async () => {
      const listed = await as(viewer, 'GET', `/api/admin/orders?customerId=${annaId}`);
      const order = await as(viewer, 'GET', `/api/admin/orders/${listed.body.items[0].id}`);
      assert.equal(order.body.lines.length, 1);
      assert.equal(order.body.lines[0].status, 'iikoPaid');
      assert.equal(order.body.lines[0].pointsEarned, 240);
      assert.ok(Array.isArray(order.body.lines[0].appliedPromotions));
      assert.ok(order.body.history.some((entry: { status: string }) => entry.status === 'iikoPaid'));
    });
  });

  describe('SMS log', () => {
    test('pages on the server, failed first, newest first in each part, without losing or repeating a message', async () => {
      const at = (time: string) => new Date(`2026-11-28T${time}:00Z`);
      const seeded: { status: 'failed' | 'sent' | 'delivered' | 'queued'; at: Date }[] = [
        { status: 'sent', at: at('09:00') },
        { status: 'failed', at: at('09:05') },
        { status: 'delivered', at: at('09:10') },
        { status: 'delivered', at: at('09:10') },
        { status: 'failed', at: at('09:15') },
        { status: 'failed', at: at('09:15') },
        { status: 'queued', at: at('09:20') },
      ];
      for (const [index, message] of seeded.entries()) {
        await t.app.db
          .insertInto('messages')
          .values({
            id: randomUUID(),
            customer_id: annaId,
            phone: '79001234567',
            text_encrypted: t.app.secrets.seal(`message ${index}`),
            connection: 'default',
            status: message.status,
            attempts: message.status === 'failed' ? 3 : 1,
            last_error: message.status === 'failed' ? 'gateway said no' : null,
            created_at: message.at,
            valid_until: at('23:00'),
            updated_at: message.at,
          })
          .execute();
      }
      const listed: { id: string; status: string; createdAt: string; phone: string; lastError: string | null }[] = [];
      let before: string | null = null;
      for (let pages = 0; pages < 10; pages += 1) {
        const answer = await as(viewer, 'GET', `/api/admin/messages?order=failedFirst&limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.ok(answer.body.items.length <= 2);
        listed.push(...answer.body.items);
        before = answer.body.next;
        if (!before) break;
      }
      assert.equal(new Set(listed.map((m) => m.id)).size, seeded.length);
      assert.deepEqual(listed.map((m) => m.status), ['failed', 'failed', 'failed', 'queued', 'delivered', 'delivered', 'sent']);
      assert.deepEqual(listed.map((m) => m.createdAt.slice(11, 16)), ['09:15', '09:15', '09:05', '09:20', '09:10', '09:10', '09:00']);
      assert.equal(listed[0].lastError, 'gateway said no');
      assert.notEqual(listed[0].phone, '79001234567', 'phones are masked in the log');

      const ofPhone = await as(viewer, 'GET', `/api/admin/messages?phone=${encodeURIComponent('8 (900) 123-45-67')}&status=failed`);
      assert.deepEqual(ofPhone.body.items.map((m: { phone: string }) => m.phone), ['79001234567', '79001234567', '79001234567']);
      assert.equal((await as(viewer, 'GET', '/api/admin/messages?before=yesterday')).status, 400);
    });
  });

  describe('operations log', () => {
    test('filters by status and shows one call with its masked request and the answer', async () => {
      const list = await as(viewer, 'GET', '/api/admin/operation-log?status=ValidationError&operation=Offline.CheckCustomer');
      assert.equal(list.body.items.length, 1);
      const id = list.body.items[0].id;
      const entry = await as(viewer, 'GET', `/api/admin/operation-log/${id}`);
      assert.equal(entry.body.operation, 'Offline.CheckCustomer');
      assert.equal(entry.body.request.customer.mobilePhone, '7******67');
      assert.equal(entry.body.response.validationMessages[0].location, '/customer/mobilePhone');
      assert.equal((await as(viewer, 'GET', '/api/admin/operation-log/987654')).status, 404);
    });
  });

  describe('project', () => {
    test('export gives a file that plans to change nothing', async () => {
      const exported = await as(viewer, 'GET', '/api/admin/project/export');
      assert.equal(exported.status, 200);
      assert.match(String(exported.headers['content-disposition']), /regulars-project\.yaml/);
      const plan = await as(owner, 'POST', '/api/admin/project/plan', { content: exported.body });
      assert.equal(plan.body.ok, true);
      assert.deepEqual(plan.body.created, []);
      assert.deepEqual(plan.body.changed, []);
      assert.ok(plan.body.unchanged.includes('operations/Offline.CheckCustomer'));
    });

    test('the plan shows what would be created and changed, with before and after, and writes nothing', async () => {
      const project = t.app.project.current.definition;
      const bonus = { ...project.balanceTypes[0], lifetimeDays: 180 };
      const content = JSON.stringify({ balanceTypes: [bonus, { systemName: 'Stars', name: 'Звёзды' }] });
      const versionBefore = t.app.project.current.version;
      const plan = await as(owner, 'POST', '/api/admin/project/plan', { content });
      assert.deepEqual(plan.body.created, ['balanceTypes/Stars']);
      assert.deepEqual(plan.body.changed, ['settings/project', 'balanceTypes/Bonus'].filter((id) => plan.body.changed.includes(id)));
      const change = plan.body.changes.find((c: { id: string }) => c.id === 'balanceTypes/Bonus');
      assert.equal(change.before.lifetimeDays, 365);
      assert.equal(change.after.lifetimeDays, 180);
      const stored = await as(viewer, 'GET', '/api/admin/project');
      assert.equal(stored.body.balanceTypes.length, 1);
      assert.equal(t.app.project.current.version, versionBefore);
    });

    test('a file with problems is reported, and applying it changes nothing', async () => {
      const content = YAML.stringify({ operations: [{ systemName: 'Broken', type: 'Nope', integrationPoints: [] }] });
      const plan = await as(owner, 'POST', '/api/admin/project/plan', { content });
      assert.equal(plan.body.ok, false);
      assert.ok(plan.body.problems.length > 0);
      const apply = await as(owner, 'POST', '/api/admin/project/apply', { content });
      assert.equal(apply.status, 400);
      assert.ok(apply.body.issues.length > 0);
      assert.equal((await as(owner, 'POST', '/api/admin/project/plan', { content: '{not: [yaml' })).status, 400);
    });

    test('segments are listed with their sizes and the last full recalculation, scenarios with their runs', async () => {
      const before = await as(viewer, 'GET', '/api/admin/segments');
      assert.equal(before.status, 200);
      assert.equal(before.body.lastRecalculation, null, 'no full recalculation yet');
      assert.deepEqual(before.body.items.map((s: { systemName: string }) => s.systemName).sort(), ['RankBronze', 'RankGold', 'RankSilver']);
      assert.equal((await as(viewer, 'POST', '/api/admin/segments/recalculate', {})).status, 403);
      const report = await as(marketer, 'POST', '/api/admin/segments/recalculate', {});
      assert.equal(report.status, 200);
      assert.equal(report.body.reason, 'manual');
      const segments = await as(viewer, 'GET', '/api/admin/segments');
      assert.deepEqual(segments.body.lastRecalculation, {
        id: segments.body.lastRecalculation.id,
        reason: 'manual',
        localDay: '2026-11-29',
        startedAt: '2026-11-29T12:00:00.000Z',
        finishedAt: '2026-11-29T12:00:00.000Z',
        entered: report.body.entered,
        left: report.body.left,
        durationMs: report.body.durationMs,
        coversCurrentDefinitions: true,
      });
      assert.deepEqual(
        Object.fromEntries(segments.body.items.map((s: { systemName: string; size: number }) => [s.systemName, s.size])),
        { RankBronze: (await t.app.db.selectFrom('customers').select('id').execute()).length, RankSilver: 0, RankGold: 0 },
        'every guest has paid under 10 000',
      );
      const history = await as(viewer, 'GET', '/api/admin/segments/recalculations');
      const { coversCurrentDefinitions: _, ...lastRun } = segments.body.lastRecalculation;
      assert.deepEqual(history.body.items, [lastRun]);

      // the conditions change: the sizes shown are the old conditions' until the next full run, and the page says so
      const exported = (await as(owner, 'GET', '/api/admin/project')).body;
      const changed = structuredClone(exported);
      for (const segment of changed.segments) for (const condition of segment.conditions) for (const bound of ['atLeast', 'below']) if (condition[bound] === 10000) condition[bound] = 9000;
      assert.equal((await as(owner, 'POST', '/api/admin/project/apply', { content: JSON.stringify(changed) })).status, 200);
      assert.equal((await as(viewer, 'GET', '/api/admin/segments')).body.lastRecalculation.coversCurrentDefinitions, false);
      assert.equal((await as(owner, 'POST', '/api/admin/project/apply', { content: JSON.stringify(exported) })).status, 200);
      assert.equal((await as(viewer, 'GET', '/api/admin/segments')).body.lastRecalculation.coversCurrentDefinitions, true);
      const scenarios = await as(viewer, 'GET', '/api/admin/scenarios');
      assert.ok(scenarios.body.items.some((s: { systemName: string; recentRuns: unknown[] }) => s.systemName === 'Rank' && Array.isArray(s.recentRuns)));
    });
  });

  describe('users and docs', () => {
    test('an owner sees the users', async () => {
      const users = await as(owner, 'GET', '/api/admin/users');
      assert.deepEqual(users.body.items.map((u: { name: string; role: string }) => `${u.name}:${u.role}`), ['lena:marketer', 'mark:marketer', 'olga:owner', 'vera:viewer']);
    });

    test('the OpenAPI document describes the admin API from its schemas, and the docs page lists it', async () => {
      const answer = await t.server.inject({ method: 'GET', url: '/api/docs/openapi.json' });
      const document = answer.json();
      assert.equal(document.openapi, '3.0.3');
      const search = document.paths['/api/admin/customers'].get;
      assert.ok(search.parameters.some((p: { name: string }) => p.name === 'q'));
      assert.ok(document.paths['/api/admin/customers/{id}'].get.parameters.some((p: { name: string; in: string }) => p.name === 'id' && p.in === 'path'));
      assert.ok(document.paths['/api/admin/project/apply'].post.requestBody);
      assert.match(document.paths['/api/admin/project/apply'].post.description, /a marketer changes the loyalty program/);
      assert.match(document.paths['/api/admin/project/versions/{version}/restore'].post.description, /owner only/);
      assert.ok(document.paths['/api/admin/operation-log'].get.parameters.some((p: { name: string }) => p.name === 'status'));
      assert.match(document.paths['/api/auth/login'].post.description, /No sign-in needed/);
      assert.ok(['order', 'before', 'status'].every((name) => document.paths['/api/admin/messages'].get.parameters.some((p: { name: string }) => p.name === name)));
      assert.deepEqual(document.paths['/api/admin/customers/{id}/scenario-runs'].get.tags, ['Guests']);
      assert.ok(document.paths['/api/admin/customers/{id}/scenario-runs'].get.responses['200'].content);
      assert.ok(document.paths['/api/admin/scenarios'].get.responses['200'].content, 'the scenarios with their runs are described');
      const unknownGuest = await t.admin('GET', '/api/admin/customers/999999/scenario-runs');
      assert.deepEqual([unknownGuest.httpStatus, unknownGuest.body.error], [404, 'there is no guest 999999']);
      for (const [path, method] of [['/api/admin/segments', 'get'], ['/api/admin/segments/recalculations', 'get'], ['/api/admin/segments/recalculate', 'post']]) {
        assert.deepEqual(document.paths[path][method].tags, ['Segments'], path);
      }
      assert.match(document.paths['/api/admin/segments/recalculate'].post.description, /owner or marketer/);
      assert.ok(!JSON.stringify(document).includes('Added by a module without a schema'), 'every admin route has its schema');
      const page = await t.server.inject({ method: 'GET', url: '/api/docs' });
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.match(page.body, /\/api\/admin\/dashboard/);
    });

    test('every list pages the same way, and a cursor it did not give out or a body that is not JSON is a 400 saying so', async () => {
      const lists = ['/api/admin/customers', `/api/admin/customers/${annaId}/ledger`, '/api/admin/orders', '/api/admin/messages', '/api/admin/operation-log', '/api/admin/products'];
      const document = (await t.server.inject({ method: 'GET', url: '/api/docs/openapi.json' })).json();
      for (const list of lists) {
        const first = await as(viewer, 'GET', `${list}?limit=1`);
        assert.equal(first.status, 200, list);
        assert.ok('next' in first.body && Array.isArray(first.body.items), `${list} answers { items, next }`);
        const refused = await as(viewer, 'GET', `${list}?before=yesterday`);
        assert.equal(refused.status, 400, list);
        assert.deepEqual(refused.body.issues.map((issue: { path: string }) => issue.path), ['/before'], list);
        const documented = document.paths[list.replace(String(annaId), '{id}')].get.parameters.map((p: { name: string }) => p.name);
        assert.ok(documented.includes('before') && !documented.some((name: string) => ['beforeId', 'after', 'cursor'].includes(name)), list);
      }
      const notJson = await t.server.inject({ method: 'POST', url: `/api/admin/customers/${annaId}/adjustments`, headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken, 'content-type': 'application/json' }, payload: '{"amount": ' });
      assert.deepEqual([notJson.statusCode, notJson.json()], [400, { error: 'the body is not valid JSON' }]);
    });

    test('every path parameter of every route is declared in the OpenAPI document', async () => {
      const document = (await t.server.inject({ method: 'GET', url: '/api/docs/openapi.json' })).json();
      const missing: string[] = [];
      for (const [path, operations] of Object.entries<Record<string, { parameters?: { name: string; in: string; required: boolean }[] }>>(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
            if (!operation.parameters?.some((p) => p.name === name && p.in === 'path' && p.required)) missing.push(`${method.toUpperCase()} ${path}: ${name}`);
          }
        }
      }
      assert.deepEqual(missing, []);
    });
  });
});

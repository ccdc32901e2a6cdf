// The guest's card page (issue 17) through the real server: signing in with an SMS code, the same answers for a
// stranger's phone as for a guest's, the limits, the card number given on the first sign-in and found by the POS,
// what the card shows, the consent switch recorded as the card page's, and the session's end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLuhnValid } from '../src/guestcard/card-number.ts';
import { createTestApp, type TestApp } from './support/app.ts';

const PHONE = '79161112233';
const STRANGER = '79169998877';

describe('the card page', () => {
  let t: TestApp;
  let cookie = '';

  const form = async (url: string, fields: Record<string, string>, options: { cookie?: string; origin?: string; address?: string } = {}) => {
    const response = await t.server.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      },
      remoteAddress: options.address ?? '203.0.113.5',
      payload: new URLSearchParams(fields).toString(),
    });
    return { status: response.statusCode, body: response.body, headers: response.headers };
  };
  const page = async (withCookie = cookie) => (await t.server.inject({ method: 'GET', url: '/card', headers: withCookie ? { cookie: withCookie } : {} })).body;

  before(async () => {
    t = await createTestApp({ smsInbox: true, phoneConfirmation: false });
    const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, firstName: 'Анна' } });
    assert.equal(registered.body.customer.processingStatus, 'Created');
    const id = registered.body.customer.ids.mindboxId;
    const adjusted = await t.admin('POST', `/api/admin/customers/${id}/adjustments`, { balanceType: 'Bonus', amount: 350, reason: 'Подарок ко дню рождения' });
    assert.equal(adjusted.httpStatus, 200);
  });

  after(() => t?.close());

  test("a guest's phone and a stranger's get the same page; only the guest gets an SMS", async () => {
    const known = await form('/card/code', { phone: '+7 (916) 111-22-33' });
    const unknown = await form('/card/code', { phone: '+7 (916) 999-88-77' });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    assert.equal(known.body.replace(PHONE, 'PHONE'), unknown.body.replace(STRANGER, 'PHONE'));
    assert.match(known.body, /Если номер есть в программе, на него отправлен код/);
    await t.drain();
    assert.equal(t.sms.to(STRANGER).length, 0);
    assert.match(t.sms.to(PHONE).at(-1)!, /^Код авторизации: \d{6}$/);
    // a second code moments later is held back by the phone's limits, and the page says the same as before
    const again = await form('/card/code', { phone: PHONE });
    assert.equal(again.body, known.body);
    await t.drain();
    assert.equal(t.sms.to(PHONE).length, 1);
    assert.equal((await form('/card/code', { phone: 'not a phone' })).status, 400);
  });

  test('a wrong code is refused as a code for a stranger is; the right one opens the card, and the guest gets a card number', async () => {
    const code = t.sms.lastCode(PHONE);
    const wrong = await form('/card/sign-in', { phone: PHONE, code: code === '111111' ? '222222' : '111111' });
    const stranger = await form('/card/sign-in', { phone: STRANGER, code });
    assert.equal(wrong.status, 401);
    assert.equal(stranger.status, 401);
    assert.equal(wrong.body.replace(PHONE, 'PHONE'), stranger.body.replace(STRANGER, 'PHONE'));
    assert.equal(wrong.headers['set-cookie'], undefined);

    const right = await form('/card/sign-in', { phone: PHONE, code });
    assert.equal(right.status, 303);
    assert.equal(right.headers.location, '/card');
    const setCookie = String(right.headers['set-cookie']);
    assert.match(setCookie, /^regulars_guest=[\w-]{43}; Path=\/card; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    cookie = setCookie.split(';')[0];
    // the code is spent
    assert.equal((await form('/card/sign-in', { phone: PHONE, code })).status, 401);

    const card = await page();
    const number = /data-testid="card-number">(\d+)</.exec(card)?.[1];
    assert.ok(number && number.startsWith('29') && number.length === 13 && isLuhnValid(number), card);
    assert.match(card, /Здравствуйте, Анна!/);
    assert.match(card, /data-testid="available">350</);
    assert.match(card, /Подарок ко дню рождения/);
    assert.match(card, /data-testid="level"><b>Bronze</);
    assert.match(card, /Ещё 10\s000\s₽ до уровня Silver/);
    assert.match(card, /data-testid="qr"><svg/);
    assert.doesNotMatch(card, /data-testid="(apple|google)-wallet"/, 'no Wallet is configured: no Wallet buttons');
    // the POS finds the guest by the card number the page gave
    const found = await t.call('Offline.CheckCustomer', { customer: { discountCard: { ids: { number } } } });
    assert.equal(found.body.customer.mobilePhone, PHONE);
  });

  test('the consent switch changes the consent and the history says it came from the card page', async () => {
    assert.match(await page(), /SMS: <b>выключены<\/b>/);
    assert.equal((await form('/card/consent', { channel: 'Sms', subscribe: 'yes' }, { cookie })).status, 303);
    assert.match(await page(), /SMS: <b>включены<\/b>/);
    const guest = (await t.admin('GET', `/api/admin/customers?q=${PHONE}`)).body.items[0];
    const history = (await t.admin('GET', `/api/admin/customers/${guest.id}/subscription-history`)).body.items;
    assert.deepEqual(
      history.map((entry: any) => [entry.pointOfContact, entry.isSubscribed, entry.integrationPoint, entry.operation]),
      [['Sms', true, 'card', 'GuestCard.ChangeConsent']],
    );
    // without the session nothing changes
    await form('/card/consent', { channel: 'Sms', subscribe: 'no' });
    assert.match(await page(), /SMS: <b>включены<\/b>/);
  });

  test("forms from another site, and JSON, are refused; the card's answers are never cached and allow no script", async () => {
    assert.equal((await form('/card/consent', { channel: 'Sms', subscribe: 'no' }, { cookie, origin: 'https://evil.example' })).status, 403);
    const json = await t.server.inject({ method: 'POST', url: '/card/code', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ phone: PHONE }) });
    assert.equal(json.statusCode, 400);
    const response = await t.server.inject({ method: 'GET', url: '/card', headers: { cookie } });
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
    assert.doesNotMatch(response.body, /<script/);
    assert.match(await page(''), /Вход в карту гостя/);
  });

  test('English on request', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/card?lang=en', headers: { cookie } });
    assert.match(response.body, /Hello, Анна!/);
    assert.match(response.body, /10,000 more to Silver/);
    assert.match(String(response.headers['set-cookie']), /regulars_guest_lang=en/);
  });

  test('code requests from one address are limited; wrong codes for one phone back off', async () => {
    let status = 0;
    for (let i = 0; i < 21 && status !== 429; i += 1) status = (await form('/card/code', { phone: `7916555${String(i).padStart(4, '0')}` }, { address: '198.51.100.7' })).status;
    assert.equal(status, 429);
    const other = await form('/card/code', { phone: STRANGER }, { address: '198.51.100.8' });
    assert.equal(other.status, 200);
    let refused = 0;
    for (let i = 0; i < 6 && refused !== 429; i += 1) refused = (await form('/card/sign-in', { phone: STRANGER, code: '123456' }, { address: `198.51.100.${20 + i}` })).status;
    assert.equal(refused, 429);
  });

  test('the session ends after an hour, and signing out ends it at once', async () => {
    t.clock.advance(61 * 60_000);
    assert.match(await page(), /Вход в карту гостя/);
    t.clock.advance(60_000);
    assert.equal((await form('/card/code', { phone: PHONE })).status, 200);
    await t.drain();
    const signedIn = await form('/card/sign-in', { phone: PHONE, code: t.sms.lastCode(PHONE) });
    const fresh = String(signedIn.headers['set-cookie']).split(';')[0];
    assert.match(await page(fresh), /data-testid="card-number"/);
    assert.match(String((await form('/card/sign-out', {}, { cookie: fresh })).headers['set-cookie']), /Max-Age=0/);
    assert.match(await page(fresh), /Вход в карту гостя/);
  });
});

// Guests' subscriptions: given on RegisterCustomer and EditCustomer, shown in every answer with the profile,
// changed by a person in the console with a reason, each change in the history; and what campaigns ask of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUser } from '../src/admin/users.service.ts';
import { isSubscribed, subscribedGuestIds } from '../src/customers/subscriptions.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';

const PHONE = '79001234567';

async function events(t: TestApp, type: string) {
  const rows = await t.app.db.selectFrom('outbox').select('payload').where('topic', '=', 'event').orderBy('id').execute();
  return rows.map((row) => row.payload as Record<string, any>).filter((payload) => payload.type === type);
}

async function history(t: TestApp, id: number) {
  return (await t.admin('GET', `/api/admin/customers/${id}/subscription-history`)).body.items as Record<string, any>[];
}

test('subscriptions given on registration and edits are kept, shown with the profile and recorded with where they came from', async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    const registered = await t.call('Offline.RegisterCustomer', {
      customer: {
        mobilePhone: PHONE,
        subscriptions: [
          { pointOfContact: 'Sms', isSubscribed: true },
          { pointOfContact: 'email', topic: 'News', isSubscribed: 'false' },
        ],
      },
    });
    assert.equal(registered.body.status, 'Success', JSON.stringify(registered.body));
    const id = registered.body.customer.ids.mindboxId;
    const both = [
      { pointOfContact: 'Email', topic: 'News', isSubscribed: false },
      { pointOfContact: 'Sms', isSubscribed: true },
    ];
    assert.deepEqual(registered.body.customer.subscriptions, both);
    const found = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
    assert.deepEqual(found.body.customer.subscriptions, both);

    t.clock.advance(60_000);
    const unsubscribed = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, subscriptions: [{ pointOfContact: 'SMS', isSubscribed: false }] } });
    assert.equal(unsubscribed.body.customer.processingStatus, 'Changed');
    assert.deepEqual(unsubscribed.body.customer.subscriptions, [both[0], { pointOfContact: 'Sms', isSubscribed: false }]);
    const [changed] = await events(t, 'customerChanged');
    assert.deepEqual(changed.data.fields, ['subscriptions.Sms']);
    const same = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, subscriptions: [{ pointOfContact: 'Sms', isSubscribed: false }] } });
    assert.equal(same.body.customer.processingStatus, 'NotChanged');

    assert.deepEqual(
      (await history(t, id)).map((entry) => [entry.pointOfContact, entry.topic, entry.wasSubscribed, entry.isSubscribed, entry.source, entry.integrationPoint, entry.operation, entry.at]),
      [
        ['Sms', null, true, false, 'operation', 'iiko', 'Offline.EditCustomer', '2026-11-29T12:01:00.000Z'],
        ['Email', 'News', null, false, 'operation', 'iiko', 'Offline.RegisterCustomer', '2026-11-29T12:00:00.000Z'],
        ['Sms', null, null, true, 'operation', 'iiko', 'Offline.RegisterCustomer', '2026-11-29T12:00:00.000Z'],
      ],
    );
  } finally {
    await t.close();
  }
});

test('confirming the phone answers the profile with the subscriptions too', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, subscriptions: [{ pointOfContact: 'Viber', isSubscribed: true }] } });
    await t.drain();
    const confirmed = await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code: t.sms.lastCode(PHONE) } });
    assert.equal(confirmed.body.smsConfirmation.processingStatus, 'MobilePhoneConfirmed');
    assert.deepEqual(confirmed.body.customer.subscriptions, [{ pointOfContact: 'Viber', isSubscribed: true }]);
  } finally {
    await t.close();
  }
});

test('every bad subscription is refused at its location and nothing of the request is kept', async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    const bad = await t.call('Offline.RegisterCustomer', {
      customer: {
        mobilePhone: PHONE,
        subscriptions: [
          { pointOfContact: 'Telegram', isSubscribed: true },
          { pointOfContact: 'Sms', isSubscribed: 'yes' },
          { pointOfContact: 'Viber', isSubscribed: true, brand: 'b'.repeat(101) },
          { pointOfContact: 'Email', isSubscribed: true },
          { pointOfContact: 'EMAIL', isSubscribed: false },
          'Sms',
        ],
      },
    });
    assert.equal(bad.body.status, 'ValidationError');
    assert.deepEqual(bad.body.validationMessages.map((m: any) => m.location), [
      '/customer/subscriptions/0/pointOfContact',
      '/customer/subscriptions/1/isSubscribed',
      '/customer/subscriptions/2/brand',
      '/customer/subscriptions/4',
      '/customer/subscriptions/5',
    ]);
    const notAList = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, subscriptions: { pointOfContact: 'Sms', isSubscribed: true } } });
    assert.deepEqual(notAList.body.validationMessages.map((m: any) => m.location), ['/customer/subscriptions']);
    assert.equal((await t.app.db.selectFrom('customers').select('id').execute()).length, 0);

    // the subscriptions of an edit that is refused are not kept either: one transaction
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE } });
    const other = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: '79007654321' } });
    const taken = await t.call('Offline.EditCustomer', {
      customer: { ids: { mindboxId: other.body.customer.ids.mindboxId }, mobilePhone: PHONE, subscriptions: [{ pointOfContact: 'Sms', isSubscribed: true }] },
    });
    assert.deepEqual(taken.body.validationMessages.map((m: any) => m.location), ['/customer/mobilePhone']);
    assert.equal((await t.app.db.selectFrom('customer_subscriptions').select('customer_id').execute()).length, 0);
    assert.equal((await t.app.db.selectFrom('customer_subscription_changes').select('id').execute()).length, 0);
  } finally {
    await t.close();
  }
});

test('subscriptions travel in XML as a list of <subscription> items, both ways', async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    const request = `<operation><customer><mobilePhone>${PHONE}</mobilePhone><subscriptions><subscription><pointOfContact>Sms</pointOfContact><isSubscribed>true</isSubscribed></subscription></subscriptions></customer></operation>`;
    const answer = await t.call('Offline.RegisterCustomer', request, { format: 'xml' });
    assert.match(answer.text, /<subscriptions><subscription><pointOfContact>Sms<\/pointOfContact><isSubscribed>true<\/isSubscribed><\/subscription><\/subscriptions>/);
  } finally {
    await t.close();
  }
});

test('a marketer changes a consent with a reason, kept in the history; a viewer may only look', async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    await addUser(t.app.db, { name: 'mark', role: 'marketer', password: 'marketer-password-1' });
    await addUser(t.app.db, { name: 'vera', role: 'viewer', password: 'viewer-password-1' });
    const signIn = async (name: string, password: string) => {
      const answer = await t.server.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name, password }) });
      assert.equal(answer.statusCode, 200, answer.body);
      return { cookie: String(answer.headers['set-cookie']).split(';')[0], csrf: answer.json().csrfToken as string };
    };
    const as = async (who: { cookie: string; csrf: string }, method: 'GET' | 'POST', url: string, body?: unknown) => {
      const answer = await t.server.inject({
        method,
        url,
        headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: answer.statusCode, body: answer.json() };
    };
    const marketer = await signIn('mark', 'marketer-password-1');
    const viewer = await signIn('vera', 'viewer-password-1');
    const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, subscriptions: [{ pointOfContact: 'Sms', isSubscribed: true }] } });
    const id = registered.body.customer.ids.mindboxId;
    const url = `/api/admin/customers/${id}/subscriptions`;
    const optOut = { pointOfContact: 'sms', isSubscribed: false, reason: 'asked at the counter to get no more SMS' };

    assert.equal((await as(viewer, 'POST', url, optOut)).status, 403);
    const short = await as(marketer, 'POST', url, { ...optOut, reason: 'no' });
    assert.equal(short.status, 400);
    assert.deepEqual(short.body.issues.map((issue: any) => issue.path), ['/reason']);
    assert.equal((await as(marketer, 'POST', url, { ...optOut, pointOfContact: 'Telegram' })).status, 400);
    assert.equal((await as(marketer, 'POST', '/api/admin/customers/999999/subscriptions', optOut)).status, 404);

    t.clock.advance(60_000);
    const changed = await as(marketer, 'POST', url, optOut);
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.status, 'Changed');
    assert.deepEqual(changed.body.subscriptions, [{ pointOfContact: 'Sms', brand: null, topic: null, isSubscribed: false, changedAt: '2026-11-29T12:01:00.000Z' }]);
    assert.equal((await as(marketer, 'POST', url, optOut)).body.status, 'NotChanged');

    const [event] = await events(t, 'customerChanged');
    assert.deepEqual([event.customerId, event.data.fields, event.data.actor], [id, ['subscriptions.Sms'], 'mark']);
    const card = await as(viewer, 'GET', `/api/admin/customers/${id}`);
    assert.deepEqual(card.body.subscriptions.map((s: any) => [s.pointOfContact, s.isSubscribed]), [['Sms', false]]);
    const [latest, first] = (await as(viewer, 'GET', `/api/admin/customers/${id}/subscription-history`)).body.items;
    assert.deepEqual(
      [latest.wasSubscribed, latest.isSubscribed, latest.source, latest.actor, latest.reason, latest.operation],
      [true, false, 'admin', 'mark', 'asked at the counter to get no more SMS', null],
    );
    assert.deepEqual([first.source, first.operation, first.actor], ['operation', 'Offline.RegisterCustomer', null]);
    const checked = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
    assert.deepEqual(checked.body.customer.subscriptions, [{ pointOfContact: 'Sms', isSubscribed: false }]);
  } finally {
    await t.close();
  }
});

test('campaigns ask whether a guest is subscribed to a channel and list the subscribed guests page by page', async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const subscriptions = [
        { pointOfContact: 'Sms', isSubscribed: i % 2 === 0 },
        { pointOfContact: 'Sms', brand: 'Kitchen', topic: 'Offers', isSubscribed: true },
      ];
      const answer = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: `7900123450${i}`, subscriptions } });
      ids.push(answer.body.customer.ids.mindboxId);
    }
    const silent = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: '79001234599' } });
    const db = t.app.db;
    assert.equal(await isSubscribed(db, ids[0], 'Sms'), true);
    assert.equal(await isSubscribed(db, ids[1], 'Sms'), false, 'said no');
    assert.equal(await isSubscribed(db, silent.body.customer.ids.mindboxId, 'Sms'), false, 'never answered');
    assert.equal(await isSubscribed(db, ids[0], 'Email'), false);
    assert.equal(await isSubscribed(db, ids[1], 'Sms', { brand: 'Kitchen', topic: 'Offers' }), true);

    const subscribed = [ids[0], ids[2], ids[4]];
    assert.deepEqual(await subscribedGuestIds(db, 'Sms', { limit: 10 }), subscribed);
    const page1 = await subscribedGuestIds(db, 'Sms', { limit: 2 });
    const page2 = await subscribedGuestIds(db, 'Sms', { limit: 2, afterId: page1.at(-1) });
    assert.deepEqual([...page1, ...page2], subscribed);
    assert.deepEqual(await subscribedGuestIds(db, 'Sms', { brand: 'Kitchen', topic: 'Offers', limit: 10 }), ids);
    assert.deepEqual(await subscribedGuestIds(db, 'Viber', { limit: 10 }), []);
  } finally {
    await t.close();
  }
});

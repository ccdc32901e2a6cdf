// Guests through the protocol: registration, lookup, editing, phone confirmation, authorization codes,
// their limits, the events they fire and the SMS the transactional scenarios store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustBalance } from '../src/loyalty/ledger.service.ts';
import { iikoPreset } from '../src/project/presets/iiko.ts';
import { applyProject } from '../src/project/project.service.ts';
import { validateProject } from '../src/project/validate.ts';
import { createTestApp, type TestApp } from './support/app.ts';

const PHONE = '79001234567';

async function register(t: TestApp, customer: Record<string, unknown>) {
  return t.call('Offline.RegisterCustomer', { customer });
}

async function messagesTo(t: TestApp, phone: string): Promise<any[]> {
  return (await t.admin('GET', `/api/admin/messages?phone=${phone}`)).body.items;
}

/** The code in the newest SMS to a phone, as the guest reads it on the phone. */
async function lastCode(t: TestApp, phone: string): Promise<string> {
  await t.drain();
  return t.sms.lastCode(phone);
}

async function events(t: TestApp, type: string) {
  const rows = await t.app.db.selectFrom('outbox').select('payload').where('topic', '=', 'event').orderBy('id').execute();
  return rows.map((row) => row.payload as Record<string, any>).filter((payload) => payload.type === type);
}

test('a registered guest gets a confirmation SMS, confirms the phone and is found with profile, fields, card and balances', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    const answer = await register(t, {
      mobilePhone: '8 (900) 123-45-67',
      firstName: 'Анна',
      lastName: "O'Neil-Смирнова",
      birthDate: '1990-01-31',
      sex: 'F',
      email: 'anna@example.ru',
      discountCard: { ids: { number: 'CARD-1' } },
      customFields: { Rank: 'Silver' },
    });
    assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
    assert.equal(answer.body.customer.processingStatus, 'Created');
    const mindboxId = answer.body.customer.ids.mindboxId;
    assert.ok(Number.isInteger(mindboxId));

    const [registered] = await events(t, 'customerRegistered');
    assert.equal(registered.operation, 'Offline.RegisterCustomer');
    assert.equal(registered.integrationPoint, 'iiko');
    assert.match(registered.data.secrets, /^v1:/, 'the code travels sealed');

    const code = await lastCode(t, PHONE);
    assert.deepEqual(t.sms.to(PHONE), [`Код подтверждения: ${code}`]);
    const [sms] = await messagesTo(t, PHONE);
    assert.equal(sms.text, 'Код подтверждения: ••••', 'the SMS log never shows the code');
    assert.equal(sms.status, 'sent');
    assert.equal(sms.mailing, 'PhoneConfirmationSms');
    assert.ok(!JSON.stringify(await t.app.db.selectFrom('outbox').select('payload').execute()).includes(`: ${code}`));
    assert.ok(!JSON.stringify(await t.app.db.selectFrom('messages').selectAll().execute()).includes(code), 'texts are stored encrypted');

    const wrong = await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code: code === '1111' ? '2222' : '1111' } });
    assert.equal(wrong.body.smsConfirmation.processingStatus, 'IncorrectConfirmationCode');
    assert.match(wrong.body.smsConfirmation.statusDescription, /wrong code; 4 attempt/);

    const right = await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code } });
    assert.equal(right.body.smsConfirmation.processingStatus, 'MobilePhoneConfirmed');
    const [confirmed] = await events(t, 'phoneConfirmed');
    assert.equal(confirmed.operation, 'Offline.ConfirmMobilePhone');
    const again = await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code } });
    assert.equal(again.body.smsConfirmation.processingStatus, 'AlreadyConfirmed');

    const found = await t.call('Offline.CheckCustomer', { customer: { discountCard: { ids: { number: 'CARD-1' } } } });
    assert.equal(found.body.customer.processingStatus, 'Found');
    assert.deepEqual(
      { ...found.body.customer, ids: undefined },
      {
        processingStatus: 'Found',
        ids: undefined,
        mobilePhone: PHONE,
        isMobilePhoneConfirmed: true,
        email: 'anna@example.ru',
        firstName: 'Анна',
        lastName: "O'Neil-Смирнова",
        birthDate: '1990-01-31',
        sex: 'female',
        discountCard: { ids: { number: 'CARD-1' } },
        // the preset's Rank scenario writes the rank of the guest's segment over the value given at registration;
        // answers key custom fields in camel case, as Mindbox does
        customFields: { rank: 'Bronze' },
      },
    );
    assert.equal(found.body.customer.ids.mindboxId, mindboxId);
    assert.deepEqual(found.body.balances.map((b: any) => [b.systemName, b.total, b.available, b.blocked]), [['Bonus', 0, 0, 0]]);
  } finally {
    await t.close();
  }
});

test('every invalid profile value is reported at its location, and nothing is registered', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    const answer = await register(t, {
      mobilePhone: '12345',
      email: 'mymail',
      firstName: 'Anna3',
      lastName: 'x'.repeat(101),
      birthDate: '2990-01-01',
      sex: 'unknown',
      customFields: { Rank: 'x'.repeat(1001), Shoe: 42 },
    });
    assert.equal(answer.body.status, 'ValidationError');
    const locations = answer.body.validationMessages.map((m: any) => m.location).sort();
    assert.deepEqual(locations, [
      '/customer/birthDate',
      '/customer/customFields/Rank',
      '/customer/customFields/Shoe',
      '/customer/email',
      '/customer/firstName',
      '/customer/lastName',
      '/customer/mobilePhone',
      '/customer/sex',
    ]);
    assert.ok(!JSON.stringify(answer.body).includes('12345'), 'values are not echoed');
    const old = await register(t, { mobilePhone: PHONE, birthDate: '1899-12-31' });
    assert.deepEqual(old.body.validationMessages, [{ location: '/customer/birthDate', message: 'must not be before 1900-01-01' }]);
    const clear = await register(t, { mobilePhone: PHONE, email: '%CLEAR%' });
    assert.equal(clear.body.validationMessages[0].location, '/customer/email');
    const nothing = await register(t, { firstName: 'Anna' });
    assert.equal(nothing.body.validationMessages[0].location, '/customer');
    assert.equal((await t.app.db.selectFrom('customers').select('id').execute()).length, 0);
  } finally {
    await t.close();
  }
});

test('a phone or a card that is taken is refused at its location; identifiers of different guests are ambiguous', async () => {
  const t = await createTestApp({ phoneConfirmation: false, smsInbox: true });
  try {
    await register(t, { mobilePhone: PHONE, discountCard: { ids: { number: '111' } } });
    await register(t, { mobilePhone: '79001112233', discountCard: { ids: { number: '222' } } });
    const samePhone = await register(t, { mobilePhone: '+7 900 123 45 67' });
    assert.equal(samePhone.body.status, 'ValidationError');
    assert.equal(samePhone.body.validationMessages[0].location, '/customer/mobilePhone');
    const sameCard = await register(t, { mobilePhone: '79005550000', discountCard: { ids: { number: 111 } } });
    assert.deepEqual(sameCard.body.validationMessages.map((m: any) => m.location), ['/customer/discountCard/ids/number']);

    const mixed = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE, discountCard: { ids: { number: '222' } } } });
    assert.equal(mixed.body.customer.processingStatus, 'Ambiguous');
    const nobody = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: '79009999999' } });
    assert.equal(nobody.body.customer.processingStatus, 'NotFound');
    const unknownId = await t.call('Offline.CheckCustomer', { customer: { ids: { loyaltyCard: 'x' } } });
    assert.equal(unknownId.body.validationMessages[0].location, '/customer/ids/loyaltyCard');
  } finally {
    await t.close();
  }
});

test('without phone confirmation a registration sends no SMS and the scenario records why', async () => {
  const t = await createTestApp({ phoneConfirmation: false, smsInbox: true });
  try {
    const answer = await register(t, { mobilePhone: PHONE });
    await t.drain();
    assert.deepEqual(await messagesTo(t, PHONE), []);
    const runs = (await t.admin('GET', `/api/admin/customers/${answer.body.customer.ids.mindboxId}/scenario-runs`)).body.items.filter(
      (run: any) => run.scenario !== 'Rank',
    );
    assert.equal(runs.length, 1);
    assert.equal(runs[0].scenario, 'PhoneConfirmationSms');
    assert.equal(runs[0].steps[0].status, 'skipped');
    assert.match(runs[0].steps[0].detail, /MobilePhoneConfirmationCode/);
  } finally {
    await t.close();
  }
});

test('authorization codes: wrong ones are counted, the right one works once, late or void ones are refused with the reason', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    await register(t, { mobilePhone: PHONE, firstName: 'Anna' });
    await t.drain();
    t.clock.advance(60_000);
    const notFound = await t.call('Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: '79009999999' } });
    assert.equal(notFound.body.customer.processingStatus, 'NotFound');

    const sent = await t.call('Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE } });
    assert.equal(sent.body.customer.processingStatus, 'Found');
    const [requested] = await events(t, 'authorizationCodeRequested');
    assert.equal(requested.operation, 'Offline.SendMobilePhoneAuthorizationCode');
    const code = await lastCode(t, PHONE);
    assert.equal(t.sms.to(PHONE).at(-1), `Код авторизации: ${code}`);
    assert.equal((await messagesTo(t, PHONE))[0].text, 'Код авторизации: ••••');

    const check = (typed: unknown) => t.call('Offline.CheckMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE }, authentificationCode: typed });
    const wrongCode = code === '9999' ? '8888' : '9999';
    const wrong = await check(wrongCode);
    assert.equal(wrong.body.status, 'ValidationError');
    assert.deepEqual(wrong.body.validationMessages, [{ location: '/authentificationCode', message: 'wrong code; 4 attempt(s) left' }]);
    const right = await check(Number(code));
    assert.equal(right.body.status, 'Success');
    const reused = await check(code);
    assert.match(reused.body.validationMessages[0].message, /used already/);
    assert.equal((await check('')).body.validationMessages[0].message, 'give the code the guest received');

    t.clock.advance(60_000);
    await t.call('Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE } });
    const late = await lastCode(t, PHONE);
    t.clock.advance(5 * 60_000 + 1);
    assert.match((await check(late)).body.validationMessages[0].message, /expired/);

    t.clock.advance(60_000);
    await t.call('Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE } });
    const guarded = await lastCode(t, PHONE);
    const other = guarded === '1234' ? '4321' : '1234';
    for (let i = 0; i < 4; i++) await check(other);
    assert.match((await check(other)).body.validationMessages[0].message, /last attempt/);
    assert.match((await check(guarded)).body.validationMessages[0].message, /too many wrong attempts/);

    const nobody = await t.call('Offline.CheckMobilePhoneAuthorizationCode', { customer: { mobilePhone: '79009999999' }, authentificationCode: '1234' });
    assert.equal(nobody.body.validationMessages[0].location, '/customer');
  } finally {
    await t.close();
  }
});

test('codes to one phone are rate limited: one of a purpose per 30 s, five an hour of any purpose, counted in the database', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    await register(t, { mobilePhone: PHONE });
    const send = () => t.call('Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE } });
    const resend = () => t.call('Offline.ResendMobilePhoneConfirmationCode', { customer: { mobilePhone: PHONE } });
    // a guest who just registered may pay with a gift bonus at once: the confirmation code does not hold up the authorization code
    assert.equal((await send()).body.status, 'Success', 'an authorization code right after registration');
    const tooSoon = await send();
    assert.equal(tooSoon.body.status, 'ValidationError');
    assert.equal(tooSoon.body.validationMessages[0].location, '/customer/mobilePhone');
    assert.match(tooSoon.body.validationMessages[0].message, /^an authorization code was sent to this phone moments ago; another one can be sent in 30 s$/);
    const resentTooSoon = await resend();
    assert.match(resentTooSoon.body.validationMessages[0].message, /^a confirmation code was sent to this phone moments ago/);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(31_000);
      assert.equal((await send()).body.status, 'Success', `code ${i + 3}`);
    }
    t.clock.advance(31_000);
    const sixth = await send();
    assert.match(sixth.body.validationMessages[0].message, /at most 5 codes an hour/);
    assert.match((await resend()).body.validationMessages[0].message, /at most 5 codes an hour/, 'every kind of code counts');
    t.clock.advance(3600_000);
    assert.equal((await send()).body.status, 'Success');
    await t.drain();
    assert.equal((await messagesTo(t, PHONE)).length, 6);
  } finally {
    await t.close();
  }
});

test('a resent confirmation code replaces the first; a confirmed phone gets nothing more', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    await register(t, { mobilePhone: PHONE });
    const first = await lastCode(t, PHONE);
    t.clock.advance(31_000);
    const resent = await t.call('Offline.ResendMobilePhoneConfirmationCode', { customer: { mobilePhone: PHONE } });
    assert.equal(resent.body.customer.processingStatus, 'Found');
    const second = await lastCode(t, PHONE);
    const stale = await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code: first } });
    if (first !== second) assert.equal(stale.body.smsConfirmation.processingStatus, 'IncorrectConfirmationCode');
    const ok = await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code: second } });
    assert.equal(ok.body.smsConfirmation.processingStatus, 'MobilePhoneConfirmed');
    t.clock.advance(31_000);
    const done = await t.call('Offline.ResendMobilePhoneConfirmationCode', { customer: { mobilePhone: PHONE } });
    assert.equal(done.body.smsConfirmation.processingStatus, 'AlreadyConfirmed');
    await t.drain();
    assert.equal((await messagesTo(t, PHONE)).length, 2);
  } finally {
    await t.close();
  }
});

test('editing: changed and unchanged fields, %CLEAR%, and a new phone that waits for its confirmation', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    const created = await register(t, { mobilePhone: PHONE, firstName: 'Anna', email: 'anna@example.ru' });
    const id = created.body.customer.ids.mindboxId;
    const code = await lastCode(t, PHONE);
    await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code } });

    const renamed = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, lastName: 'Petrova', email: '%CLEAR%', customFields: { Rank: 'Gold' } } });
    assert.equal(renamed.body.customer.processingStatus, 'Changed');
    assert.equal(renamed.body.customer.lastName, 'Petrova');
    assert.equal(renamed.body.customer.email, undefined);
    assert.deepEqual(renamed.body.customer.customFields, { rank: 'Gold' });
    const [changed] = await events(t, 'customerChanged');
    assert.equal(changed.operation, 'Offline.EditCustomer');
    assert.deepEqual(changed.data.fields.sort(), ['customFields.Rank', 'email', 'lastName']);
    const same = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, lastName: 'Petrova' } });
    assert.equal(same.body.customer.processingStatus, 'NotChanged');
    const bad = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, customFields: { Rank: ['a', 'b'] } } });
    assert.equal(bad.body.validationMessages[0].location, '/customer/customFields/Rank');

    const NEW = '79007654321';
    t.clock.advance(31_000);
    const moved = await t.call('Offline.EditCustomer', { customer: { ids: { mindboxId: id }, mobilePhone: NEW } });
    assert.equal(moved.body.customer.processingStatus, 'Changed');
    assert.equal(moved.body.customer.mobilePhone, PHONE, 'the confirmed phone stays until the new one is confirmed');
    assert.equal(moved.body.customer.pendingMobilePhone, NEW);
    const newCode = await lastCode(t, NEW);
    assert.equal(t.sms.to(NEW).at(-1), `Код подтверждения: ${newCode}`);
    assert.equal((await messagesTo(t, NEW))[0].text, 'Код подтверждения: ••••');
    const byOld = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
    assert.equal(byOld.body.customer.pendingMobilePhone, NEW);

    const confirmed = await t.call('Offline.ConfirmMobilePhone', { customer: { mobilePhone: NEW }, smsConfirmation: { code: newCode } });
    assert.equal(confirmed.body.smsConfirmation.processingStatus, 'MobilePhoneConfirmed');
    assert.equal(confirmed.body.customer.mobilePhone, NEW);
    assert.equal(confirmed.body.customer.isMobilePhoneConfirmed, true);
    assert.equal(confirmed.body.customer.pendingMobilePhone, undefined);
    assert.equal((await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } })).body.customer.processingStatus, 'NotFound');

    await register(t, { mobilePhone: '79001110000' });
    const taken = await t.call('Offline.EditCustomer', { customer: { ids: { mindboxId: id }, mobilePhone: '79001110000' } });
    assert.deepEqual(taken.body.validationMessages.map((m: any) => m.location), ['/customer/mobilePhone']);
    const missing = await t.call('Offline.EditCustomer', { customer: { ids: { mindboxId: 999999 }, firstName: 'X' } });
    assert.equal(missing.body.customer.processingStatus, 'NotFound');
  } finally {
    await t.close();
  }
});

test('XML requests register and confirm the same way', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    const xml = `<operation><customer><mobilePhone>${PHONE}</mobilePhone><firstName>Anna</firstName><sex>m</sex></customer></operation>`;
    const answer = await t.call('Offline.RegisterCustomer', xml, { format: 'xml' });
    assert.match(answer.text, /<processingStatus>Created<\/processingStatus>/);
    const code = await lastCode(t, PHONE);
    const confirm = `<operation><customer><mobilePhone>${PHONE}</mobilePhone></customer><smsConfirmation><code>${code}</code></smsConfirmation></operation>`;
    assert.match((await t.call('Offline.ConfirmMobilePhone', confirm, { format: 'xml' })).text, /MobilePhoneConfirmed/);
  } finally {
    await t.close();
  }
});

test('templates see the guest: names, the code and the points balance, which CheckCustomer shows too', async () => {
  const t = await createTestApp({ smsInbox: true });
  try {
    const project = iikoPreset({ phoneConfirmation: true });
    project.mailings = project.mailings!.map((mailing) =>
      mailing.systemName === 'PhoneConfirmationSms'
        ? { ...mailing, template: '${Recipient.FirstName}, код ${Recipient.MobilePhoneConfirmationCode}. Баллов: ${Recipient.GetBonusPointsAccount("Bonus").Available}' }
        : mailing,
    );
    await applyProject(t.app.db, project);
    await t.app.project.reload();
    const answer = await register(t, { mobilePhone: PHONE, firstName: 'Анна' });
    await adjustBalance(t.app.db, t.app.project.current, {
      customerId: answer.body.customer.ids.mindboxId,
      balanceType: t.app.project.current.balanceType('Bonus')!,
      amount: 120,
      reason: 'welcome gift',
      actor: 'test',
      now: t.clock.now,
    });
    await t.drain();
    assert.match(t.sms.to(PHONE)[0], /^Анна, код \d{4}\. Баллов: 120$/);
    assert.equal((await messagesTo(t, PHONE))[0].text, 'Анна, код ••••. Баллов: 120');
    const found = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
    assert.deepEqual(
      found.body.balances.map((b: any) => [b.systemName, b.total, b.available]),
      [['Bonus', 120, 120]],
    );
  } finally {
    await t.close();
  }
});

test('custom fields and identifiers are named in any case in requests and answered in camel case, as Mindbox does', async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    const project = iikoPreset({ phoneConfirmation: false });
    project.customFields!.push(
      { entity: 'Customer', systemName: 'WebSiteId', name: 'Id on the website', type: 'ExternalIdentifier' },
      { entity: 'Customer', systemName: 'VIPLevel', name: 'VIP level', type: 'Integer' },
    );
    await applyProject(t.app.db, project);
    await t.app.project.reload();

    const created = await register(t, { mobilePhone: PHONE, ids: { WEBSITEID: 'w-1' }, customFields: { viplevel: '2', RANK: 'Silver' } });
    assert.equal(created.body.status, 'Success', JSON.stringify(created.body));
    assert.deepEqual(created.body.customer.ids, { mindboxId: created.body.customer.ids.mindboxId, webSiteId: 'w-1' });
    assert.deepEqual(created.body.customer.customFields, { vipLevel: 2, rank: 'Silver' });
    const [stored] = await t.app.db.selectFrom('customers').select('custom_fields').execute();
    assert.deepEqual(stored.custom_fields, { WebSiteId: 'w-1', VIPLevel: 2, Rank: 'Silver' }, 'values are kept under the system names');

    for (const key of ['webSiteId', 'WebSiteId', 'websiteid']) {
      const found = await t.call('Offline.CheckCustomer', { customer: { ids: { [key]: 'w-1' } } });
      assert.equal(found.body.customer.processingStatus, 'Found', key);
      assert.equal(found.body.customer.customFields.vipLevel, 2);
    }
    const byMindboxId = await t.call('Offline.CheckCustomer', { customer: { ids: { MindboxId: created.body.customer.ids.mindboxId } } });
    assert.equal(byMindboxId.body.customer.processingStatus, 'Found');

    const twice = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, customFields: { Rank: 'Gold', rank: 'Silver' } } });
    assert.equal(twice.body.status, 'ValidationError');
    assert.deepEqual(twice.body.validationMessages.map((m: any) => m.location), ['/customer/customFields/rank']);
    const edited = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, customFields: { vipLevel: 3 } } });
    assert.equal(edited.body.customer.processingStatus, 'Changed');
    assert.deepEqual(edited.body.customer.customFields, { vipLevel: 3, rank: 'Silver' });
    const [changed] = await events(t, 'customerChanged');
    assert.deepEqual(changed.data.fields, ['customFields.VIPLevel'], 'events name fields by system name');
  } finally {
    await t.close();
  }
});

test("phones are checked as mobile numbers, read in the project's country without a country code, and found by the console in any form", async () => {
  const t = await createTestApp({ phoneConfirmation: false });
  try {
    const unreachable = await register(t, { mobilePhone: '+7 000 123-45-67' });
    assert.deepEqual(unreachable.body.validationMessages.map((m: any) => m.location), ['/customer/mobilePhone']);
    const landline = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: '+7 495 123-45-67' } });
    assert.deepEqual(landline.body.validationMessages.map((m: any) => m.location), ['/customer/mobilePhone']);
    const asNumber = await register(t, { mobilePhone: 79001234567 });
    assert.equal(asNumber.body.customer.mobilePhone, PHONE);

    const project = iikoPreset({ phoneConfirmation: false });
    project.settings = { ...project.settings, defaultCountry: 'KZ' };
    await applyProject(t.app.db, project);
    await t.app.project.reload();
    const kazakh = await register(t, { mobilePhone: '8 701 123 45 67' });
    assert.equal(kazakh.body.customer.mobilePhone, '77011234567');
    const russian = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: '+7 (900) 123-45-67' } });
    assert.equal(russian.body.customer.processingStatus, 'Found', 'a number with its country code is the same number anywhere');

    // a guest saved before numbers were checked is still found by the console, by the number as typed
    await t.app.db.insertInto('customers').values({ mobile_phone: '70001234567', custom_fields: '{}', created_at: t.clock.now, updated_at: t.clock.now }).execute();
    const legacy = await t.admin('GET', `/api/admin/customers?q=${encodeURIComponent('+7 000 123-45-67')}`);
    assert.deepEqual(legacy.body.items.map((g: any) => g.mobilePhone), ['70001234567']);
    const byNationalForm = await t.admin('GET', `/api/admin/customers?q=${encodeURIComponent('701 123 45 67')}`);
    assert.deepEqual(byNationalForm.body.items.map((g: any) => g.mobilePhone), ['77011234567']);
    assert.equal((await t.admin('GET', `/api/admin/messages?phone=${encodeURIComponent('8 701 123 45 67')}`)).httpStatus, 200);
    assert.equal((await t.admin('GET', '/api/admin/messages?phone=12')).httpStatus, 400);

    const wrongCountry = validateProject({ settings: { defaultCountry: 'Russia' } });
    assert.deepEqual(!wrongCountry.ok && wrongCountry.problems.map((p) => p.path), ['/settings/defaultCountry']);
  } finally {
    await t.close();
  }
});

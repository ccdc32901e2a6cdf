// Every one of the 15 operations notes, in the operation log entry of its call, the request fields it did not
// use, and notes nothing when it used them all: an integrator reading the console tells a typo from a feature the
// server lacks. The fields each call sends are the ones the operation reads, plus one it does not.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type CallOptions, type TestApp } from './support/app.ts';

let t: TestApp;
const PHONE = '79165550101';

before(async () => {
  t = await createTestApp({ now: '2026-03-02T09:30:00Z' });
  const registered = await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, firstName: 'Анна' } });
  assert.equal(registered.body.status, 'Success');
});
after(async () => {
  await t.close();
});

/** The notes of the newest operation log entry of the operation, as the console's operations log shows them. */
async function notesOf(operation: string): Promise<string[]> {
  const page = await t.admin('GET', `/api/admin/operation-log?operation=${encodeURIComponent(operation)}&limit=1`);
  assert.equal(page.httpStatus, 200);
  return (page.body.items[0].notes ?? []) as string[];
}

async function ignoredBy(operation: string, body: unknown, options: CallOptions = {}): Promise<string | undefined> {
  const answer = await t.call(operation, body, options);
  assert.notEqual(answer.httpStatus, 500, answer.text);
  return (await notesOf(operation)).find((note) => note.startsWith('fields '));
}

const line = (lineNumber: number, extra: Record<string, unknown> = {}) => ({
  lineNumber,
  lineId: `L${lineNumber}`,
  quantity: 1,
  basePricePerItem: 390,
  product: { ids: { iiko: 'borscht' } },
  status: { ids: { externalId: 'iikoCheckedOut' } },
  ...extra,
});

describe('fields an operation does not use', () => {
  it('the guest operations name the unknown field, and only it', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['Offline.RegisterCustomer', { customer: { mobilePhone: '79165550102', firstName: 'Борис', nickname: 'Боря' } }, '/customer/nickname'],
      ['Offline.CheckCustomer', { customer: { mobilePhone: PHONE, firstName: 'Анна' } }, '/customer/firstName'],
      ['Offline.EditCustomer', { customer: { mobilePhone: PHONE, lastName: 'Иванова', favouriteDish: 'борщ' } }, '/customer/favouriteDish'],
      ['Offline.SendMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE }, brand: 'cafe' }, '/brand'],
      ['Offline.CheckMobilePhoneAuthorizationCode', { customer: { mobilePhone: PHONE }, authentificationCode: '0000', channel: 'sms' }, '/channel'],
      ['Offline.ResendMobilePhoneConfirmationCode', { customer: { mobilePhone: PHONE }, reason: 'lost' }, '/reason'],
      ['Offline.ConfirmMobilePhone', { customer: { mobilePhone: PHONE }, smsConfirmation: { code: '0000', sentAt: 'now' } }, '/smsConfirmation/sentAt'],
    ];
    for (const [operation, body, path] of cases) {
      // a phone gets one code in 30 s
      t.clock.advance(60_000);
      assert.equal(await ignoredBy(operation, body), `fields this operation does not use: ${path}`, operation);
    }
  });

  it('the order operations name what Mindbox orders carry and this server does not take', async () => {
    const order = { ids: { iikoOrderId: 'IF-1' }, deliveryCost: 100, lines: [line(1, { costPricePerItem: 120 }), line(2, { costPricePerItem: 80 })] };
    const expected = 'fields this operation does not use: /order/deliveryCost, /order/lines/*/costPricePerItem (2×)';
    assert.equal(await ignoredBy('Offline.AuthorizedPreorder', { customer: { mobilePhone: PHONE }, pointOfContact: 'cafe-1', order }), expected);
    assert.equal(await ignoredBy('Offline.AnonymousPreorder', { pointOfContact: 'cafe-1', order }), expected);
    assert.equal(
      await ignoredBy('Offline.CreateAuthorizedOrder', { customer: { mobilePhone: PHONE }, order: { ...order, totalPrice: 780 } }, { transactionId: randomUUID() }),
      expected,
    );
    assert.equal(
      await ignoredBy('Offline.CreateAnonymousOrder', { order: { ...order, ids: { iikoOrderId: 'IF-2' }, totalPrice: 780 }, executionDateTimeUtc: '2026-03-02T09:00:00Z' }, { transactionId: randomUUID() }),
      'fields this operation does not use: /order/deliveryCost, /order/lines/*/costPricePerItem (2×), /executionDateTimeUtc',
    );
    assert.equal(
      await ignoredBy('Offline.SaveOfflineOrder', { customer: { mobilePhone: PHONE, firstName: 'Анна' }, executionDateTimeUtc: '2026-03-02T09:00:00Z', order: { ...order, ids: { iikoOrderId: 'IF-3' } } }),
      'fields this operation does not use: /customer/firstName, /order/deliveryCost, /order/lines/*/costPricePerItem (2×)',
    );
    assert.equal(
      await ignoredBy('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'IF-1' }, email: 'anna@example.ru' }, orderLinesStatus: 'iikoPaid' }),
      'fields this operation does not use: /order/email',
    );
    assert.equal(
      await ignoredBy('Offline.Return', { order: { ids: { iikoOrderId: 'IF-1' }, lines: [{ lineNumber: 1, quantity: 1, status: 'iikoReturn', reason: 'холодный' }] } }),
      'fields this operation does not use: /order/lines/0/reason',
    );
  });

  it('the catalogue upload names a product field it does not keep once for all the products that carry it', async () => {
    const products = ['borscht', 'shchi', 'solyanka'].map((id) => ({ ids: { iiko: id }, name: id, price: 390, isAvailable: true, vendor: 'кухня' }));
    assert.equal(
      await ignoredBy('Offline.SendProductCatalog', { productCatalog: { products } }),
      'fields this operation does not use: /productCatalog/products/*/vendor (3×)',
    );
  });

  it('a call that uses every field it sends notes nothing, in JSON and in XML', async () => {
    assert.equal(await ignoredBy('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } }), undefined);
    const xml = `<operation xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><customer><mobilePhone>${PHONE}</mobilePhone></customer></operation>`;
    assert.equal(await ignoredBy('Offline.CheckCustomer', xml, { format: 'xml' }), undefined);
  });

  it('a typo that makes the call fail is named too, as not read before the refusal, and through the async endpoint', async () => {
    assert.equal(await ignoredBy('Offline.CheckCustomer', { customer: { mobilPhone: PHONE } }), 'fields not read before the call was refused: /customer/mobilPhone');
    const accepted = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'IF-1' } }, orderLinesStatus: 'iikoPaid', orderLineStatus: 'iikoPaid' }, { mode: 'async' });
    assert.deepEqual(accepted.body, { status: 'Success' });
    await t.drain();
    assert.deepEqual(await notesOf('Offline.ChangeStatus'), ['fields this operation does not use: /orderLineStatus']);
  });
});

// The Mindbox v3 wire protocol as a POS meets it: authentication, envelopes, JSON and XML, idempotency,
// rate limits, async intake and the operation log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestApp, TEST_SECRET_KEY, type TestApp } from './support/app.ts';
import { addSecretKey, applyProject, listSecretKeys, revokeSecretKey } from '../src/project/project.service.ts';

describe('protocol', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.database.db.insertInto('customers').values({ mobile_phone: '79001234567', first_name: 'Анна', custom_fields: { Rank: 'Gold' } }).execute();
  });
  after(() => t.close());

  const checkCustomer = { customer: { mobilePhone: '8 (900) 123-45-67' } };

  test('a guest is found by phone in any format, with the mindboxId', async () => {
    const answer = await t.call('Offline.CheckCustomer', checkCustomer);
    assert.equal(answer.httpStatus, 200);
    assert.equal(answer.body.status, 'Success');
    assert.equal(answer.body.customer.processingStatus, 'Found');
    assert.equal(typeof answer.body.customer.ids.mindboxId, 'number');
    assert.equal(answer.body.customer.customFields.rank, 'Gold');
    const missing = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: '79990000000' } });
    assert.equal(missing.body.customer.processingStatus, 'NotFound');
  });

  test('both Authorization header forms are accepted', async () => {
    const legacy = await t.server.inject({
      method: 'POST',
      url: '/v3/operations/sync?endpointId=iiko&operation=Offline.CheckCustomer',
      headers: { 'content-type': 'application/json', authorization: `Mindbox secretKey="${TEST_SECRET_KEY}"` },
      payload: JSON.stringify(checkCustomer),
    });
    assert.equal(legacy.json().customer.processingStatus, 'Found');
  });

  test('a missing key is 401, a wrong key 403, both ProtocolError with an errorId', async () => {
    const missing = await t.call('Offline.CheckCustomer', checkCustomer, { secretKey: null });
    assert.equal(missing.httpStatus, 401);
    assert.equal(missing.body.status, 'ProtocolError');
    assert.equal(missing.body.httpStatusCode, 401);
    assert.ok(missing.body.errorId);
    const wrong = await t.call('Offline.CheckCustomer', checkCustomer, { secretKey: 'not-the-key' });
    assert.equal(wrong.httpStatus, 403);
    assert.equal(wrong.body.status, 'ProtocolError');
  });

  test('a key added by another process works at once; a revoked one is refused from the next refresh on', async () => {
    const key = await addSecretKey(t.database.db, 'iiko', 'second terminal');
    const added = await t.call('Offline.CheckCustomer', checkCustomer, { secretKey: key });
    assert.equal(added.body.customer.processingStatus, 'Found');
    const stored = (await listSecretKeys(t.database.db)).find((row) => row.label === 'second terminal')!;
    assert.equal(await revokeSecretKey(t.database.db, stored.id), true);
    await t.app.project.refreshIfStale();
    const revoked = await t.call('Offline.CheckCustomer', checkCustomer, { secretKey: key });
    assert.equal(revoked.httpStatus, 403);
    assert.equal(revoked.body.status, 'ProtocolError');
  });

  test('unknown integration point, unknown operation and a disallowed operation say which', async () => {
    const point = await t.call('Offline.CheckCustomer', checkCustomer, { endpointId: 'site' });
    assert.equal(point.httpStatus, 400);
    assert.match(point.body.errorMessage, /integration point "site"/);
    const operation = await t.call('Offline.Nope', checkCustomer);
    assert.equal(operation.httpStatus, 400);
    assert.match(operation.body.errorMessage, /operation "Offline.Nope"/);

    await applyProject(t.app.db, {
      integrationPoints: [{ systemName: 'site', name: 'Сайт' }],
      operations: [{ systemName: 'Website.Only', type: 'GetCustomer', integrationPoints: ['site'] }],
    });
    await t.app.project.reload();
    const disallowed = await t.call('Website.Only', checkCustomer);
    assert.equal(disallowed.httpStatus, 403);
    assert.match(disallowed.body.errorMessage, /not allowed on integration point "iiko"/);
  });

  test('an unparseable body is a 400 ProtocolError, a bad field a 200 ValidationError with its location', async () => {
    const broken = await t.call('Offline.CheckCustomer', undefined, { raw: '{"customer": ' });
    assert.equal(broken.httpStatus, 400);
    assert.equal(broken.body.status, 'ProtocolError');
    const badXml = await t.call('Offline.CheckCustomer', undefined, { format: 'xml', raw: '<operation><customer>' });
    assert.equal(badXml.httpStatus, 400);
    assert.match(badXml.text, /<status>ProtocolError<\/status>/);
    const badPhone = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: 'call me' } });
    assert.equal(badPhone.httpStatus, 200);
    assert.equal(badPhone.body.status, 'ValidationError');
    assert.equal(badPhone.body.validationMessages.length, 1);
    assert.equal(badPhone.body.validationMessages[0].location, '/customer/mobilePhone');
    assert.match(badPhone.body.validationMessages[0].message, /mobile phone/);
  });

  test('XML in, XML out: root <operation> in, <result> out, arrays as wrapper elements', async () => {
    const answer = await t.call('Offline.CheckCustomer', '<operation><customer><mobilePhone>79001234567</mobilePhone></customer></operation>', { format: 'xml' });
    assert.equal(answer.httpStatus, 200);
    assert.match(answer.text, /^<\?xml[^>]*\?><result><status>Success<\/status><customer><processingStatus>Found<\/processingStatus>/);
    const invalid = await t.call('Offline.CheckCustomer', '<operation><customer><mobilePhone>x</mobilePhone></customer></operation>', { format: 'xml' });
    assert.match(invalid.text, /<validationMessages><validationMessage><location>\/customer\/mobilePhone<\/location>/);
  });

  test('a replayed transactionId answers TransactionAlreadyProcessed, for any operation', async () => {
    const transactionId = randomUUID();
    const first = await t.call('Offline.CheckCustomer', checkCustomer, { transactionId });
    assert.equal(first.body.status, 'Success');
    const replay = await t.call('Offline.CheckCustomer', checkCustomer, { transactionId });
    assert.deepEqual(replay.body, { status: 'TransactionAlreadyProcessed' });
    const invalid = await t.call('Offline.CheckCustomer', checkCustomer, { transactionId: 'not-a-guid' });
    assert.equal(invalid.httpStatus, 400);
  });

  test('an async call is accepted at once and processed by the worker exactly once', async () => {
    const transactionId = randomUUID();
    const accepted = await t.call('Offline.CheckCustomer', checkCustomer, { mode: 'async', transactionId });
    assert.deepEqual(accepted.body, { status: 'Success' });
    const pending = await t.app.db.selectFrom('async_operations').select(['status']).where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
    assert.equal(pending.status, 'pending');
    await t.drain();
    await t.drain();
    const done = await t.app.db.selectFrom('async_operations').selectAll().where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
    assert.equal(done.status, 'done');
    assert.equal(done.attempts, 1);
    assert.equal((done.result as any).customer.processingStatus, 'Found');
    const again = await t.call('Offline.CheckCustomer', checkCustomer, { mode: 'async', transactionId });
    assert.deepEqual(again.body, { status: 'TransactionAlreadyProcessed' });
  });

  test('an async call whose body cannot be right is refused at intake with its location, and nothing is queued', async () => {
    const queued = async (transactionId: string) =>
      t.app.db.selectFrom('async_operations').select('id').where('transaction_id', '=', transactionId).executeTakeFirst();
    const badPhone = randomUUID();
    const phone = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: 'nope' } }, { mode: 'async', transactionId: badPhone });
    assert.equal(phone.body.status, 'ValidationError');
    assert.match(JSON.stringify(phone.body.validationMessages), /\/customer\/mobilePhone/);
    assert.equal(await queued(badPhone), undefined);

    const noOrder = randomUUID();
    const order = await t.call('Offline.CreateAuthorizedOrder', { customer: { mobilePhone: '79001234567' } }, { mode: 'async', transactionId: noOrder });
    assert.equal(order.body.status, 'ValidationError');
    assert.match(JSON.stringify(order.body.validationMessages), /\/order/);
    assert.equal(await queued(noOrder), undefined);

    const lines = { order: { ids: { iikoOrderId: 'async-typed' }, totalPrice: 'много', lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 100, product: { ids: { iiko: 'x' } } }] } };
    const typed = await t.call('Offline.CreateAnonymousOrder', lines, { mode: 'async', transactionId: randomUUID() });
    assert.equal(typed.body.status, 'ValidationError');
    assert.match(JSON.stringify(typed.body.validationMessages), /totalPrice/);

    // without a transactionId nothing could tell a second send of it from a second sale
    const anonymous = { order: { totalPrice: 100, lines: [{ lineNumber: 1, quantity: 1, basePricePerItem: 100, product: { ids: { iiko: 'x' } } }] } };
    const noIds = await t.call('Offline.CreateAnonymousOrder', anonymous, { mode: 'async' });
    assert.equal(noIds.body.status, 'ValidationError');
    assert.match(JSON.stringify(noIds.body.validationMessages), /\/order\/ids/);
    const count = await t.app.db.selectFrom('async_operations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await t.drain();
    const after = await t.app.db.selectFrom('async_operations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.equal(after.n, count.n);
  });

  test('an async call that fails on the data it meets is recorded as failed with its answer, not dropped', async () => {
    const transactionId = randomUUID();
    const accepted = await t.call('Offline.ChangeStatus', { order: { ids: { iikoOrderId: 'never-created' } }, orderLinesStatus: 'iikoPaid' }, { mode: 'async', transactionId });
    assert.deepEqual(accepted.body, { status: 'Success' });
    await t.drain();
    const row = await t.app.db.selectFrom('async_operations').selectAll().where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
    assert.equal(row.status, 'failed');
    assert.equal((row.result as any).status, 'ProtocolError');
    assert.match((row.result as any).errorMessage, /never-created/);
  });

  test('every call is in the operation log with phones masked', async () => {
    const { httpStatus, body } = await t.admin('GET', '/api/admin/operation-log?operation=Offline.CheckCustomer&limit=100');
    assert.equal(httpStatus, 200);
    assert.ok(body.items.length >= 5);
    const text = JSON.stringify(body.items);
    assert.doesNotMatch(text, /9001234567/);
    assert.match(text, /7\*\*\*\*\*\*67/);
    assert.match(text, /"isMobilePhoneConfirmed":false/);
    const statuses = new Set(body.items.map((item: any) => item.status));
    for (const status of ['Success', 'ProtocolError', 'ValidationError', 'TransactionAlreadyProcessed']) assert.ok(statuses.has(status), status);
    const modes = new Set(body.items.map((item: any) => item.mode));
    assert.ok(modes.has('async') && modes.has('sync'));
  });

  test('the admin API refuses a missing or wrong token with 401 and no data', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', 'Basic abc']) {
      const response = await t.server.inject({ method: 'GET', url: '/api/admin/project', headers: authorization ? { authorization } : {} });
      assert.equal(response.statusCode, 401);
      assert.doesNotMatch(response.body, /iikoOrderId/);
    }
    const project = await t.admin('GET', '/api/admin/project');
    assert.equal(project.httpStatus, 200);
    assert.equal(project.body.integrationPoints[0].systemName, 'iiko');
  });

  test('health answers 200 with the database reachable', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/health' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().status, 'ok');
  });
});

describe('protocol limits', () => {
  test('the rate limit per integration point and operation answers 429 ProtocolError', async () => {
    const t = await createTestApp({ env: { REGULARS_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const body = { customer: { mobilePhone: '79001234567' } };
      for (let i = 0; i < 3; i++) assert.equal((await t.call('Offline.CheckCustomer', body)).httpStatus, 200);
      const limited = await t.call('Offline.CheckCustomer', body);
      assert.equal(limited.httpStatus, 429);
      assert.equal(limited.body.status, 'ProtocolError');
      assert.match(limited.body.errorMessage, /rate limit of 3/);
    } finally {
      await t.close();
    }
  });

  test('an oversized body is a ProtocolError, not a crash', async () => {
    const t = await createTestApp({ env: { REGULARS_BODY_LIMIT_MB: '0.01' } });
    try {
      const big = { customer: { mobilePhone: '79001234567', note: 'x'.repeat(20_000) } };
      const answer = await t.call('Offline.CheckCustomer', big);
      assert.equal(answer.httpStatus, 413);
      assert.equal(answer.body.status, 'ProtocolError');
    } finally {
      await t.close();
    }
  });
});

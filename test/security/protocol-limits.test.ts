// The protocol's limits as a POS (or someone holding a stolen key) meets them, in-process (decision 0014): each
// operation type has its body limit, every body its nesting limit and its reserved names, each refused with the
// Mindbox envelope in the call's format; a deeply nested field changes nothing; a committed success stays one
// whatever happens to its log entry; behind a reverse proxy, failed authentications are counted by the address
// the proxy appends. The same limits over real sockets: protocol-limits.e2e.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { createTestApp, TEST_SECRET_KEY, type TestApp } from '../support/app.ts';

const PHONE = '79031234567';
const xml = new XMLParser();
const nestedJson = (levels: number, leaf: string) => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;

async function operationLog(t: TestApp, operation: string): Promise<{ status: string; http_status: number; request: unknown; response: { status: string }; notes: string[] | null }[]> {
  return (await t.admin('GET', `/api/admin/operation-log?operation=${operation}&limit=100`)).body.items;
}

describe('body limits, nesting and names', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('each operation type has its body limit: 64 KB for a guest, 1 MB for a bill, the configured one for the menu', async () => {
    const padded = (bytes: number) => ({ customer: { mobilePhone: PHONE }, padding: 'x'.repeat(bytes) });
    const guest = await t.call('Offline.CheckCustomer', padded(70 * 1024));
    assert.equal(guest.httpStatus, 413);
    assert.equal(guest.body.status, 'ProtocolError');
    assert.equal(guest.body.httpStatusCode, 413);
    assert.match(guest.body.errorMessage, /Offline\.CheckCustomer may have at most 65536 bytes; the server's REGULARS_CALL_BODY_LIMIT_KB sets the limit/);
    const bill = await t.call('Offline.AnonymousPreorder', { order: { lines: [] }, padding: 'x'.repeat(70 * 1024) });
    assert.notEqual(bill.httpStatus, 413);
    const bigBill = await t.call('Offline.AnonymousPreorder', { order: { lines: [] }, padding: 'x'.repeat(1100 * 1024) });
    assert.equal(bigBill.httpStatus, 413);
    assert.match(bigBill.body.errorMessage, /at most 1048576 bytes; the server's REGULARS_ORDER_BODY_LIMIT_KB/);
    const menu = await t.call('Offline.SendProductCatalog', { productCatalog: { products: [] }, padding: 'x'.repeat(2 * 1024 * 1024) });
    assert.notEqual(menu.httpStatus, 413);
    const xmlRefusal = await t.call('Offline.CheckCustomer', `<operation><customer><mobilePhone>${PHONE}</mobilePhone></customer><padding>${'x'.repeat(70 * 1024)}</padding></operation>`, { format: 'xml' });
    assert.equal(xmlRefusal.httpStatus, 413);
    assert.equal(xml.parse(xmlRefusal.text).result.status, 'ProtocolError');
  });

  test('the limits follow the configuration', async () => {
    const small = await createTestApp({ env: { REGULARS_CALL_BODY_LIMIT_KB: '1', REGULARS_ORDER_BODY_LIMIT_KB: '2' } });
    try {
      assert.equal((await small.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE }, padding: 'x'.repeat(1100) })).httpStatus, 413);
      assert.equal((await small.call('Offline.AnonymousPreorder', { order: { lines: [] }, padding: 'x'.repeat(1100) })).httpStatus, 200);
      assert.equal((await small.call('Offline.AnonymousPreorder', { order: { lines: [] }, padding: 'x'.repeat(2100) })).httpStatus, 413);
    } finally {
      await small.close();
    }
  });

  test('a body nested 5 000 levels deep is a 400 ProtocolError on every operation, in JSON and in XML', async () => {
    const operations = (await t.admin('GET', '/api/admin/project')).body.operations.map((operation: { systemName: string }) => operation.systemName);
    assert.equal(operations.length, 15);
    for (const operation of operations) {
      const json = await t.call(operation, undefined, { raw: `{"customer":${nestedJson(5000, '"x"')}}` });
      assert.equal(json.httpStatus, 400, operation);
      assert.equal(json.body.errorMessage, 'the body nests deeper than 64 levels');
      const deepXml = await t.call(operation, `<operation>${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}</operation>`, { format: 'xml' });
      assert.equal(deepXml.httpStatus, 400, operation);
      assert.equal(xml.parse(deepXml.text).result.errorMessage, 'the body nests deeper than 64 levels');
    }
  });

  test('XML elements named __proto__, constructor or prototype are a 400 ProtocolError in XML, and pollute nothing', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const answer = await t.call('Offline.CheckCustomer', `<operation><customer><${name}><polluted>yes</polluted></${name}><mobilePhone>${PHONE}</mobilePhone></customer></operation>`, {
        format: 'xml',
      });
      assert.equal(answer.httpStatus, 400, name);
      const result = xml.parse(answer.text).result;
      assert.equal(result.status, 'ProtocolError');
      assert.equal(result.errorMessage, `the body uses the reserved name "${name}"`);
      assert.equal(result.httpStatusCode, 400);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('an unknown mode of call is a 404, as before', async () => {
    const response = await t.server.inject({ method: 'POST', url: '/v3/operations/bulk?endpointId=iiko&operation=Offline.CheckCustomer', headers: { authorization: `SecretKey ${TEST_SECRET_KEY}` }, payload: '{}' });
    assert.equal(response.statusCode, 404);
  });
});

describe('nothing after the commit turns a success into an error', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ phoneConfirmation: false });
    await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONE, firstName: 'Анна' } });
  });
  after(() => t.close());

  test('EditCustomer with a field nested 5 000 levels deep changes nothing, answers so, and is logged', async () => {
    const answer = await t.call('Offline.EditCustomer', undefined, {
      raw: `{"customer":{"mobilePhone":"${PHONE}","firstName":"Мария","customFields":{"Rank":${nestedJson(5000, '"Gold"')}}}}`,
    });
    assert.equal(answer.httpStatus, 400);
    assert.equal(answer.body.status, 'ProtocolError');
    const guest = await t.call('Offline.CheckCustomer', { customer: { mobilePhone: PHONE } });
    assert.equal(guest.body.customer.firstName, 'Анна');
    const [entry] = await operationLog(t, 'Offline.EditCustomer');
    assert.equal(entry.status, 'ProtocolError');
    assert.equal(entry.http_status, 400);
    assert.ok(!JSON.stringify(entry.request).includes(PHONE));
  });

  test('a committed edit answers its success even when its log entry cannot be written whole, and the log keeps it shortened', async () => {
    const writer = t.app.operationLog;
    const add = writer.add.bind(writer);
    let failures = 0;
    writer.add = (entry) => {
      if (entry.operation === 'Offline.EditCustomer' && failures === 0) {
        failures += 1;
        throw new Error('the log writer failed');
      }
      add(entry);
    };
    try {
      const answer = await t.call('Offline.EditCustomer', { customer: { mobilePhone: PHONE, firstName: 'Мария' } });
      assert.equal(answer.httpStatus, 200);
      assert.equal(answer.body.customer.processingStatus, 'Changed');
      assert.equal(answer.body.customer.firstName, 'Мария');
    } finally {
      writer.add = add;
    }
    const [entry] = await operationLog(t, 'Offline.EditCustomer');
    assert.equal(entry.status, 'Success');
    assert.equal(entry.request, null);
    assert.deepEqual(entry.response, { status: 'Success' });
    assert.match(entry.notes!.join(' '), /logged without its request and answer/);
  });
});

describe('failed authentication behind a reverse proxy', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { REGULARS_TRUST_PROXY: 'true' } });
  });
  after(() => t.close());

  /** A CheckCustomer as the proxy forwards it for `client`: it appends the address it saw to X-Forwarded-For. */
  const forwarded = async (client: string, key: string) => {
    const response = await t.server.inject({
      method: 'POST',
      url: '/v3/operations/sync?endpointId=iiko&operation=Offline.CheckCustomer',
      headers: { 'content-type': 'application/json', authorization: `SecretKey ${key}`, 'x-forwarded-for': `198.51.100.7, ${client}` },
      payload: JSON.stringify({ customer: { mobilePhone: PHONE } }),
    });
    return { status: response.statusCode, retryAfter: response.headers['retry-after'], body: response.json() };
  };

  test('twenty failures shut the client address out for a minute, the right key included; other clients go on; the refusals cost no log entry', async () => {
    const failures = await Promise.all(Array.from({ length: 20 }, (_, index) => forwarded('203.0.113.5', `wrong-key-${index}-0123456789`)));
    assert.ok(failures.every((answer) => answer.status === 403));
    for (let attempt = 0; attempt < 50; attempt++) {
      const shutOut = await forwarded('203.0.113.5', TEST_SECRET_KEY);
      assert.equal(shutOut.status, 429);
      assert.equal(shutOut.body.status, 'ProtocolError');
      assert.equal(shutOut.body.errorMessage, 'too many failed authentications from this address; try again in 60 s');
      assert.equal(shutOut.retryAfter, '60');
    }
    await t.app.operationLog.flush();
    assert.equal((await operationLog(t, 'Offline.CheckCustomer')).length, 20);
    // the address the client wrote itself is not counted: the one the proxy appended is
    const otherClient = await forwarded('203.0.113.6', TEST_SECRET_KEY);
    assert.equal(otherClient.status, 200);
    t.clock.advance(60_000);
    assert.equal((await forwarded('203.0.113.5', TEST_SECRET_KEY)).status, 200);
  });
});

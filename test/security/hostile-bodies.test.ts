// 10 000 hostile bodies thrown at the 15 operations of the iiko preset over HTTP (in-process), JSON and XML:
// bodies a POS would send with every field made wrong — wrong types, huge strings, odd unicode, numbers out of
// range —, bodies nested thousands of levels deep, prototype names, truncated documents and plain garbage.
// Whatever comes, the server answers below 500 with a Mindbox envelope in the request's format, no error text
// repeats a phone, card, e-mail or code of the body, every call is in the operation log and the log shows none
// of them in clear (decision 0014). Set HOSTILE_SEED to replay a run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { singularOf } from '../../src/protocol/mindbox/codec.ts';
import { iikoPreset } from '../../src/project/presets/iiko.ts';
import { createTestApp, TEST_SECRET_KEY, type TestApp } from '../support/app.ts';

const BODIES = 10_000;
/** Calls sent at once: on PostgreSQL the database works beside the server, and calls racing each other are hostile too. */
const AT_ONCE = 4;
/** every operation the iiko preset offers a POS */
const OPERATIONS = iikoPreset({ phoneConfirmation: true }).operations!.map((operation) => operation.systemName);

// What must never come back in an error, nor stand in clear in the log: each kind is put only where the
// protocol names it (a phone under mobilePhone, a card under discountCard, …), so the log knows to mask it.
const PHONES = ['79161112233', '79267778899', '+7 (903) 555-44-21'];
const CARDS = ['2000555512345', '4276380012345678'];
const EMAILS = ['olga.smirnova@example.ru', 'ivan+loyalty@mail.example.com'];
const CODES = ['58041793', '29361804'];
const digitsOf = (text: string) => text.replace(/\D/g, '');

const oddText = fc.constantFrom(
  '',
  ' ',
  '%CLEAR%',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff tail',
  '\uffff\ufffe',
  '\ufeffBOM',
  '\u202eRTL override',
  'zero\u200bwidth',
  'e\u0301\u0301\u0301',
  '😀'.repeat(50),
  '\r\n\t',
  '<script>alert(1)</script>',
  ']]>&lt;&#0;&#x10FFFF;&amp',
  "'; drop table customers; --",
  '1e309',
  '-0',
  'NaN',
  '2026-02-30',
  '9999-12-31T23:59:59Z',
  '0000-00-00 00:00:00.000',
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.001, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e-320, 123456789.123456),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** A huge text: Cyrillic takes two bytes, so the longer ones pass a 64 KB limit, the shorter ones reach the handlers. */
const hugeText = fc.integer({ min: 1_000, max: 40_000 }).map((length) => 'ж'.repeat(length));

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 20, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 15, arbitrary: oddText },
  { weight: 15, arbitrary: hostileNumber },
  { weight: 5, arbitrary: fc.boolean() },
  { weight: 5, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: hugeText },
);

/** Any value at all, a few levels deep: what a field gets when its type is wrong. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: hostileLeaf },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }) },
  ),
})).value;

/** A field as the POS would send it, or made wrong. */
const field = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: good }, { weight: 1, arbitrary: hostileValue });
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

const customer = fc.record(
  {
    mobilePhone: field(fc.constantFrom(...PHONES)),
    email: field(fc.constantFrom(...EMAILS)),
    firstName: field(fc.constantFrom('Анна', 'Olga', 'Мария-Луиза')),
    lastName: field(fc.constantFrom('Петрова', "O'Brien")),
    birthDate: field(fc.constantFrom('1990-01-31', '2030-01-01', '31.01.1990')),
    sex: field(fc.constantFrom('female', 'male')),
    discountCard: field(fc.record({ ids: field(fc.record({ number: field(fc.constantFrom(...CARDS)) })) })),
    ids: field(fc.record({ mindboxId: field(fc.integer({ min: -1, max: 1_000 })) }, { requiredKeys: [] })),
    customFields: field(fc.dictionary(fc.constantFrom('Rank', 'rank', 'Unknown', 'Note'), hostileValue, { maxKeys: 3 })),
  },
  { requiredKeys: [] },
);

const line = fc.record(
  {
    lineNumber: field(fc.integer({ min: 0, max: 5 })),
    lineId: field(fc.constantFrom('L1', 'L2')),
    quantity: field(fc.constantFrom(1, 2, 0.5, 1000000)),
    basePricePerItem: field(fc.constantFrom(150, 99.99, 0)),
    product: field(fc.record({ ids: field(fc.record({ iiko: field(fc.constantFrom('dish-1', 'dish-2')) })) })),
    status: field(fc.oneof(fc.constantFrom('iikoPaid', 'iikoReturn', 'iikoCheckedOut'), fc.record({ ids: fc.record({ externalId: fc.constantFrom('iikoPaid', 'iikoReturn') }) }))),
  },
  { requiredKeys: [] },
);

const order = fc.record(
  {
    ids: field(fc.record({ iikoOrderId: field(fc.constantFrom('order-1', 'order-2', 'order-3')) })),
    lines: field(fc.array(line, { maxLength: 4 })),
    totalPrice: field(fc.constantFrom(300, 0, 1e12)),
    bonusPoints: field(fc.array(fc.record({ amount: field(fc.constantFrom(10, 100000)) }), { maxLength: 2 })),
    payments: field(fc.array(fc.record({ type: field(fc.constantFrom('Cash', 'Card')), amount: field(fc.constantFrom(300, -5)) }), { maxLength: 2 })),
    coupons: field(fc.array(fc.record({ ids: field(fc.record({ code: field(fc.constantFrom(...CODES)) })) }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

const product = fc.record(
  {
    ids: field(fc.record({ iiko: field(fc.constantFrom('dish-1', 'dish-2', '')) })),
    name: field(fc.constantFrom('Латте', '')),
    price: field(fc.constantFrom(250, -1, 0.001)),
    isAvailable: field(fc.boolean()),
    categories: field(fc.array(fc.record({ ids: fc.record({ iiko: fc.constantFrom('c1', 'c2') }) }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

/** A body as some operation of the preset expects it, every field possibly wrong. */
const plausibleBody = fc.record(
  {
    customer: field(customer),
    order: field(order),
    pointOfContact: field(fc.constantFrom('cafe-1')),
    executionDateTimeUtc: field(fc.constantFrom('2026-11-29 12:00:00.000', '2099-01-01 00:00:00.000')),
    authentificationCode: field(fc.constantFrom(...CODES)),
    smsConfirmation: field(fc.record({ code: field(fc.constantFrom(...CODES)) })),
    orderLinesStatus: field(fc.constantFrom('iikoPaid', 'iikoReturn', 'nope')),
    productCatalog: field(fc.record({ products: field(fc.array(product, { maxLength: 3 })), categories: field(fc.array(hostileValue, { maxLength: 2 })) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** A body with a node nested 65 to 5 000 levels deep somewhere a handler looks. */
const deepBody = fc.record({
  levels: fc.integer({ min: 65, max: 5_000 }),
  leaf: fc.constantFrom(...PHONES, 'x', 1),
  asArrays: fc.boolean(),
  where: fc.constantFrom('customer', 'customFields', 'lines', 'root'),
});

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Body = { kind: 'value'; value: unknown } | { kind: 'text'; text: string; xmlText: string };

/** A node `levels` deep as JSON and as XML text: written out, since JSON.stringify itself would overflow the stack. */
function nested(levels: number, leaf: string, asArrays: boolean): { json: string; xml: string } {
  const json = asArrays ? `${'['.repeat(levels)}${JSON.stringify(leaf)}${']'.repeat(levels)}` : `${'{"value":'.repeat(levels)}${JSON.stringify(leaf)}${'}'.repeat(levels)}`;
  const element = asArrays ? 'item' : 'value';
  return { json, xml: `${`<${element}>`.repeat(levels)}${escapeXml(leaf)}${`</${element}>`.repeat(levels)}` };
}

/** XML as the protocol writes it (arrays as a wrapper with singular items); names are written as they are, valid or not. */
function toXml(value: unknown, name: string): string {
  if (Array.isArray(value)) return `<${name}>${value.map((item) => toXml(item, singularOf(name))).join('')}</${name}>`;
  if (value && typeof value === 'object') return `<${name}>${Object.entries(value).map(([key, item]) => toXml(item, key)).join('')}</${name}>`;
  if (value === null || value === undefined) return `<${name}/>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const bodies: fc.Arbitrary<Body> = fc.oneof(
  { weight: 8, arbitrary: plausibleBody.map((value) => ({ kind: 'value' as const, value })) },
  {
    weight: 2,
    arbitrary: deepBody.map(({ levels, leaf, asArrays, where }) => {
      const { json, xml } = nested(levels, String(leaf), asArrays);
      const [jsonText, xmlText] =
        where === 'customer'
          ? [`{"customer":${json}}`, `<operation><customer>${xml}</customer></operation>`]
          : where === 'customFields'
            ? [`{"customer":{"mobilePhone":"${PHONES[0]}","customFields":{"Rank":${json}}}}`, `<operation><customer><mobilePhone>${PHONES[0]}</mobilePhone><customFields><Rank>${xml}</Rank></customFields></customer></operation>`]
            : where === 'lines'
              ? [`{"order":{"lines":[${json}]}}`, `<operation><order><lines><line>${xml}</line></lines></order></operation>`]
              : [`{"value":${json}}`, `<operation>${xml}</operation>`];
      return { kind: 'text' as const, text: jsonText, xmlText };
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ name: fc.constantFrom(...PROTOTYPE_NAMES), body: plausibleBody, inside: fc.constantFrom('root', 'customer', 'order') }).map(({ name, body, inside }) => {
      const polluted = { [name]: { polluted: 'yes', mobilePhone: PHONES[1] } };
      // JSON.parse gives __proto__ as an own key; built here with defineProperty, it is serialised as one too
      const holder: Record<string, unknown> = inside === 'root' ? body : ((body[inside] = {}) as Record<string, unknown>);
      Object.defineProperty(holder, name, { value: polluted[name], enumerable: true, configurable: true, writable: true });
      return { kind: 'value' as const, value: body };
    }),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(plausibleBody, fc.double({ min: 0, max: 1, noNaN: true })).map(([value, cut]) => {
      const json = JSON.stringify(value);
      const xml = `<operation>${Object.entries(value).map(([key, item]) => toXml(item, key)).join('')}</operation>`;
      return { kind: 'text' as const, text: json.slice(0, Math.floor(json.length * cut)), xmlText: xml.slice(0, Math.floor(xml.length * cut)) };
    }),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json({ maxDepth: 3 }), oddText).map((text) => ({ kind: 'text' as const, text, xmlText: text })),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ unit: 'binary', maxLength: 20 }), hostileValue, { maxKeys: 6 }).map((value) => ({ kind: 'value' as const, value })) },
);

const calls = fc.record({
  operation: fc.constantFrom(...OPERATIONS),
  format: fc.constantFrom('json' as const, 'xml' as const),
  mode: fc.constantFrom('sync', 'sync', 'sync', 'sync', 'sync', 'sync', 'sync', 'sync', 'sync', 'async'),
  transactionId: fc.constantFrom(null, null, null, null, null, null, null, null, 'guid', 'not-a-guid'),
  body: bodies,
});

type HostileCall = typeof calls extends fc.Arbitrary<infer T> ? T : never;

const ENVELOPE_STATUSES = new Set(['Success', 'ValidationError', 'ProtocolError', 'TransactionAlreadyProcessed']);
const xmlAnswers = new XMLParser({ parseTagValue: false });

/** The secrets the payload holds, to look for in what comes back. */
function secretsIn(payload: string): { digits: string[]; texts: string[] } {
  const payloadDigits = digitsOf(payload);
  const digits = [...PHONES, ...CARDS].map(digitsOf).filter((secret) => payloadDigits.includes(secret));
  const texts = [...EMAILS, ...CODES].filter((secret) => payload.includes(secret));
  return { digits: digits.map((secret) => secret.slice(-10)), texts };
}

/** The texts of an error answer a person reads: its message and its validation messages. */
function errorTexts(envelope: Record<string, unknown>): string[] {
  const messages = envelope.validationMessages;
  const list = Array.isArray(messages) ? messages : messages && typeof messages === 'object' ? Object.values(messages as object).flat() : [];
  return [String(envelope.errorMessage ?? ''), ...list.map((message) => JSON.stringify(message))];
}

let t: TestApp;
before(async () => {
  t = await createTestApp();
  await t.call('Offline.RegisterCustomer', { customer: { mobilePhone: PHONES[0], firstName: 'Анна', email: EMAILS[0] } });
});
after(() => t?.close());

test(`${BODIES} hostile bodies at the 15 operations: never a 5xx, always an envelope in the request's format, nothing leaked`, async () => {
  const started = performance.now();
  const statuses = new Map<string, number>();
  let sent = 0;
  const seed = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : undefined;
  const throwCall = async ({ operation, format, mode, transactionId, body }: HostileCall) => {
    const payload = body.kind === 'text' ? (format === 'json' ? body.text : body.xmlText) : format === 'json' ? JSON.stringify(body.value) : toXml(body.value, 'operation');
    const query = new URLSearchParams({ endpointId: 'iiko', operation });
    if (transactionId) query.set('transactionId', transactionId === 'guid' ? randomUUID() : transactionId);
    const response = await t.server.inject({
      method: 'POST',
      url: `/v3/operations/${mode}?${query}`,
      headers: { 'content-type': format === 'json' ? 'application/json' : 'application/xml', authorization: `SecretKey ${TEST_SECRET_KEY}` },
      payload,
    });
    sent += 1;
    assert.ok(response.statusCode < 500, `HTTP ${response.statusCode}: ${response.body.slice(0, 300)}`);
    assert.match(String(response.headers['content-type']), format === 'json' ? /^application\/json/ : /^application\/xml/);
    if (format === 'xml') assert.equal(XMLValidator.validate(response.body), true, response.body.slice(0, 300));
    const envelope = (format === 'json' ? JSON.parse(response.body) : xmlAnswers.parse(response.body).result) as Record<string, unknown>;
    assert.ok(ENVELOPE_STATUSES.has(String(envelope.status)), `status ${envelope.status}`);
    if (envelope.status === 'ProtocolError') assert.equal(Number(envelope.httpStatusCode), response.statusCode);
    else assert.equal(response.statusCode, 200);
    const key = `${response.statusCode} ${envelope.status}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    if (envelope.status === 'ProtocolError' || envelope.status === 'ValidationError') {
      const secrets = secretsIn(payload);
      for (const text of errorTexts(envelope)) {
        for (const secret of secrets.digits) assert.ok(!digitsOf(text).includes(secret), `an error repeats ${secret}: ${text}`);
        for (const secret of secrets.texts) assert.ok(!text.includes(secret), `an error repeats ${secret}: ${text}`);
      }
    }
  };
  await fc.assert(
    fc.asyncProperty(fc.array(calls, { minLength: AT_ONCE, maxLength: AT_ONCE }), async (batch) => {
      // every call of the batch ends before the property does: one left in flight would meet a closed database
      const outcomes = await Promise.allSettled(batch.map(throwCall));
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    }),
    { numRuns: BODIES / AT_ONCE, seed },
  );
  await t.app.operationLog.flush();
  const logged = await t.database.db.selectFrom('operation_log').select(['request', 'response']).execute();
  // every call is in the log (the registration before is one more)
  assert.equal(logged.length, sent + 1);
  const inClear = [...PHONES, ...PHONES.map(digitsOf), ...CARDS, ...EMAILS, ...CODES];
  for (const entry of logged) {
    const text = `${JSON.stringify(entry.request)} ${JSON.stringify(entry.response).replace(/"errorId":"[^"]*"/g, '')}`;
    for (const secret of inClear) assert.ok(!text.includes(secret), `the log shows ${secret}: ${text.slice(0, 300)}`);
  }
  console.log(`${sent} hostile calls in ${((performance.now() - started) / 1000).toFixed(1)} s: ${[...statuses].sort().map(([status, count]) => `${status} ×${count}`).join(', ')}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forLog, maskRawText } from './mask.ts';

test('phones and codes are masked wherever they sit; flags and amounts stay readable', () => {
  const masked = JSON.parse(
    forLog({
      customer: { mobilePhone: '79001234567', pendingMobilePhone: 79007654321, isMobilePhoneConfirmed: true, firstName: 'Анна' },
      authentificationCode: '1234',
      smsConfirmation: { code: '5678' },
      phones: ['79001112233', 79004445566],
      order: { totalPrice: 450, lines: [{ basePricePerItem: 150 }] },
    }),
  );
  assert.deepEqual(masked, {
    customer: { mobilePhone: '7******67', pendingMobilePhone: '7******21', isMobilePhoneConfirmed: true, firstName: 'Анна' },
    authentificationCode: '***',
    smsConfirmation: { code: '***' },
    phones: ['7******33', '7******66'],
    order: { totalPrice: 450, lines: [{ basePricePerItem: 150 }] },
  });
});

test('a huge body is logged as a summary', () => {
  const logged = JSON.parse(forLog({ products: Array.from({ length: 20_000 }, (_, i) => ({ id: String(i), name: 'Капучино' })) }));
  assert.equal(logged.truncated, true);
  assert.equal(logged.moreThanChars, 64 * 1024);
  assert.ok(logged.excerpt.startsWith('{"products":[{"id":"0","name":"Капучино"}'));
  assert.ok(logged.excerpt.length <= 2048);
});

test('e-mails and card numbers are masked as phones are, also nested or in lists; statuses stay readable', () => {
  const masked = JSON.parse(
    forLog({
      customer: {
        email: 'anna.petrova@example.ru',
        isEmailConfirmed: true,
        discountCard: { ids: { number: '2000123456789' }, processingStatus: 'Found' },
        mobilePhone: { nested: { again: '79001234567' } },
      },
      discountCards: [{ ids: { number: '2000987654321' } }],
      mobilePhoneConfirmation: { processingStatus: 'MobilePhoneConfirmed' },
    }),
  );
  assert.deepEqual(masked, {
    customer: {
      email: 'a***@***.ru',
      isEmailConfirmed: true,
      discountCard: { ids: { number: '2******89' }, processingStatus: 'Found' },
      mobilePhone: { nested: { again: '7******67' } },
    },
    discountCards: [{ ids: { number: '2******21' } }],
    mobilePhoneConfirmation: { processingStatus: 'MobilePhoneConfirmed' },
  });
});

test('a body nested 100 000 levels deep is logged without overflowing the stack, deeper levels as a marker', () => {
  let deep: unknown = { mobilePhone: '79001234567' };
  for (let level = 0; level < 100_000; level++) deep = { value: deep };
  const logged = forLog({ customer: { customFields: { Note: deep } } });
  assert.match(logged, /"\[nested deeper than 64 levels\]"/);
  assert.doesNotMatch(logged, /79001234567/);
  assert.doesNotThrow(() => JSON.parse(logged));
});

test('what JSON cannot hold is written as JSON writes it, and nothing throws', () => {
  const cyclic: Record<string, unknown> = { name: 'cycle' };
  cyclic.self = cyclic;
  assert.equal(forLog({ big: 10n, missing: undefined, nan: Number.NaN, at: new Date('2026-11-29T12:00:00Z'), list: [undefined] }), '{"big":"10","nan":null,"at":"2026-11-29T12:00:00.000Z","list":[null]}');
  assert.doesNotThrow(() => JSON.parse(forLog(cyclic)));
});

test('a text that could not be decoded keeps its shape with phones, cards, codes and e-mails masked', () => {
  const raw =
    '{"customer":{"mobilePhone":"+7 (900) 123-45-67","email":"anna@example.com","discountCard":{"ids":{"number":"2000123456789"}}},' +
    '"authentificationCode":"12ab","smsConfirmation":{"code":123456} broken';
  const masked = maskRawText(raw);
  for (const secret of ['123-45-67', '9001234567', 'anna@example.com', '2000123456789', '12ab', '123456']) assert.ok(!masked.includes(secret), secret);
  assert.ok(masked.startsWith('{"customer":{"mobilePhone":"'));
  assert.match(masked, /"authentificationCode":"\*\*\*"/);
  const xml = maskRawText('<operation><customer><mobilePhone>79001234567</mobilePhone></customer><code>ab12</code>');
  assert.equal(xml, '<operation><customer><mobilePhone>7******67</mobilePhone></customer><code>***</code>');
  assert.equal(maskRawText('x'.repeat(10_000)).length, 2048);
});

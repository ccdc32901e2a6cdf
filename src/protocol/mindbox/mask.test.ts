import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forLog } from './mask.ts';

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
  assert.ok(logged.size > 64 * 1024);
  assert.ok(logged.excerpt.startsWith('{"products":'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forLog, maskSensitive } from './mask.ts';

test('phones and codes are masked wherever they sit; flags and amounts stay readable', () => {
  const masked = maskSensitive({
    customer: { mobilePhone: '79001234567', pendingMobilePhone: 79007654321, isMobilePhoneConfirmed: true, firstName: 'Анна' },
    authentificationCode: '1234',
    smsConfirmation: { code: '5678' },
    order: { totalPrice: 450, lines: [{ basePricePerItem: 150 }] },
  });
  assert.deepEqual(masked, {
    customer: { mobilePhone: '7******67', pendingMobilePhone: '7******21', isMobilePhoneConfirmed: true, firstName: 'Анна' },
    authentificationCode: '***',
    smsConfirmation: { code: '***' },
    order: { totalPrice: 450, lines: [{ basePricePerItem: 150 }] },
  });
});

test('a huge body is logged as a summary', () => {
  const logged = forLog({ products: Array.from({ length: 20_000 }, (_, i) => ({ id: String(i), name: 'Капучино' })) }) as { truncated: boolean; size: number };
  assert.equal(logged.truncated, true);
  assert.ok(logged.size > 64 * 1024);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone } from './phone.ts';

test('phones typed in any Russian format become the same international number', () => {
  for (const typed of ['+7 (900) 123-45-67', '8 (900) 123-45-67', '89001234567', '79001234567', 79001234567, '900 123 45 67', '7.900.123.45.67']) {
    assert.equal(normalizePhone(typed), '79001234567', String(typed));
  }
});

test('foreign numbers keep their country code; nonsense is refused', () => {
  assert.equal(normalizePhone('+375 29 123-45-67'), '375291234567');
  for (const bad of ['', 'abc', '12345', '+7 900 123 45 6', '7900123456789', '0123456789012', null, undefined, {}, '79001234567a']) {
    assert.equal(normalizePhone(bad), null, String(bad));
  }
});

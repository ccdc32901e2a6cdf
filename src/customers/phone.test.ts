import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone, phoneForLookup } from './phone.ts';

test('phones typed in any Russian format become the same international number', () => {
  for (const typed of ['+7 (900) 123-45-67', '8 (900) 123-45-67', '89001234567', '79001234567', 79001234567, '900 123 45 67', '7.900.123.45.67', ' +7 900 1234567 ']) {
    assert.equal(normalizePhone(typed, 'RU'), '79001234567', String(typed));
  }
});

test('mobile numbers of the markets iiko serves keep their country code', () => {
  const numbers: [string, string][] = [
    ['+7 701 123 45 67', '77011234567'], // Kazakhstan shares +7 with Russia
    ['+375 29 123-45-67', '375291234567'], // Belarus
    ['+998 90 123 45 67', '998901234567'], // Uzbekistan
    ['+996 555 123 456', '996555123456'], // Kyrgyzstan
    ['+374 77 123456', '37477123456'], // Armenia
    ['+995 555 12 34 56', '995555123456'], // Georgia
    ['+994 50 123 45 67', '994501234567'], // Azerbaijan
    ['+992 93 123 4567', '992931234567'], // Tajikistan
    ['+49 151 23456789', '4915123456789'],
  ];
  for (const [typed, stored] of numbers) {
    assert.equal(normalizePhone(typed, 'RU'), stored, typed);
    assert.equal(normalizePhone(stored, 'RU'), stored, `${stored} as the POS sends it, without the plus`);
  }
});

test("a number without its country code is read in the project's country", () => {
  assert.equal(normalizePhone('8 701 123 45 67', 'KZ'), '77011234567');
  assert.equal(normalizePhone('701 123 45 67', 'KZ'), '77011234567');
  assert.equal(normalizePhone('8 029 123-45-67', 'BY'), '375291234567');
  assert.equal(normalizePhone('29 123-45-67', 'BY'), '375291234567');
  assert.equal(normalizePhone('090 123 45 67', 'UZ'), null, 'Uzbek numbers have no trunk prefix');
  assert.equal(normalizePhone('90 123 45 67', 'UZ'), '998901234567');
  assert.equal(normalizePhone('0555 123 456', 'KG'), '996555123456');
  assert.equal(normalizePhone('077 123456', 'AM'), '37477123456');
  assert.equal(normalizePhone('555 12 34 56', 'GE'), '995555123456');
  assert.equal(normalizePhone('79001234567', 'KZ'), '79001234567', 'a Russian number with its code stays Russian wherever the project is');
  assert.equal(normalizePhone('+7 (900) 123-45-67', 'BY'), '79001234567');
});

test('numbers no SMS can reach and anything else are refused', () => {
  const refused: unknown[] = [
    '+7 000 123-45-67', // no such Russian numbers
    '70001234567',
    '+7 495 123-45-67', // a Moscow landline
    '8 800 555 35 35', // toll-free
    '+7 900 123 45 6',
    '7900123456789',
    '0123456789012',
    '12345',
    '',
    'abc',
    '79001234567a',
    '+7 900 123-45-67 доб. 5',
    '7+9001234567',
    null,
    undefined,
    {},
    7.9001234567e10 + 0.5,
  ];
  for (const bad of refused) assert.equal(normalizePhone(bad, 'RU'), null, String(bad));
});

test('a phone to look something up is read the same way, and finds numbers saved before phones were checked', () => {
  assert.equal(phoneForLookup('8 900 123-45-67', 'RU'), '79001234567');
  assert.equal(phoneForLookup('+7 000 123-45-67', 'RU'), '70001234567');
  assert.equal(phoneForLookup('+7 495 123-45-67', 'RU'), '74951234567');
  for (const nothing of ['12345', 'Иванов', '', null]) assert.equal(phoneForLookup(nothing, 'RU'), null, String(nothing));
});

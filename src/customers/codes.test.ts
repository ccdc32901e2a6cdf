import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codeMatches, generateCode, hashCode, newSalt, typedCode } from './codes.ts';

test('codes are digits of the configured length that never start with 0', () => {
  for (const length of [4, 6, 8]) {
    for (let i = 0; i < 200; i++) assert.match(generateCode(length), new RegExp(`^[1-9]\\d{${length - 1}}$`));
  }
});

test('a stored code matches only itself, for its own guest and purpose', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1000, max: 9999 }), (code, other) => {
      const salt = newSalt();
      const binding = { customerId: 7, purpose: 'authorization' as const };
      const stored = { hash: hashCode(String(code), salt, binding), salt };
      assert.equal(codeMatches(String(code), stored, binding), true);
      assert.equal(codeMatches(String(other), stored, binding), code === other);
      assert.equal(codeMatches(String(code), stored, { customerId: 8, purpose: 'authorization' }), false);
      assert.equal(codeMatches(String(code), stored, { customerId: 7, purpose: 'confirmation' }), false);
    }),
  );
  const salt = newSalt();
  assert.notEqual(hashCode('1234', salt, { customerId: 1, purpose: 'confirmation' }), hashCode('1234', newSalt(), { customerId: 1, purpose: 'confirmation' }));
});

test('typed codes: digits as text or a number; anything else cannot be a code', () => {
  assert.deepEqual(['1234', ' 1234 ', 1234, '12a4', '', null, 12.5, {}].map(typedCode), ['1234', '1234', '1234', null, null, null, null, null]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromNumeric, toNumericString } from './money.ts';

test('minor units round-trip through the numeric column form', () => {
  fc.assert(
    fc.property(fc.integer({ min: -1e12, max: 1e12 }), (minor) => {
      assert.equal(fromNumeric(toNumericString(minor)), minor);
    }),
  );
});

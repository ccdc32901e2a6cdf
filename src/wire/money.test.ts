import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMinor, toDecimal } from './money.ts';

test('wire amounts in numbers and strings become kopecks without float error', () => {
  assert.equal(parseMinor(123.45), 12345);
  assert.equal(parseMinor('123.45'), 12345);
  assert.equal(parseMinor('123,4'), 12340);
  assert.equal(parseMinor(0.1 + 0.2), 30);
  assert.equal(parseMinor('10'), 1000);
  assert.equal(parseMinor('-5.5'), -550);
});

test('amounts with more decimals than the scale, or not numbers, are refused', () => {
  assert.equal(parseMinor('1.234'), null);
  assert.equal(parseMinor('abc'), null);
  assert.equal(parseMinor(''), null);
  assert.equal(parseMinor(null), null);
  assert.equal(parseMinor(Number.NaN), null);
  assert.equal(parseMinor('1.5', 0), null);
  assert.equal(parseMinor('15', 0), 15);
});

test('minor units round-trip through the wire form', () => {
  fc.assert(
    fc.property(fc.integer({ min: -1e12, max: 1e12 }), (minor) => {
      assert.equal(parseMinor(toDecimal(minor)), minor);
    }),
  );
});

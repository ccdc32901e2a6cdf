import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { distributeByLargestRemainder } from './distribute.ts';

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('distributeByLargestRemainder', () => {
  it('splits a 300 ₽ order discount over a 500 ₽, 590 ₽ and 320 ₽ bill without losing a kopeck', () => {
    // exact shares 10638.29…, 12553.19…, 6808.51…; the remainder goes to the largest fraction
    assert.deepEqual(distributeByLargestRemainder(30000, [50000, 59000, 32000]), [10638, 12553, 6809]);
  });

  it('gives remainders of equal size to the earlier items: 100 points over three equal lines is 34, 33, 33', () => {
    assert.deepEqual(distributeByLargestRemainder(100, [15000, 15000, 15000]), [34, 33, 33]);
  });

  it('never gives an item more than its cap and passes the rest on to the others in proportion', () => {
    // the first line can give only 50 above its minimum price; 250 is left for the other two, 1:3
    assert.deepEqual(distributeByLargestRemainder(300, [100, 100, 300], [50, 1000, 1000]), [50, 63, 187]);
  });

  it('stops at the sum of the caps when the total does not fit', () => {
    assert.deepEqual(distributeByLargestRemainder(1000, [1, 2, 3], [100, 0, 200]), [100, 0, 200]);
  });

  it('spreads the rest equally over items of weight 0 only when the weighted ones are full', () => {
    assert.deepEqual(distributeByLargestRemainder(10, [0, 5, 0], [10, 4, 10]), [3, 4, 3]);
    assert.deepEqual(distributeByLargestRemainder(7, [0, 0, 0]), [3, 2, 2]);
  });

  it('stays exact for amounts whose products exceed the float range of integers', () => {
    const total = 9_000_000_000_000;
    const result = distributeByLargestRemainder(total, [3_000_000_000, 3_000_000_000, 3_000_000_001]);
    assert.equal(sum(result), total);
    assert.deepEqual(result, [2_999_999_999_667, 2_999_999_999_667, 3_000_000_000_666]);
  });

  it('refuses amounts that are not integers in minor units', () => {
    assert.throws(() => distributeByLargestRemainder(10.5, [1, 1]), RangeError);
    assert.throws(() => distributeByLargestRemainder(10, [1, -1]), RangeError);
    assert.throws(() => distributeByLargestRemainder(10, [1, 1], [5]), RangeError);
    assert.throws(() => distributeByLargestRemainder(10, []), RangeError);
    assert.deepEqual(distributeByLargestRemainder(0, []), []);
  });

  describe('properties', () => {
    const weightsAndCaps = fc
      .array(fc.record({ weight: fc.nat(100_000), cap: fc.nat(50_000) }), { minLength: 1, maxLength: 12 })
      .map((items) => ({ weights: items.map((item) => item.weight), caps: items.map((item) => item.cap) }));

    it('adds up to the total when there are no caps, and each share is within one unit of its exact share', () => {
      fc.assert(
        fc.property(fc.nat(10_000_000), fc.array(fc.nat(100_000), { minLength: 1, maxLength: 12 }), (total, weights) => {
          const result = distributeByLargestRemainder(total, weights);
          assert.equal(sum(result), total);
          const totalWeight = sum(weights);
          result.forEach((share, index) => {
            assert.ok(share >= 0 && Number.isInteger(share));
            if (totalWeight > 0) assert.ok(Math.abs(share - (total * weights[index]) / totalWeight) < 1);
          });
        }),
      );
    });

    it('adds up to the total, or to the caps when they sum lower, and never exceeds a cap', () => {
      fc.assert(
        fc.property(fc.nat(500_000), weightsAndCaps, (total, { weights, caps }) => {
          const result = distributeByLargestRemainder(total, weights, caps);
          assert.equal(sum(result), Math.min(total, sum(caps)));
          result.forEach((share, index) => assert.ok(share >= 0 && share <= caps[index]));
        }),
      );
    });

    it('never gives an item below its cap less than the floor of its plain proportional share', () => {
      fc.assert(
        fc.property(fc.nat(500_000), weightsAndCaps, (total, { weights, caps }) => {
          const result = distributeByLargestRemainder(total, weights, caps);
          const totalWeight = sum(weights);
          if (totalWeight === 0 || total > sum(caps)) return;
          result.forEach((share, index) => {
            if (share < caps[index]) assert.ok(share >= Math.floor((total * weights[index]) / totalWeight));
          });
        }),
      );
    });

    it('is deterministic', () => {
      fc.assert(
        fc.property(fc.nat(500_000), weightsAndCaps, (total, { weights, caps }) => {
          assert.deepEqual(distributeByLargestRemainder(total, weights, caps), distributeByLargestRemainder(total, [...weights], [...caps]));
        }),
      );
    });
  });
});

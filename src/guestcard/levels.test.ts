import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iikoPreset } from '../project/presets/iiko.ts';
import { projectSchema } from '../project/schemas.ts';
import { isLuhnValid, newCardNumber } from './card-number.ts';
import { levelLadder, levelProgress } from './levels.ts';

const preset = projectSchema.parse(iikoPreset({ phoneConfirmation: true }));

test("the preset's ladder is read from its rank scenario and segments: Bronze from 0, Silver from 10 000 ₽, Gold from 50 000 ₽", () => {
  assert.deepEqual(levelLadder(preset, 'Rank'), [
    { value: 'Bronze', thresholdMinor: 0, windowDays: 365 },
    { value: 'Silver', thresholdMinor: 1_000_000, windowDays: 365 },
    { value: 'Gold', thresholdMinor: 5_000_000, windowDays: 365 },
  ]);
  assert.deepEqual(levelLadder(preset, 'Other'), []);
});

test('the progress says how much more to pay for the next level, and nothing above the top', () => {
  const ladder = levelLadder(preset, 'Rank');
  assert.deepEqual(levelProgress(ladder, 'Bronze', 765_000), { current: 'Bronze', next: { value: 'Silver', missingMinor: 235_000, windowDays: 365 }, share: 0.765 });
  // a new guest has no level written yet: the payments say where they stand
  assert.deepEqual(levelProgress(ladder, null, 0), { current: 'Bronze', next: { value: 'Silver', missingMinor: 1_000_000, windowDays: 365 }, share: 0 });
  assert.equal(levelProgress(ladder, 'Silver', 3_000_000).next?.missingMinor, 2_000_000);
  assert.deepEqual(levelProgress(ladder, 'Gold', 6_000_000), { current: 'Gold', next: null, share: 1 });
  assert.deepEqual(levelProgress([], null, 100), { current: null, next: null, share: 1 });
});

test('card numbers have the prefix, the length and a Luhn check digit', () => {
  for (let i = 0; i < 50; i += 1) {
    const number = newCardNumber({ cardNumberPrefix: '29', cardNumberLength: 13 });
    assert.match(number, /^29\d{11}$/);
    assert.ok(isLuhnValid(number), number);
  }
  assert.ok(isLuhnValid('79927398713'));
  assert.ok(!isLuhnValid('79927398710'));
});

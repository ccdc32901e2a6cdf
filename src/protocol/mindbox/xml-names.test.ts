import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeAnswer } from './codec.ts';

const balance = { systemName: 'Bonus', balanceType: { ids: { systemName: 'Bonus' }, name: 'Бонусные баллы' }, total: 120, available: 100, blocked: 20 };

test('an XML answer names the amounts of a balance totalValue, availableValue and blockedValue; JSON keeps total, available, blocked', () => {
  const answer = { status: 'Success', customer: { processingStatus: 'Found' }, balances: [{ ...balance, nearestExpiration: { total: 50, date: '2027-01-31' } }] };
  const xml = encodeAnswer(answer, 'xml').payload;
  assert.match(
    xml,
    /<balances><balance><systemName>Bonus<\/systemName><balanceType>.*<\/balanceType><totalValue>120<\/totalValue><availableValue>100<\/availableValue><blockedValue>20<\/blockedValue>/,
  );
  // the nearest expiration is not a balance: its total keeps its name
  assert.match(xml, /<nearestExpiration><total>50<\/total><date>2027-01-31<\/date><\/nearestExpiration>/);
  assert.doesNotMatch(xml, /<available>/);
  assert.deepEqual(JSON.parse(encodeAnswer(answer, 'json').payload), answer);
});

test("the balance of an order answer's bonusPointsInfo and totalBonusPointsInfo is the same element, named so too", () => {
  const info = { status: 'Success', availableAmountForCurrentOrder: 50, spentAmountForCurrentOrder: 0, balance: { total: 120, available: 100, blocked: 20 } };
  const answer = { status: 'Success', order: { totalPrice: 390, bonusPointsInfo: [info], totalBonusPointsInfo: info, bonusPointsChanges: [{ earnedAmount: 19, spentAmount: 0 }] } };
  const xml = encodeAnswer(answer, 'xml').payload;
  const balances = xml.match(/<balance><totalValue>120<\/totalValue><availableValue>100<\/availableValue><blockedValue>20<\/blockedValue><\/balance>/g);
  assert.equal(balances?.length, 2);
  // other amounts that happen to share the words are left alone
  assert.match(xml, /<availableAmountForCurrentOrder>50<\/availableAmountForCurrentOrder>/);
  assert.match(xml, /<totalPrice>390<\/totalPrice>/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { answerKey, fieldValue, sameFieldName, withAnswerKeys } from './field-keys.ts';

test('answers show custom fields in the camel case of .NET, as Mindbox does', () => {
  const cases: [string, string][] = [
    ['Rank', 'rank'],
    ['Waiter', 'waiter'],
    ['VIPLevel', 'vipLevel'],
    ['ID', 'id'],
    ['IOStream', 'ioStream'],
    ['A', 'a'],
    ['ABC', 'abc'],
    ['ABC1', 'abC1'],
    ['Rank2', 'rank2'],
    ['FOO bar', 'foo bar'],
    ['Уровень', 'уровень'],
    ['iikoOrderId', 'iikoOrderId'],
    ['rank', 'rank'],
    ['1Field', '1Field'],
    ['', ''],
  ];
  for (const [systemName, key] of cases) assert.equal(answerKey(systemName), key, systemName);
});

test('the answer key only changes case: fields whose names differ beyond case never share a key', () => {
  fc.assert(
    fc.property(fc.string(), (name) => {
      assert.ok(sameFieldName(answerKey(name), name));
      assert.equal(answerKey(answerKey(name)), answerKey(name), 'a key shown once stays as it is');
    }),
  );
});

test('values keyed by system name are keyed as answers show them; a reader finds a field in any case', () => {
  assert.deepEqual(withAnswerKeys({ Rank: 'Gold', Visits: [1, 2], iikoId: 'x' }), { rank: 'Gold', visits: [1, 2], iikoId: 'x' });
  assert.equal(fieldValue({ rank: 'Gold' }, 'Rank'), 'Gold');
  assert.equal(fieldValue({ Rank: 'Gold' }, 'Rank'), 'Gold');
  assert.equal(fieldValue({ RANK: 'Gold' }, 'rank'), 'Gold');
  assert.equal(fieldValue({ Ranking: 'Gold' }, 'Rank'), undefined);
});

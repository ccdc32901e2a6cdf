import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitSms } from './providers/smpp.ts';
import { smsParts } from './sms-parts.ts';

test('a Latin text is GSM-7: 160 characters in one SMS, 153 per part beyond', () => {
  assert.deepEqual(smsParts(''), { encoding: 'GSM-7', length: 0, parts: 0, perPart: 160 });
  assert.deepEqual(smsParts('a'.repeat(160)), { encoding: 'GSM-7', length: 160, parts: 1, perPart: 160 });
  assert.deepEqual(smsParts('a'.repeat(161)), { encoding: 'GSM-7', length: 161, parts: 2, perPart: 153 });
  assert.equal(smsParts('a'.repeat(306)).parts, 2);
  assert.equal(smsParts('a'.repeat(307)).parts, 3);
});

test('an extension character takes two septets, and a part never ends between them', () => {
  assert.deepEqual(smsParts('€'.repeat(80)), { encoding: 'GSM-7', length: 160, parts: 1, perPart: 160 });
  assert.equal(smsParts(`${'a'.repeat(159)}€`).parts, 2);
  // 152 septets then an escape pair: the pair moves whole to the second part
  assert.equal(smsParts(`${'a'.repeat(152)}€${'a'.repeat(151)}`).parts, 2);
  assert.equal(smsParts(`${'a'.repeat(152)}€${'a'.repeat(152)}`).parts, 3);
});

test('one Cyrillic letter (or an emoji) makes the text UCS-2: 70 in one SMS, 67 per part', () => {
  assert.deepEqual(smsParts('Привет'), { encoding: 'UCS-2', length: 6, parts: 1, perPart: 70 });
  assert.deepEqual(smsParts('я'.repeat(70)), { encoding: 'UCS-2', length: 70, parts: 1, perPart: 70 });
  assert.deepEqual(smsParts('я'.repeat(71)), { encoding: 'UCS-2', length: 71, parts: 2, perPart: 67 });
  assert.equal(smsParts(`${'a'.repeat(159)}ё`).encoding, 'UCS-2');
  assert.equal(smsParts('🎂'.repeat(35)).parts, 1);
  // 66 units then a surrogate pair: the pair goes whole into the second part
  assert.equal(smsParts(`${'я'.repeat(66)}🎂${'я'.repeat(65)}`).parts, 2);
  assert.equal(smsParts(`${'я'.repeat(66)}🎂${'я'.repeat(66)}`).parts, 3);
});

test('the count is what the SMPP provider sends', () => {
  const alphabet = fc.constantFrom(...'aZ 0.€[]{}^~|\\\nяЁж🎂é@£'.split(/(?:)/u));
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 700 }), (characters) => {
      const text = characters.join('');
      const count = smsParts(text);
      const split = splitSms(text, 1);
      assert.equal(count.encoding === 'GSM-7' ? 0 : 8, split.dataCoding);
      assert.equal(Math.max(count.parts, 1), split.payloads.length);
    }),
    { numRuns: 500 },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../shared/errors.ts';
import { decodeBody, encodeAnswer, singularOf, type BodyFormat } from './codec.ts';

/** The ProtocolError (400) decoding `raw` refuses it with. */
function refusal(raw: string, format: BodyFormat): string {
  try {
    decodeBody(raw, format);
  } catch (error) {
    assert.ok(error instanceof AppError, `not an AppError: ${error}`);
    assert.equal(error.code, 'bad_request');
    return error.message;
  }
  assert.fail(`accepted: ${raw.slice(0, 80)}`);
}

const nestedJson = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
const nestedXml = (levels: number) => `<operation>${'<a>'.repeat(levels - 1)}x${'</a>'.repeat(levels - 1)}</operation>`;

test('a body may nest 64 levels, in JSON and in XML; one deeper is refused, however deep', () => {
  assert.doesNotThrow(() => decodeBody(nestedJson(64), 'json'));
  assert.doesNotThrow(() => decodeBody(nestedXml(64), 'xml'));
  for (const levels of [65, 5_000, 200_000]) {
    assert.equal(refusal(nestedJson(levels), 'json'), 'the body nests deeper than 64 levels');
    assert.equal(refusal(nestedXml(levels), 'xml'), 'the body nests deeper than 64 levels');
  }
  assert.equal(refusal(`{"lines":${'['.repeat(100)}${']'.repeat(100)}}`, 'json'), 'the body nests deeper than 64 levels');
});

test('names that reach or hide an object prototype are refused in both formats, and pollute nothing', () => {
  for (const name of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']) {
    assert.equal(refusal(`{"customer":{"${name}":{"polluted":"yes"}}}`, 'json'), `the body uses the reserved name "${name}"`);
    assert.equal(refusal(`<operation><customer><${name}><polluted>yes</polluted></${name}></customer></operation>`, 'xml'), `the body uses the reserved name "${name}"`);
  }
  assert.equal(refusal('{"\\u005f_proto__":{}}', 'json'), 'the body uses the reserved name "__proto__"');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('text that PostgreSQL cannot store (U+0000, a lone surrogate) is refused, in values and names', () => {
  assert.match(refusal('{"customer":{"firstName":"A\\u0000"}}', 'json'), /U\+0000 or a lone surrogate/);
  assert.match(refusal('{"customer":{"firstName":"\\ud800x"}}', 'json'), /lone surrogate/);
  assert.match(refusal('{"customer":{"x\\udc00":1}}', 'json'), /lone surrogate/);
  assert.doesNotThrow(() => decodeBody('{"customer":{"firstName":"Анна 😀"}}', 'json'));
});

test('a body that does not parse is refused without quoting it: no phone or code comes back in the message', () => {
  assert.equal(refusal('x79001234567 {"mobilePhone":"79001234567"}', 'json'), 'the body is not valid JSON');
  assert.equal(refusal('{"mobilePhone":"79001234567"', 'json'), 'the body is not valid JSON (at character 28)');
  const xml = refusal('<operation><a79001234567>1</b></operation>', 'xml');
  assert.match(xml, /^the body is not valid XML: /);
  assert.doesNotMatch(xml, /9001234567/);
  assert.doesNotMatch(refusal('<anna@example.com/>', 'xml'), /anna@example\.com/);
});

test('a list named like an object method is wrapped by the plain rule, in answers as in requests', () => {
  assert.equal(singularOf('valueOf'), 'valueOfItem');
  assert.equal(singularOf('constructors'), 'constructor');
  assert.equal(singularOf('ids'), 'id');
  const { payload } = encodeAnswer({ status: 'Success', valueOf: [1, 2] }, 'xml');
  assert.match(payload, /<valueOf><valueOfItem>1<\/valueOfItem><valueOfItem>2<\/valueOfItem><\/valueOf>/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCustomFieldValue, parseSex } from '../../../customers/profile.ts';
import type { CustomFieldDefinition } from '../../../project/schemas.ts';
import { parseProfile } from './customer.ts';

const field = (type: CustomFieldDefinition['type'], extra: Partial<CustomFieldDefinition> = {}): CustomFieldDefinition => ({
  entity: 'Customer',
  systemName: `F${type}`,
  type,
  multiValued: false,
  ...extra,
});

const options = { customerFields: [], allowClear: true, today: '2026-11-29', defaultCountry: 'RU' as const };

test('names take Latin and Cyrillic letters, spaces, hyphens and apostrophes, up to 100 characters', () => {
  for (const name of ['Анна', 'Anna-Maria', "O'Neil", 'Анна Мария', 'Д’Артаньян', 'Ёжиков']) {
    assert.deepEqual(parseProfile({ firstName: name }, options).messages, [], name);
  }
  for (const name of ['Anna1', 'A_nna', '-Anna', '<b>', 'a'.repeat(101)]) {
    assert.equal(parseProfile({ firstName: name }, options).messages[0]?.location, '/customer/firstName', name);
  }
  assert.equal(parseProfile({ lastName: '  Петрова   Иванова ' }, options).changes.lastName, 'Петрова Иванова');
});

test('e-mail addresses: at most 254 characters and a sane shape', () => {
  for (const email of ['anna@example.ru', 'a.b+tag@mail.example.com', 'анна@почта.рф']) assert.equal(parseProfile({ email }, options).changes.email, email);
  for (const email of ['mymail', 'a@b', 'a b@c.ru', '@example.ru', `${'a'.repeat(250)}@x.ru`]) {
    assert.equal(parseProfile({ email }, options).messages[0]?.location, '/customer/email', email);
  }
});

test('birth dates are real calendar dates between 1900 and today', () => {
  assert.equal(parseProfile({ birthDate: '2000-02-29' }, options).changes.birthDate, '2000-02-29');
  assert.equal(parseProfile({ birthDate: '2026-11-29' }, options).messages.length, 0);
  for (const date of ['2001-02-29', '1990-13-01', '31.01.1990', '2026-11-30', '1899-12-31']) {
    assert.equal(parseProfile({ birthDate: date }, options).messages[0]?.location, '/customer/birthDate', date);
  }
});

test('sex: male/female and the m, f, w forms in any case', () => {
  assert.deepEqual(['male', 'M', 'female', 'F', 'w', 'W'].map(parseSex), ['male', 'male', 'female', 'female', 'female', 'female']);
  assert.equal(parseSex('x'), null);
});

test('%CLEAR% clears a field when editing and is refused when registering', () => {
  const cleared = parseProfile({ email: '%CLEAR%', discountCard: '%CLEAR%', customFields: { FString: '%CLEAR%' } }, { ...options, customerFields: [field('String')] });
  assert.deepEqual(cleared.changes, { email: null, discountCard: null, customFields: { FString: null } });
  assert.equal(parseProfile({ email: '%CLEAR%' }, { ...options, allowClear: false }).messages[0].location, '/customer/email');
});

test('typed custom fields accept their type (numbers and booleans also as text, for XML) and refuse the rest', () => {
  const ok = (definition: CustomFieldDefinition, value: unknown) => {
    const result = parseCustomFieldValue(definition, value);
    assert.ok('value' in result, `${definition.type} ${JSON.stringify(value)}`);
    return result.value;
  };
  const bad = (definition: CustomFieldDefinition, value: unknown) =>
    assert.ok('problem' in parseCustomFieldValue(definition, value), `${definition.type} ${JSON.stringify(value)}`);
  assert.equal(ok(field('String'), 'x'.repeat(1000)), 'x'.repeat(1000));
  bad(field('String'), 'x'.repeat(1001));
  assert.equal(ok(field('Integer'), '-42'), -42);
  assert.equal(ok(field('Integer'), 2147483647), 2147483647);
  bad(field('Integer'), 2147483648);
  bad(field('Integer'), 1.5);
  assert.equal(ok(field('Decimal'), '12.34'), 12.34);
  bad(field('Decimal'), 1.234);
  assert.equal(ok(field('Boolean'), 'true'), true);
  assert.equal(ok(field('Boolean'), false), false);
  bad(field('Boolean'), 'yes');
  assert.equal(ok(field('Date'), '2026-01-31'), '2026-01-31');
  bad(field('Date'), '2026-02-30');
  assert.equal(ok(field('DateTime'), '2026-01-31T18:30:00+03:00'), '2026-01-31T15:30:00.000Z');
  bad(field('DateTime'), '2026-01-31');
  assert.equal(ok(field('Enum', { enumValues: ['Gold', 'Silver'] }), 'Gold'), 'Gold');
  bad(field('Enum', { enumValues: ['Gold', 'Silver'] }), 'Bronze');
});

test('multi-valued fields take lists and report each bad item; single fields refuse lists', () => {
  const fields = [field('Integer', { systemName: 'Visits', multiValued: true }), field('String', { systemName: 'Rank' })];
  const parsed = parseProfile({ customFields: { Visits: ['1', 2, 'x'], Rank: ['a'] } }, { ...options, customerFields: fields });
  assert.deepEqual(
    parsed.messages.map((m) => m.location),
    ['/customer/customFields/Visits/2', '/customer/customFields/Rank'],
  );
  assert.deepEqual(parseProfile({ customFields: { Visits: [1, '2'] } }, { ...options, customerFields: fields }).changes.customFields, { Visits: [1, 2] });
});

test('custom fields are named in any case and read under their system names; naming one twice is refused', () => {
  const fields = [field('String', { systemName: 'Rank' }), field('Integer', { systemName: 'VIPLevel' })];
  const parsed = parseProfile({ customFields: { rank: 'Gold', viplevel: '3' } }, { ...options, customerFields: fields });
  assert.deepEqual(parsed, { changes: { customFields: { Rank: 'Gold', VIPLevel: 3 } }, messages: [] });
  const twice = parseProfile({ customFields: { Rank: 'Gold', RANK: 'Silver' } }, { ...options, customerFields: fields });
  assert.deepEqual(twice.messages.map((m) => m.location), ['/customer/customFields/RANK']);
  assert.deepEqual(twice.changes.customFields, { Rank: 'Gold' });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomFieldDefinition } from '../project/schemas.ts';
import { checkProductCustomFields, customFieldLocation } from './product-fields.ts';

const field = (systemName: string, type: CustomFieldDefinition['type'], extra: Partial<CustomFieldDefinition> = {}): CustomFieldDefinition => ({
  entity: 'Product',
  systemName,
  type,
  multiValued: false,
  ...extra,
});

const definitions = new Map(
  [
    field('Title', 'String'),
    field('Weight', 'Integer'),
    field('Protein', 'Decimal'),
    field('Vegan', 'Boolean'),
    field('Since', 'Date'),
    field('Updated', 'DateTime'),
    field('Spice', 'Enum', { enumValues: ['mild', 'hot'] }),
    field('Tags', 'String', { multiValued: true }),
  ].map((definition) => [definition.systemName, definition]),
);

describe('product custom fields', () => {
  it('types the values of defined fields and keeps undefined fields as given', () => {
    const checked = checkProductCustomFields(
      {
        Title: 42,
        Weight: ' 250 ',
        Protein: '12,5',
        Vegan: 'FALSE',
        Since: '2024-02-29',
        Updated: '2026-01-02T03:04:05+03:00',
        Spice: 'hot',
        Tags: 'new|hit|',
        Extra: [1, { deep: true }],
        Cleared: null,
      },
      definitions,
    );
    assert.deepEqual(checked.value, {
      Title: '42',
      Weight: 250,
      Protein: 12.5,
      Vegan: false,
      Since: '2024-02-29',
      Updated: '2026-01-02T00:04:05.000Z',
      Spice: 'hot',
      Tags: ['new', 'hit'],
      Extra: [1, { deep: true }],
      Cleared: null,
    });
  });

  it('an empty value clears a defined field', () => {
    assert.deepEqual(checkProductCustomFields({ Weight: '', Vegan: null, Tags: [] }, definitions).value, {});
  });

  it('names every wrong value', () => {
    const checked = checkProductCustomFields(
      { Weight: 2.5, Protein: '1.234', Vegan: 'yes', Since: '2023-02-29', Updated: 'tomorrow', Spice: 'HOT', Title: ['a', 'b'], Tags: ['ok', { no: 1 }] },
      definitions,
    );
    assert.deepEqual(
      checked.errors?.map((error) => [error.field, error.message]),
      [
        ['Weight', 'custom field "Weight" (Integer) must be a whole number, got 2.5'],
        ['Protein', 'custom field "Protein" (Decimal) must be a number with at most 2 decimals, got "1.234"'],
        ['Vegan', 'custom field "Vegan" (Boolean) must be true or false, got "yes"'],
        ['Since', 'custom field "Since" (Date) must be an existing date YYYY-MM-DD, got "2023-02-29"'],
        ['Updated', 'custom field "Updated" (DateTime) must be a date and time (ISO 8601), got "tomorrow"'],
        ['Spice', 'custom field "Spice" (Enum) must be one of "mild", "hot", got "HOT"'],
        ['Title', 'custom field "Title" (String) takes one value, got 2'],
        ['Tags', 'custom field "Tags" (String) must be a text, got {"no":1}'],
      ],
    );
  });

  it('places a custom field next to the product id in JSON and YML bodies', () => {
    assert.equal(customFieldLocation('/productCatalog/products/3/ids/iiko', 'Weight'), '/productCatalog/products/3/customFields/Weight');
    assert.equal(customFieldLocation('/yml_catalog/shop/offers/3/@id', 'Weight'), '/yml_catalog/shop/offers/3/param');
    assert.equal(customFieldLocation('/products/7/id', 'Weight'), '/products/7/id');
  });
});

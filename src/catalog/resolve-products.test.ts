import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { resolveProducts, unknownProductNote } from './catalog.service.ts';

let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await db
    .insertInto('catalog_categories')
    .values([
      { external_system: 'iiko', id: 'drinks', name: 'Drinks', parent_id: null, created_at: new Date(), updated_at: new Date() },
      { external_system: 'iiko', id: 'coffee', name: 'Coffee', parent_id: 'drinks', created_at: new Date(), updated_at: new Date() },
      { external_system: 'iiko', id: 'milk-coffee', name: 'With milk', parent_id: 'coffee', created_at: new Date(), updated_at: new Date() },
      { external_system: 'iiko', id: 'breakfast', name: 'Breakfast', parent_id: null, created_at: new Date(), updated_at: new Date() },
    ])
    .execute();
  await db
    .insertInto('catalog_products')
    .values([
      { external_system: 'iiko', id: 'latte', name: 'Latte', description: null, price: '250.00', old_price: null, category_ids: ['milk-coffee', 'breakfast'], custom_fields: '{}', sku: null, created_at: new Date(), updated_at: new Date() },
      { external_system: 'iiko', id: 'old-tea', name: 'Old tea', description: null, price: null, old_price: null, is_available: false, category_ids: [], custom_fields: '{}', sku: null, created_at: new Date(), updated_at: new Date() },
      { external_system: 'other', id: 'latte-2', name: 'Elsewhere', description: null, price: '1', old_price: null, category_ids: [], custom_fields: '{}', sku: null, created_at: new Date(), updated_at: new Date() },
    ])
    .execute();
});

after(() => database.close());

test('resolveProducts gives each known product its categories with every ancestor', async () => {
  const resolved = await resolveProducts(database.db, 'iiko', ['latte', 'old-tea', 'nobody', 'latte', 'latte-2']);
  assert.deepEqual([...resolved.keys()].sort(), ['latte', 'old-tea']);
  assert.deepEqual(resolved.get('latte'), {
    name: 'Latte',
    price: 25000,
    isAvailable: true,
    categoryIds: ['milk-coffee', 'breakfast', 'coffee', 'drinks'],
  });
  assert.deepEqual(resolved.get('old-tea'), { name: 'Old tea', price: null, isAvailable: false, categoryIds: [] });
});

test('resolveProducts of no ids is an empty map', async () => {
  assert.equal((await resolveProducts(database.db, 'iiko', [])).size, 0);
});

test('unknownProductNote names the unknown products for the operation log', () => {
  assert.equal(unknownProductNote('iiko', []), null);
  assert.match(unknownProductNote('iiko', ['a', 'b', 'a'])!, /"a", "b"$/);
});

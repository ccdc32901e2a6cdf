import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { resolveProducts, unknownProductNote, withAncestors } from './catalog.service.ts';

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
    priceMinor: 25000,
    isAvailable: true,
    categoryIds: ['milk-coffee', 'breakfast', 'coffee', 'drinks'],
  });
  assert.deepEqual(resolved.get('old-tea'), { name: 'Old tea', priceMinor: null, isAvailable: false, categoryIds: [] });
});

test('resolveProducts follows a category tree that changed since the last lookup', async () => {
  const { db } = database;
  assert.deepEqual((await resolveProducts(db, 'iiko', ['latte'])).get('latte')?.categoryIds, ['milk-coffee', 'breakfast', 'coffee', 'drinks']);
  await db
    .insertInto('catalog_categories')
    .values({ external_system: 'iiko', id: 'morning', name: 'Morning', parent_id: null, created_at: new Date(), updated_at: new Date() })
    .execute();
  await db.updateTable('catalog_categories').set({ parent_id: 'morning' }).where('id', '=', 'coffee').execute();
  try {
    assert.deepEqual((await resolveProducts(db, 'iiko', ['latte'])).get('latte')?.categoryIds, ['milk-coffee', 'breakfast', 'coffee', 'morning']);
  } finally {
    await db.updateTable('catalog_categories').set({ parent_id: 'drinks' }).where('id', '=', 'coffee').execute();
    await db.deleteFrom('catalog_categories').where('id', '=', 'morning').execute();
  }
  assert.deepEqual((await resolveProducts(db, 'iiko', ['latte'])).get('latte')?.categoryIds, ['milk-coffee', 'breakfast', 'coffee', 'drinks']);
});

test('withAncestors: unknown categories are left out, each category once at its nearest depth, a cycle ends', () => {
  const parents = new Map<string, string | null>([
    ['a', 'b'],
    ['b', 'c'],
    ['c', null],
    ['x', 'c'],
    ['loop-1', 'loop-2'],
    ['loop-2', 'loop-1'],
  ]);
  assert.deepEqual(withAncestors(['a', 'gone', 'x'], parents), ['a', 'x', 'b', 'c']);
  assert.deepEqual(withAncestors(['loop-1'], parents), ['loop-1', 'loop-2']);
  assert.deepEqual(withAncestors([], parents), []);
});

test('resolveProducts of no ids is an empty map', async () => {
  assert.equal((await resolveProducts(database.db, 'iiko', [])).size, 0);
});

test('unknownProductNote names the unknown products for the operation log', () => {
  assert.equal(unknownProductNote('iiko', []), null);
  assert.match(unknownProductNote('iiko', ['a', 'b', 'a'])!, /"a", "b"$/);
});

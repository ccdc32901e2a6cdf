// The catalogue in the admin API: product search (name, id, category with sub-categories, availability,
// keyset pages) and the category tree.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from './support/app.ts';

const catalogJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'catalog.json'), 'utf8'));
const DRINKS = 'b20d3959-67fa-4bea-a433-4416c4ef959a';
const COFFEE = 'cfc2218d-6656-454c-b41d-14c478af5da6';
const SOUPS = '20afd24b-d220-45e2-bfa2-5a4381297ab9';
const CHEESECAKES = '064dbaac-33a0-4cd6-93a2-9da8775bee47';

describe('catalogue admin API', () => {
  let t: TestApp;
  const names = async (url: string): Promise<string[]> => {
    const answer = await t.admin('GET', url);
    assert.equal(answer.httpStatus, 200, JSON.stringify(answer.body));
    return answer.body.items.map((item: { name: string }) => item.name).sort();
  };

  before(async () => {
    t = await createTestApp();
    const upload = await t.call('Offline.SendProductCatalog', catalogJson);
    assert.equal(upload.body.status, 'Success');
  });
  after(() => t.close());

  test('finds products by a part of the name in any case, or by exact id', async () => {
    assert.deepEqual(await names('/api/admin/products?query=СЫРНИКИ'), ['Сырники со сметаной']);
    assert.deepEqual(await names('/api/admin/products?query=лимонад'), ['Лимонад классический', 'Лимонад тархун']);
    assert.deepEqual(await names(`/api/admin/products?query=${CHEESECAKES}`), ['Сырники со сметаной']);
    assert.deepEqual(await names('/api/admin/products?query=%25'), [], 'LIKE wildcards are plain text');

    const card = (await t.admin('GET', '/api/admin/products?query=сырники')).body;
    assert.equal(card.externalSystem, 'iiko');
    assert.deepEqual(
      { ...card.items[0], updatedAt: undefined },
      {
        id: CHEESECAKES,
        name: 'Сырники со сметаной',
        description: 'Из фермерского творога, со сметаной и ягодным вареньем',
        price: 420,
        oldPrice: null,
        isAvailable: true,
        categoryIds: ['3c3023f6-b938-414f-b701-ea438fafef10'],
        customFields: { iikoProductCategory: '2c20dd4d-854b-4eab-aab7-bda5b09d431e' },
        sku: null,
        updatedAt: undefined,
      },
    );
  });

  test('a category includes its sub-categories; availability filters', async () => {
    const drinks = await names(`/api/admin/products?category=${DRINKS}`);
    assert.equal(drinks.length, 8);
    assert.ok(drinks.includes('Эспрессо') && drinks.includes('Лимонад тархун'));
    assert.equal((await names(`/api/admin/products?category=${COFFEE}`)).length, 5);
    assert.deepEqual(await names(`/api/admin/products?category=${SOUPS}&available=false`), ['Окрошка на квасе']);
    assert.equal((await names(`/api/admin/products?category=${SOUPS}&available=true`)).length, 3);
    assert.deepEqual(await names('/api/admin/products?category=nowhere'), []);
    assert.deepEqual(await names(`/api/admin/products?category=${COFFEE}&query=раф`), ['Раф (M)']);
  });

  test('pages by cursor through every product once, in id order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer: { body: { items: { id: string }[]; next: string | null } } = await t.admin(
        'GET',
        `/api/admin/products?limit=7${cursor ? `&before=${cursor}` : ''}`,
      );
      seen.push(...answer.body.items.map((item) => item.id));
      cursor = answer.body.next;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.equal(seen.length, 20);
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(new Set(seen).size, 20);

    const bad = await t.admin('GET', '/api/admin/products?before=not*a*cursor');
    assert.equal(bad.httpStatus, 400);
    assert.equal((await t.admin('GET', '/api/admin/products?available=maybe')).httpStatus, 400);
  });

  test('the category tree nests sub-categories and counts the available products in each', async () => {
    const answer = await t.admin('GET', '/api/admin/categories');
    assert.equal(answer.httpStatus, 200);
    const byName = new Map(answer.body.items.map((node: { name: string }) => [node.name, node]));
    assert.deepEqual([...byName.keys()].sort(), ['Десерты', 'Завтраки', 'Напитки', 'Супы']);
    const drinks = byName.get('Напитки') as { productCount: number; children: { name: string; productCount: number; children: unknown[] }[] };
    assert.equal(drinks.productCount, 0);
    assert.deepEqual(
      drinks.children.map((child) => [child.name, child.productCount, child.children.length]),
      [['Кофе', 5, 0], ['Лимонады', 3, 0]],
    );
    assert.equal((byName.get('Супы') as { productCount: number }).productCount, 3);
  });

  test('the routes need an admin token', async () => {
    const response = await t.server.inject({ method: 'GET', url: '/api/admin/products' });
    assert.equal(response.statusCode, 401);
  });
});

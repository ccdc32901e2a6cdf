// The catalogue feeds the calculation: a category promotion reaches products in its sub-categories,
// product promotions apply to catalogue products only, and an unknown product is calculated without
// them and noted in the operation log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyProject } from '../src/project/project.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';

describe('catalogue in promotions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    const upload = await t.call('Offline.SendProductCatalog', {
      productCatalog: {
        categories: [
          { ids: { iiko: 'drinks' }, name: 'Напитки' },
          { ids: { iiko: 'coffee' }, name: 'Кофе', parentCategory: { ids: { iiko: 'drinks' } } },
          { ids: { iiko: 'soups' }, name: 'Супы' },
        ],
        products: [
          { ids: { iiko: 'latte' }, name: 'Латте', price: 250, categories: [{ ids: { iiko: 'coffee' } }] },
          { ids: { iiko: 'borscht' }, name: 'Борщ', price: 390, categories: [{ ids: { iiko: 'soups' } }] },
        ],
      },
    });
    assert.equal(upload.body.status, 'Success');
    await applyProject(t.app.db, {
      promotions: [
        { systemName: 'DrinksDiscount', name: 'Скидка 20 % на напитки', kind: 'discount', percent: 20, scope: 'lines', categories: ['drinks'] },
        { systemName: 'ChosenDishes', name: 'Минус 50 ₽ на избранное', kind: 'discount', amount: 50, scope: 'lines', products: ['borscht', 'mystery'] },
      ],
    });
    await t.app.project.reload();
  });
  after(() => t.close());

  test('a preorder applies the category discount through the sub-category and skips the unknown product', async () => {
    const answer = await t.call('Offline.AnonymousPreorder', {
      order: {
        lines: [
          { lineNumber: 1, lineId: 'L1', quantity: 1, basePricePerItem: 250, product: { ids: { iiko: 'latte' } } },
          { lineNumber: 2, lineId: 'L2', quantity: 1, basePricePerItem: 390, product: { ids: { iiko: 'borscht' } } },
          { lineNumber: 3, lineId: 'L3', quantity: 1, basePricePerItem: 300, product: { ids: { iiko: 'mystery' } } },
        ],
      },
    });
    assert.equal(answer.body.status, 'Success', JSON.stringify(answer.body));
    const byLine = new Map(answer.body.order.lines.map((line: { lineId: string; discountedPriceOfLine: number }) => [line.lineId, line.discountedPriceOfLine]));
    assert.deepEqual(Object.fromEntries(byLine), { L1: 200, L2: 340, L3: 300 });

    const logged = await t.app.db
      .selectFrom('operation_log')
      .select('notes')
      .where('operation', '=', 'Offline.AnonymousPreorder')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.match(JSON.stringify(logged.notes), /unknown to the iiko catalogue.*mystery/);
  });
});

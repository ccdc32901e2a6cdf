import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MODIFIERS_CATEGORY, NomenclatureError, parseIikoNomenclature } from './iiko-nomenclature.ts';
import type { CatalogUpload } from './types.ts';

interface Sample {
  groups: { id: string; name: string; parentGroup: string | null; isGroupModifier: boolean; isDeleted: boolean; isIncludedInMenu: boolean }[];
  products: { id: string; code: string | null; name: string; type: string; parentGroup: string | null; productCategoryId: string; sizePrices: { sizeId: string | null; price: { currentPrice: number } }[] }[];
  sizes: { id: string; name: string }[];
}

const sample: Sample = JSON.parse(readFileSync(new URL('../../../examples/iiko-nomenclature.json', import.meta.url), 'utf8'));
const byGuid = parseIikoNomenclature(sample, { ids: 'guid' });
const byArticle = parseIikoNomenclature(sample, { ids: 'article' });

const sampleGroup = (name: string) => sample.groups.find((group) => group.name === name)!;
const sampleProduct = (name: string) => sample.products.find((item) => item.name === name)!;
const sizeIdOf = (name: string) => sample.sizes.find((size) => size.name === name)!.id;
const productNamed = (upload: CatalogUpload, name: string) => upload.products.find((item) => item.name === name);

function assertErrors(upload: CatalogUpload, expected: [string, RegExp][]): void {
  const actual = upload.errors.map((error) => [error.location, error.message] as const);
  assert.deepEqual(actual.map(([location]) => location), expected.map(([location]) => location), JSON.stringify(actual, null, 1));
  expected.forEach(([, pattern], index) => assert.match(actual[index][1], pattern));
}

describe('parseIikoNomenclature: the sample menu', () => {
  it('has the expected shape: about 200 items, sub-groups, modifiers, sizes', () => {
    assert.equal(sample.products.length, 227);
    assert.equal(sample.groups.filter((group) => !group.isGroupModifier).length, 27);
    assert.equal(sample.groups.filter((group) => group.isGroupModifier).length, 10);
    assert.equal(sample.products.filter((item) => item.type === 'modifier').length, 31);
    assert.equal(sample.products.filter((item) => item.sizePrices.some((size) => size.sizeId !== null)).length, 19);
    assert.deepEqual(sample.sizes.map((size) => size.name), ['25 см', '30 см', '35 см', 'S', 'M', 'L']);
  });

  it('turns menu groups into categories: modifier groups and the deleted group are left out', () => {
    assert.deepEqual(byGuid.errors, []);
    assert.equal(byGuid.categories.length, 27);
    const names = byGuid.categories.map((category) => category.name);
    assert.ok(!names.includes('Летнее меню 2024'));
    assert.ok(!names.includes('Сиропы'));
    assert.ok(names.includes('Банкетное меню'));
    assert.deepEqual(byGuid.categories.at(-1), MODIFIERS_CATEGORY);
    const parentName = (name: string) => {
      const category = byGuid.categories.find((candidate) => candidate.name === name)!;
      return byGuid.categories.find((candidate) => candidate.id === category.parentId)?.name ?? null;
    };
    assert.equal(parentName('Кофе'), 'Напитки');
    assert.equal(parentName('Вино'), 'Алкоголь');
    assert.equal(parentName('Алкоголь'), 'Напитки');
    assert.equal(parentName('Мясо'), 'Горячее');
    assert.equal(parentName('Напитки'), null);
  });

  it('counts products, sizes, modifiers and unavailable items', () => {
    assert.equal(byGuid.products.length, 256);
    assert.equal(byGuid.products.filter((item) => item.categoryIds.includes(MODIFIERS_CATEGORY.id)).length, 22);
    assert.deepEqual(byGuid.products.filter((item) => !item.isAvailable).map((item) => item.name), [
      'Сироп «Имбирный пряник»',
      'Окрошка на квасе',
      'Салат с уткой и апельсином',
      'Морская (35 см)',
      'Пирог с вишней',
      'Канапе ассорти, сет 24 шт',
      'Рыбное ассорти на компанию',
      'Мясное ассорти на компанию',
      'Торт праздничный, 1 кг',
      'Окрошка на кефире',
      'Холодник',
      'Лимонад арбуз и мята',
    ]);
  });

  it('expands a dish with sizes into one product per size', () => {
    const margherita = sampleProduct('Маргарита');
    const pizzas = byGuid.products.filter((item) => item.name.startsWith('Маргарита ('));
    assert.deepEqual(
      pizzas.map((item) => [item.id, item.name, item.priceMinor, item.sku]),
      [
        [`${margherita.id}:${sizeIdOf('25 см')}`, 'Маргарита (25 см)', 49000, margherita.code],
        [`${margherita.id}:${sizeIdOf('30 см')}`, 'Маргарита (30 см)', 69000, margherita.code],
        [`${margherita.id}:${sizeIdOf('35 см')}`, 'Маргарита (35 см)', 89000, margherita.code],
      ],
    );
    assert.equal(productNamed(byGuid, 'Маргарита'), undefined);
    assert.deepEqual(pizzas[0].categoryIds, [sampleGroup('Пицца').id]);
    assert.deepEqual(pizzas[0].customFields, { iikoProductCategory: margherita.productCategoryId });
    assert.deepEqual(
      byGuid.products.filter((item) => item.name.startsWith('Капучино')).map((item) => [item.name, item.priceMinor]),
      [['Капучино (S)', 23000], ['Капучино (M)', 28000], ['Капучино (L)', 33000]],
    );
    assert.equal(productNamed(byGuid, 'Эспрессо')?.id, sampleProduct('Эспрессо').id);
  });

  it('makes priced modifiers products of the Модификаторы category and skips free ones', () => {
    const shot = productNamed(byGuid, 'Дополнительный шот эспрессо')!;
    assert.deepEqual([shot.priceMinor, shot.categoryIds, shot.isAvailable], [8000, [MODIFIERS_CATEGORY.id], true]);
    assert.equal(productNamed(byGuid, 'Сыр моцарелла')?.priceMinor, 12000);
    for (const free of ['Medium', 'Тонкое тесто', 'Без сахара']) assert.equal(productNamed(byGuid, free), undefined);
  });

  it('keeps products of the deleted group unavailable and without a category; hidden group products keep it', () => {
    const okroshka = productNamed(byGuid, 'Окрошка на кефире')!;
    assert.deepEqual([okroshka.isAvailable, okroshka.categoryIds], [false, []]);
    const canapes = productNamed(byGuid, 'Канапе ассорти, сет 24 шт')!;
    assert.deepEqual([canapes.isAvailable, canapes.categoryIds], [false, [sampleGroup('Банкетное меню').id]]);
    const corkage = productNamed(byGuid, 'Пробковый сбор')!;
    assert.deepEqual([corkage.priceMinor, corkage.categoryIds, corkage.sku], [100000, [], null]);
  });

  it('with ids by article uses codes, size names, and reports the products without a code', () => {
    const withoutCode = sample.products.flatMap((item, index) => (item.code === null ? [[index, item] as const] : []));
    assert.deepEqual(withoutCode.map(([, item]) => item.name), ['Суп дня', 'Пробковый сбор']);
    assertErrors(
      byArticle,
      withoutCode.map(([index, item]) => [
        `/products/${index}/code`,
        new RegExp(`^product "${item.id}" \\(${item.name}\\): no article \\(code\\); with ids by article every product needs one$`),
      ]),
    );
    assert.equal(byArticle.products.length, byGuid.products.length - 2);
    const margherita = sampleProduct('Маргарита');
    assert.equal(productNamed(byArticle, 'Маргарита (30 см)')?.id, `${margherita.code}:30 см`);
    assert.equal(productNamed(byArticle, 'Эспрессо')?.id, sampleProduct('Эспрессо').code);
    assert.deepEqual(byArticle.categories, byGuid.categories);
    assert.equal(new Set(byArticle.products.map((item) => item.id)).size, byArticle.products.length);
  });
});

describe('parseIikoNomenclature: rules on small documents', () => {
  const priced = (currentPrice: unknown, sizeId: string | null = null, isIncludedInMenu: unknown = true) => ({
    sizeId,
    price: { currentPrice, isIncludedInMenu, nextPrice: null, nextIncludedInMenu: true, nextDatePrice: null },
  });
  const group = (id: string, fields: Record<string, unknown> = {}) => ({
    id,
    name: `Группа ${id}`,
    parentGroup: null,
    isIncludedInMenu: true,
    isGroupModifier: false,
    isDeleted: false,
    ...fields,
  });
  const dish = (id: string, fields: Record<string, unknown> = {}) => ({
    id,
    code: `A${id}`,
    name: `Блюдо ${id}`,
    type: 'dish',
    parentGroup: 'food',
    productCategoryId: 'kitchen',
    sizePrices: [priced(100)],
    isDeleted: false,
    ...fields,
  });
  const document = (products: unknown[], groups: unknown[] = [group('food')]) => ({
    groups,
    productCategories: [{ id: 'kitchen', name: 'Кухня', isDeleted: false }],
    products,
    sizes: [
      { id: 's', name: 'S', priority: 0, isDefault: true },
      { id: 'l', name: 'L', priority: 1, isDefault: false },
    ],
  });

  it('maps a dish, a good and a service, whatever the case of their type', () => {
    const upload = parseIikoNomenclature(
      document([
        dish('1', { description: 'Горячий', type: 'Dish' }),
        dish('2', { type: 'Good', sizePrices: [priced(99.9)] }),
        dish('3', { type: 'SERVICE', parentGroup: null, productCategoryId: null, description: '' }),
        dish('4', { type: 'goods', sizePrices: [] }),
      ]),
      { ids: 'guid' },
    );
    assert.deepEqual(upload.errors, []);
    assert.deepEqual(upload.products, [
      { id: '1', name: 'Блюдо 1', description: 'Горячий', priceMinor: 10000, oldPriceMinor: null, isAvailable: true, categoryIds: ['food'], customFields: { iikoProductCategory: 'kitchen' }, sku: 'A1' },
      { id: '2', name: 'Блюдо 2', description: null, priceMinor: 9990, oldPriceMinor: null, isAvailable: true, categoryIds: ['food'], customFields: { iikoProductCategory: 'kitchen' }, sku: 'A2' },
      { id: '3', name: 'Блюдо 3', description: null, priceMinor: 10000, oldPriceMinor: null, isAvailable: true, categoryIds: [], customFields: {}, sku: 'A3' },
      { id: '4', name: 'Блюдо 4', description: null, priceMinor: null, oldPriceMinor: null, isAvailable: true, categoryIds: ['food'], customFields: { iikoProductCategory: 'kitchen' }, sku: 'A4' },
    ]);
    assert.equal(upload.externalSystem, 'iiko');
  });

  it('marks deleted products, prices left out of the menu and products of hidden or deleted groups unavailable', () => {
    const upload = parseIikoNomenclature(
      document(
        [
          dish('deleted', { isDeleted: true }),
          dish('off-menu', { sizePrices: [priced(100, null, false)] }),
          dish('in-hidden', { parentGroup: 'hidden' }),
          dish('below-hidden', { parentGroup: 'hidden-child' }),
          dish('in-deleted', { parentGroup: 'deleted-child' }),
          dish('sized', { sizePrices: [priced(100, 's'), priced(150, 'l', false)] }),
        ],
        [
          group('food'),
          group('hidden', { isIncludedInMenu: false }),
          group('hidden-child', { parentGroup: 'hidden' }),
          group('deleted', { isDeleted: true }),
          group('deleted-child', { parentGroup: 'deleted' }),
        ],
      ),
      { ids: 'guid' },
    );
    assert.deepEqual(upload.errors, []);
    assert.deepEqual(upload.categories.map((category) => category.id), ['food', 'hidden', 'hidden-child']);
    assert.deepEqual(
      upload.products.map((item) => [item.id, item.isAvailable, item.categoryIds]),
      [
        ['deleted', false, ['food']],
        ['off-menu', false, ['food']],
        ['in-hidden', false, ['hidden']],
        ['below-hidden', false, ['hidden-child']],
        ['in-deleted', false, []],
        ['sized:s', true, ['food']],
        ['sized:l', false, ['food']],
      ],
    );
  });

  it('expands sizes even when there is one, and names the size in article mode', () => {
    const input = document([dish('1', { code: '001', name: 'Латте', sizePrices: [priced(250, 'l')] })]);
    assert.deepEqual(parseIikoNomenclature(input, { ids: 'guid' }).products.map((item) => [item.id, item.name]), [['1:l', 'Латте (L)']]);
    assert.deepEqual(parseIikoNomenclature(input, { ids: 'article' }).products.map((item) => [item.id, item.name]), [['001:L', 'Латте (L)']]);
  });

  it('in article mode reports missing and overlong codes, but not for free modifiers that are skipped anyway', () => {
    const upload = parseIikoNomenclature(
      document([
        dish('1', { code: null }),
        dish('2', { code: 'x'.repeat(201) }),
        dish('3', { code: '  ' }),
        dish('4', { code: null, type: 'modifier', sizePrices: [priced(0)] }),
        dish('5', { code: ' 005 ' }),
      ]),
      { ids: 'article' },
    );
    assertErrors(upload, [
      ['/products/0/code', /^product "1" \(Блюдо 1\): no article \(code\); with ids by article every product needs one$/],
      ['/products/1/code', /^product "2" \(Блюдо 2\): article: id is longer than 200 characters; with ids by article/],
      ['/products/2/code', /^product "3" \(Блюдо 3\): no article \(code\)/],
    ]);
    assert.deepEqual(upload.products.map((item) => [item.id, item.sku]), [['005', '005']]);
  });

  it('makes modifiers with a price products of Модификаторы, even from a hidden modifier group', () => {
    const upload = parseIikoNomenclature(
      document(
        [
          dish('syrup', { type: 'modifier', parentGroup: 'mods', sizePrices: [priced(50)] }),
          dish('free', { type: 'Modifier', parentGroup: 'mods', sizePrices: [priced(0)] }),
          dish('no-price', { type: 'modifier', parentGroup: 'mods', sizePrices: [] }),
          dish('gone', { type: 'modifier', parentGroup: 'mods', isDeleted: true, sizePrices: [priced(60)] }),
        ],
        [group('mods', { isGroupModifier: true, isIncludedInMenu: false })],
      ),
      { ids: 'guid' },
    );
    assert.deepEqual(upload.errors, []);
    assert.deepEqual(upload.categories, [MODIFIERS_CATEGORY]);
    assert.deepEqual(
      upload.products.map((item) => [item.id, item.priceMinor, item.isAvailable, item.categoryIds]),
      [
        ['syrup', 5000, true, ['modifiers']],
        ['gone', 6000, false, ['modifiers']],
      ],
    );
  });

  it('reports invalid products at their locations and keeps the rest', () => {
    const upload = parseIikoNomenclature(
      document([
        'not an object',
        dish('', {}),
        dish('t', { type: 'Combo' }),
        dish('n', { name: '' }),
        dish('p', { sizePrices: [priced(-5)] }),
        dish('d', { sizePrices: [priced('1.005')] }),
        dish('m', { sizePrices: [priced(100), priced(200)] }),
        dish('x', { sizePrices: [priced(100, 's'), priced(200)] }),
        dish('u', { sizePrices: [priced(100, 's'), priced(200, 'xl')] }),
        dish('i', { sizePrices: [priced(100, null, 'yes')] }),
        dish('del', { isDeleted: 'no' }),
        dish('g', { parentGroup: 'nowhere' }),
        dish('ok'),
        dish('ok', { name: 'Двойник' }),
        dish('sp', { sizePrices: { price: 1 } }),
      ]),
      { ids: 'guid' },
    );
    assertErrors(upload, [
      ['/products/0', /^a product must be an object$/],
      ['/products/1/id', /^product: id is empty$/],
      ['/products/2/type', /^product "t" \(Блюдо t\): unknown product type "Combo"$/],
      ['/products/3/name', /^product "n": name is required$/],
      ['/products/4/sizePrices/0/price/currentPrice', /^product "p" \(Блюдо p\): currentPrice must not be negative, got -5$/],
      ['/products/5/sizePrices/0/price/currentPrice', /^product "d" \(Блюдо d\): currentPrice must be a number with at most 2 decimals/],
      ['/products/6/sizePrices', /^product "m" \(Блюдо m\): has several prices and not every one names its size$/],
      ['/products/7/sizePrices', /^product "x" \(Блюдо x\): has several prices/],
      ['/products/8/sizePrices/1/sizeId', /^product "u" \(Блюдо u\): size "xl" is not in the sizes list; this size is left out$/],
      ['/products/9/sizePrices/0/price/isIncludedInMenu', /^product "i" \(Блюдо i\): isIncludedInMenu must be true or false/],
      ['/products/10/isDeleted', /^product "del" \(Блюдо del\): isDeleted must be true or false/],
      ['/products/14/sizePrices', /^product "sp" \(Блюдо sp\): sizePrices must be a list$/],
      ['/products/11/parentGroup', /^product "g": category "nowhere" is not in the catalogue or was rejected; the reference is ignored$/],
      ['/products/13/id', /^product "ok" appears more than once \(first at \/products\/12\/id\)/],
    ]);
    assert.deepEqual(
      upload.products.map((item) => [item.id, item.name, item.categoryIds]),
      [
        ['u:s', 'Блюдо u (S)', ['food']],
        ['g', 'Блюдо g', []],
        ['ok', 'Блюдо ok', ['food']],
      ],
    );
  });

  it('reports invalid and duplicate groups, unknown parents and cycles', () => {
    const upload = parseIikoNomenclature(
      document(
        [dish('in-cycle', { parentGroup: 'a' })],
        [
          group('food'),
          { name: 'без id' },
          group('nameless', { name: null }),
          group('food', { name: 'Дубль' }),
          group('orphan', { parentGroup: 'ghost' }),
          group('a', { parentGroup: 'b' }),
          group('b', { parentGroup: 'a' }),
          group('flag', { isDeleted: 'да' }),
        ],
      ),
      { ids: 'guid' },
    );
    assertErrors(upload, [
      ['/groups/1/id', /^group: id is required$/],
      ['/groups/2/name', /^group "nameless": name is required$/],
      ['/groups/3/id', /^group "food" appears more than once \(first at \/groups\/0\/id\)/],
      ['/groups/7/isDeleted', /^group "flag": isDeleted must be true or false/],
      ['/groups/4/parentGroup', /^category "orphan": parent category "ghost" is not in the catalogue or was rejected; the category is placed at the top level$/],
      ['/groups/5/parentGroup', /^category "a" is part of a parent cycle \("a" → "b" → "a"\)/],
      ['/groups/6/parentGroup', /^category "b" is part of a parent cycle/],
      ['/products/0/parentGroup', /^product "in-cycle": category "a" is not in the catalogue or was rejected/],
    ]);
    assert.deepEqual(upload.categories, [
      { id: 'food', name: 'Группа food', parentId: null },
      { id: 'orphan', name: 'Группа orphan', parentId: null },
    ]);
    assert.deepEqual(upload.products.map((item) => [item.id, item.isAvailable]), [['in-cycle', true]]);
  });

  it('rejects a document that is not a nomenclature answer', () => {
    const rejects = (doc: unknown, location: string | undefined) =>
      assert.throws(
        () => parseIikoNomenclature(doc, { ids: 'guid' }),
        (error) => error instanceof NomenclatureError && error.problem.location === location,
      );
    rejects(null, undefined);
    rejects([], undefined);
    rejects({ groups: [] }, '/products');
    rejects({ products: {} }, '/products');
    rejects({ products: [], groups: 'x' }, '/groups');
    rejects({ products: [], sizes: {} }, '/sizes');
  });
});

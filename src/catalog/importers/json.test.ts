import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../../shared/errors.ts';
import { asArray } from '../../wire/catalog/fields.ts';
import { parseJsonCatalog } from './json.ts';
import type { CatalogUpload } from '../../wire/catalog/types.ts';

const iiko = (id: string | number) => ({ ids: { iiko: id } });
const catalog = (productCatalog: Record<string, unknown>) => ({ productCatalog: { products: [], ...productCatalog } });
const product = (id: string, fields: Record<string, unknown> = {}) => ({ ...iiko(id), name: `Блюдо ${id}`, price: 100, ...fields });

/** Each error as [location, message], in the order the parser reported them. */
function errorsOf(upload: CatalogUpload): [string | undefined, string][] {
  return upload.errors.map((error) => [error.location, error.message]);
}

function assertErrors(upload: CatalogUpload, expected: [string, RegExp][]): void {
  const actual = errorsOf(upload);
  assert.deepEqual(actual.map(([location]) => location), expected.map(([location]) => location), JSON.stringify(actual, null, 1));
  expected.forEach(([, pattern], index) => assert.match(actual[index][1], pattern));
}

function assertRejected(body: unknown, location: string | undefined, pattern: RegExp): void {
  assert.throws(
    () => parseJsonCatalog(body, 'iiko'),
    (error) => {
      assert.ok(isAppError(error));
      assert.equal(error.code, 'validation');
      assert.equal(error.validationMessages.length, 1);
      assert.equal(error.validationMessages[0].location, location);
      assert.match(error.validationMessages[0].message, pattern);
      return true;
    },
  );
}

describe('parseJsonCatalog: valid catalogues', () => {
  it('reads categories with parents and products with prices in kopecks', () => {
    const upload = parseJsonCatalog(
      {
        productCatalog: {
          categories: [
            { ...iiko('drinks'), name: 'Напитки' },
            { ...iiko('coffee'), name: ' Кофе ', parentCategory: iiko('drinks') },
          ],
          products: [
            {
              ...iiko('cappuccino'),
              name: 'Капучино',
              description: 'Двойной эспрессо и молоко',
              price: 250,
              oldPrice: '300.50',
              isAvailable: true,
              categories: [iiko('coffee'), iiko('drinks')],
              customFields: { iikoProductCategory: 'bar', volume: 0.3 },
            },
            { ...iiko(158), name: 'Вода', price: '99.9', isAvailable: false },
            { ...iiko('bread'), name: 'Хлеб' },
          ],
        },
      },
      'iiko',
    );
    assert.deepEqual(upload, {
      externalSystem: 'iiko',
      categories: [
        { id: 'drinks', name: 'Напитки', parentId: null },
        { id: 'coffee', name: 'Кофе', parentId: 'drinks' },
      ],
      products: [
        {
          id: 'cappuccino',
          name: 'Капучино',
          description: 'Двойной эспрессо и молоко',
          priceMinor: 25000,
          oldPriceMinor: 30050,
          isAvailable: true,
          categoryIds: ['coffee', 'drinks'],
          customFields: { iikoProductCategory: 'bar', volume: 0.3 },
        },
        { id: '158', name: 'Вода', description: null, priceMinor: 9990, oldPriceMinor: null, isAvailable: false, categoryIds: [], customFields: {} },
        { id: 'bread', name: 'Хлеб', description: null, priceMinor: null, oldPriceMinor: null, isAvailable: true, categoryIds: [], customFields: {} },
      ],
      errors: [],
      rejectedCategoryIds: [],
      rejectedProductIds: [],
      productLocations: new Map([
        ['cappuccino', '/productCatalog/products/0/ids/iiko'],
        ['158', '/productCatalog/products/1/ids/iiko'],
        ['bread', '/productCatalog/products/2/ids/iiko'],
      ]),
    });
  });

  it('takes the only id present when the external system is not named, and prefers the named one', () => {
    const upload = parseJsonCatalog(
      catalog({ products: [product('x', { ids: { website: 'w1' } }), product('y', { ids: { website: 'w2', iiko: 'i2' } })] }),
      'iiko',
    );
    assert.deepEqual(upload.products.map((item) => item.id), ['w1', 'i2']);
    assert.deepEqual(upload.errors, []);
  });

  it('accepts an empty catalogue and a catalogue without categories', () => {
    assert.deepEqual(parseJsonCatalog({ productCatalog: { products: [] } }, 'iiko'), {
      externalSystem: 'iiko',
      categories: [],
      products: [],
      errors: [],
      rejectedCategoryIds: [],
      rejectedProductIds: [],
      productLocations: new Map(),
    });
  });

  it('keeps a custom field named __proto__ as data', () => {
    const upload = parseJsonCatalog(catalog({ products: [product('a', { customFields: JSON.parse('{"__proto__": {"x": 1}}') })] }), 'iiko');
    const fields = upload.products[0].customFields;
    assert.deepEqual(Object.keys(fields), ['__proto__']);
    assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  });

  it('reads the example operation body', () => {
    const body = JSON.parse(readFileSync(new URL('../../../examples/catalog.json', import.meta.url), 'utf8'));
    const upload = parseJsonCatalog(body, 'iiko');
    assert.deepEqual(upload.errors, []);
    assert.equal(upload.categories.length, 6);
    assert.equal(upload.products.length, 20);
    assert.equal(upload.products.filter((item) => !item.isAvailable).length, 1);
    const cheesecake = upload.products.find((item) => item.name === 'Чизкейк Нью-Йорк')!;
    assert.deepEqual([cheesecake.priceMinor, cheesecake.oldPriceMinor], [42000, 49000]);
  });
});

describe('parseJsonCatalog: the XML-decoded shape', () => {
  it('reads lists that arrive as wrappers with a single item', () => {
    const upload = parseJsonCatalog(
      {
        productCatalog: {
          categories: { category: { ids: { iiko: '1' }, name: 'Супы' } },
          products: {
            product: {
              ids: { iiko: '10' },
              name: 'Борщ',
              price: '450.00',
              isAvailable: 'false',
              categories: { category: { ids: { iiko: '1' } } },
              description: '',
            },
          },
        },
      },
      'iiko',
    );
    assert.deepEqual(upload.categories, [{ id: '1', name: 'Супы', parentId: null }]);
    assert.deepEqual(upload.products, [
      { id: '10', name: 'Борщ', description: null, priceMinor: 45000, oldPriceMinor: null, isAvailable: false, categoryIds: ['1'], customFields: {} },
    ]);
    assert.deepEqual(upload.errors, []);
  });

  it('reads wrappers holding several items, and empty elements as empty lists', () => {
    const upload = parseJsonCatalog(
      { productCatalog: { categories: '', products: { product: [product('a'), product('b')] } } },
      'iiko',
    );
    assert.deepEqual(upload.products.map((item) => item.id), ['a', 'b']);
  });

  it('asArray tells lists, wrappers and other values apart', () => {
    assert.deepEqual(asArray([1, 2], 'x'), [1, 2]);
    assert.deepEqual(asArray({ x: 1 }, 'x'), [1]);
    assert.deepEqual(asArray({ x: [1, 2] }, 'x'), [1, 2]);
    assert.deepEqual(asArray(undefined, 'x'), []);
    assert.deepEqual(asArray('', 'x'), []);
    assert.deepEqual(asArray({}, 'x'), []);
    assert.equal(asArray({ y: 1 }, 'x'), null);
    assert.equal(asArray({ x: 1, y: 2 }, 'x'), null);
    assert.equal(asArray(5, 'x'), null);
  });
});

describe('parseJsonCatalog: request-level errors', () => {
  it('rejects a body without productCatalog', () => {
    assertRejected({ products: [] }, undefined, /no productCatalog/);
    assertRejected(null, undefined, /no productCatalog/);
    assertRejected([1], undefined, /no productCatalog/);
  });

  it('rejects a productCatalog that is not an object', () => {
    assertRejected({ productCatalog: [] }, '/productCatalog', /must be an object/);
  });

  it('rejects a catalogue without a products list, so the menu is not emptied by mistake', () => {
    assertRejected({ productCatalog: { categories: [] } }, '/productCatalog/products', /products is required/);
    assertRejected({ productCatalog: { products: 5 } }, '/productCatalog/products', /must be a list/);
    assertRejected({ productCatalog: { products: { item: {} } } }, '/productCatalog/products', /must be a list/);
  });

  it('rejects categories that are not a list', () => {
    assertRejected({ productCatalog: { categories: 'x', products: [] } }, '/productCatalog/categories', /must be a list/);
  });
});

describe('parseJsonCatalog: item errors', () => {
  it('reports each invalid product field at its location and keeps the valid products', () => {
    const upload = parseJsonCatalog(
      catalog({
        products: [
          'not an object',
          product('p1', { price: '12.345' }),
          product('p2', { price: -1 }),
          product('p3', { price: 'сто' }),
          product('p4', { oldPrice: true }),
          product('p5', { name: undefined }),
          product('p6', { name: 'я'.repeat(251) }),
          product('p7', { isAvailable: 'maybe' }),
          product('p8', { description: 'x'.repeat(10_001) }),
          product('p9', { customFields: ['a'] }),
          product('p10', { name: '   ', price: 1e-3 }),
          product('ok', { price: '0' }),
        ],
      }),
      'iiko',
    );
    assertErrors(upload, [
      ['/productCatalog/products/0', /a product must be an object/],
      ['/productCatalog/products/1/price', /^product "p1": price must be a number with at most 2 decimals, got "12.345"$/],
      ['/productCatalog/products/2/price', /^product "p2": price must not be negative, got -1$/],
      ['/productCatalog/products/3/price', /^product "p3": price must be a number/],
      ['/productCatalog/products/4/oldPrice', /^product "p4": oldPrice must be a number/],
      ['/productCatalog/products/5/name', /^product "p5": name is required$/],
      ['/productCatalog/products/6/name', /^product "p6": name is longer than 250 characters \(251\)$/],
      ['/productCatalog/products/7/isAvailable', /^product "p7": isAvailable must be true or false/],
      ['/productCatalog/products/8/description', /^product "p8": description is longer than 10000 characters/],
      ['/productCatalog/products/9/customFields', /^product "p9": customFields must be an object$/],
      ['/productCatalog/products/10/name', /^product "p10": name is required$/],
      ['/productCatalog/products/10/price', /^product "p10": price must be a number with at most 2 decimals/],
    ]);
    assert.deepEqual(upload.products.map((item) => [item.id, item.priceMinor]), [['ok', 0]]);
    assert.deepEqual(upload.rejectedProductIds, ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10'], 'an import leaves these as they were');
  });

  it('reports ids that are missing, ambiguous, empty or too long', () => {
    const upload = parseJsonCatalog(
      catalog({
        products: [
          { name: 'без ids', price: 1 },
          { ids: {}, name: 'пустые ids' },
          { ids: { website: 'a', crm: 'b' }, name: 'чужие ids' },
          { ids: { iiko: '  ' }, name: 'пустой id' },
          { ids: { iiko: 'x'.repeat(201) }, name: 'длинный id' },
          { ids: { iiko: { nested: 1 } }, name: 'id-объект' },
          { ids: { iiko: 'x'.repeat(200) }, name: 'id на пределе' },
        ],
      }),
      'iiko',
    );
    assertErrors(upload, [
      ['/productCatalog/products/0/ids', /^product: ids must be an object like \{"iiko": "…"\}$/],
      ['/productCatalog/products/1/ids', /^product: no "iiko" id \(ids is empty\)$/],
      ['/productCatalog/products/2/ids', /^product: no "iiko" id \(ids has "website", "crm"\)$/],
      ['/productCatalog/products/3/ids/iiko', /^product: id is empty$/],
      ['/productCatalog/products/4/ids/iiko', /^product: id is longer than 200 characters$/],
      ['/productCatalog/products/5/ids/iiko', /^product: id must be a string$/],
    ]);
    assert.equal(upload.products.length, 1);
  });

  it('reports a duplicate product id at the later item and keeps the first', () => {
    const upload = parseJsonCatalog(
      catalog({ products: [product('a', { price: 1 }), product('b'), product('a', { price: 2 })] }),
      'iiko',
    );
    assertErrors(upload, [
      ['/productCatalog/products/2/ids/iiko', /^product "a" appears more than once \(first at \/productCatalog\/products\/0\/ids\/iiko\); this one is ignored$/],
    ]);
    assert.deepEqual(upload.products.map((item) => [item.id, item.priceMinor]), [['a', 100], ['b', 10000]]);
  });

  it('treats an id used by a rejected item as taken', () => {
    const upload = parseJsonCatalog(catalog({ products: [product('a', { price: -5 }), product('a')] }), 'iiko');
    assertErrors(upload, [
      ['/productCatalog/products/0/price', /must not be negative/],
      ['/productCatalog/products/1/ids/iiko', /appears more than once/],
    ]);
    assert.deepEqual(upload.products, []);
    assert.deepEqual(upload.rejectedProductIds, ['a']);
  });

  it('keeps a product whose category is unknown or malformed, without that reference', () => {
    const upload = parseJsonCatalog(
      catalog({
        categories: [{ ...iiko('soups'), name: 'Супы' }],
        products: [
          product('borscht', { categories: [iiko('soups'), iiko('missing'), { ids: { crm: 'a', site: 'b' } }, 'soups', iiko('soups')] }),
          product('tea', { categories: 'soups' }),
        ],
      }),
      'iiko',
    );
    assertErrors(upload, [
      ['/productCatalog/products/0/categories/2/ids', /^product "borscht": no "iiko" id .*; the reference is ignored$/],
      ['/productCatalog/products/0/categories/3', /^product "borscht": a category reference must be an object with ids; the reference is ignored$/],
      ['/productCatalog/products/1/categories', /^product "tea": categories must be a list; the references are ignored$/],
      ['/productCatalog/products/0/categories/1', /^product "borscht": category "missing" is not in the catalogue or was rejected; the reference is ignored$/],
    ]);
    assert.deepEqual(upload.products.map((item) => [item.id, item.categoryIds]), [['borscht', ['soups']], ['tea', []]]);
  });

  it('reports invalid and duplicate categories, and products pointing at them lose the reference', () => {
    const upload = parseJsonCatalog(
      catalog({
        categories: [
          { ...iiko('a'), name: 'A' },
          { ...iiko('b') },
          { ...iiko('a'), name: 'A again' },
          42,
          { name: 'no ids' },
        ],
        products: [product('p', { categories: [iiko('a'), iiko('b')] })],
      }),
      'iiko',
    );
    assertErrors(upload, [
      ['/productCatalog/categories/1/name', /^category "b": name is required$/],
      ['/productCatalog/categories/3', /^a category must be an object$/],
      ['/productCatalog/categories/4/ids', /^category: ids must be an object/],
      ['/productCatalog/categories/2/ids/iiko', /^category "a" appears more than once \(first at \/productCatalog\/categories\/0\/ids\/iiko\)/],
      ['/productCatalog/products/0/categories/1', /^product "p": category "b" is not in the catalogue or was rejected/],
    ]);
    assert.deepEqual(upload.categories, [{ id: 'a', name: 'A', parentId: null }]);
    assert.deepEqual(upload.products[0].categoryIds, ['a']);
  });

  it('puts a category whose parent is unknown or malformed at the top level', () => {
    const upload = parseJsonCatalog(
      catalog({
        categories: [
          { ...iiko('a'), name: 'A', parentCategory: iiko('ghost') },
          { ...iiko('b'), name: 'B', parentCategory: 'a' },
          { ...iiko('c'), name: 'C', parentCategory: { ids: {} } },
          { ...iiko('d'), name: 'D', parentCategory: null },
        ],
      }),
      'iiko',
    );
    assertErrors(upload, [
      ['/productCatalog/categories/1/parentCategory', /^category "b": parentCategory must be an object with ids; the category is placed at the top level$/],
      ['/productCatalog/categories/2/parentCategory/ids', /^category "c": no "iiko" id \(ids is empty\); the category is placed at the top level$/],
      ['/productCatalog/categories/0/parentCategory/ids/iiko', /^category "a": parent category "ghost" is not in the catalogue or was rejected; the category is placed at the top level$/],
    ]);
    assert.deepEqual(upload.categories.map((category) => category.parentId), [null, null, null, null]);
  });

  it('rejects categories on a parent cycle; their children move to the top level and products lose them', () => {
    const upload = parseJsonCatalog(
      catalog({
        categories: [
          { ...iiko('root'), name: 'Root' },
          { ...iiko('a'), name: 'A', parentCategory: iiko('b') },
          { ...iiko('b'), name: 'B', parentCategory: iiko('a') },
          { ...iiko('self'), name: 'Self', parentCategory: iiko('self') },
          { ...iiko('child'), name: 'Child', parentCategory: iiko('a') },
          { ...iiko('leaf'), name: 'Leaf', parentCategory: iiko('child') },
        ],
        products: [product('p', { categories: [iiko('a'), iiko('leaf')] })],
      }),
      'iiko',
    );
    assertErrors(upload, [
      ['/productCatalog/categories/1/parentCategory/ids/iiko', /^category "a" is part of a parent cycle \("a" → "b" → "a"\); the category is ignored$/],
      ['/productCatalog/categories/2/parentCategory/ids/iiko', /^category "b" is part of a parent cycle/],
      ['/productCatalog/categories/3/parentCategory/ids/iiko', /^category "self" is part of a parent cycle \("self" → "self"\)/],
      ['/productCatalog/categories/4/parentCategory/ids/iiko', /^category "child": parent category "a" was rejected for a parent cycle; the category is placed at the top level$/],
      ['/productCatalog/products/0/categories/0', /^product "p": category "a" is not in the catalogue or was rejected/],
    ]);
    assert.deepEqual(upload.categories, [
      { id: 'root', name: 'Root', parentId: null },
      { id: 'child', name: 'Child', parentId: null },
      { id: 'leaf', name: 'Leaf', parentId: 'child' },
    ]);
    assert.deepEqual(upload.products[0].categoryIds, ['leaf']);
    assert.deepEqual(upload.rejectedCategoryIds, ['a', 'b', 'self']);
  });
});

describe('parseJsonCatalog: properties and size', () => {
  const wireId = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
  const kopecks = fc.integer({ min: 0, max: 1_000_000_000 });
  const asWire = (minor: number, asString: boolean) => {
    const roubles = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
    return asString ? roubles : Number(roubles);
  };

  it('round-trips the ids and prices of any valid catalogue', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ id: wireId, price: kopecks, oldPrice: fc.option(kopecks), asString: fc.boolean() }), {
          selector: (item) => item.id,
          maxLength: 30,
        }),
        (items) => {
          const body = {
            productCatalog: {
              products: items.map((item) => ({
                ...iiko(item.id),
                name: `Товар ${item.id}`,
                price: asWire(item.price, item.asString),
                ...(item.oldPrice === null ? {} : { oldPrice: asWire(item.oldPrice, !item.asString) }),
              })),
            },
          };
          const upload = parseJsonCatalog(body, 'iiko');
          assert.deepEqual(upload.errors, []);
          assert.deepEqual(
            upload.products.map((item) => [item.id, item.priceMinor, item.oldPriceMinor]),
            items.map((item) => [item.id, item.price, item.oldPrice]),
          );
        },
      ),
    );
  });

  it('parses a catalogue of 50 000 products', () => {
    const products = Array.from({ length: 50_000 }, (_, index) => ({
      ...iiko(`p${index}`),
      name: `Товар ${index}`,
      price: (index % 5000) + 0.99,
      categories: [iiko(`c${index % 100}`)],
    }));
    const categories = Array.from({ length: 100 }, (_, index) => ({
      ...iiko(`c${index}`),
      name: `Категория ${index}`,
      ...(index > 0 ? { parentCategory: iiko(`c${index - 1}`) } : {}),
    }));
    const upload = parseJsonCatalog({ productCatalog: { categories, products } }, 'iiko');
    assert.equal(upload.products.length, 50_000);
    assert.equal(upload.categories.length, 100);
    assert.deepEqual(upload.errors, []);
  });
});

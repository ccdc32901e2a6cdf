// Offline.SendProductCatalog over the protocol: JSON, XML and YML bodies, sync and async, partial
// errors, availability across uploads, custom fields, the body limit.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveProducts } from '../src/catalog/catalog.service.ts';
import { applyProject } from '../src/project/project.service.ts';
import { createTestApp, type TestApp } from './support/app.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const catalogJson = JSON.parse(readFileSync(join(EXAMPLES, 'catalog.json'), 'utf8'));
const catalogYml = readFileSync(join(EXAMPLES, 'catalog.yml.xml'), 'utf8');
const OPERATION = 'Offline.SendProductCatalog';

const product = (id: string, name: string, price: unknown, extra: Record<string, unknown> = {}) => ({
  ids: { iiko: id },
  name,
  price,
  ...extra,
});
const category = (id: string, name: string, parent?: string) => ({
  ids: { iiko: id },
  name,
  ...(parent ? { parentCategory: { ids: { iiko: parent } } } : {}),
});

async function availability(t: TestApp, ids: string[]): Promise<Record<string, boolean | 'absent'>> {
  const resolved = await resolveProducts(t.app.db, 'iiko', ids);
  return Object.fromEntries(ids.map((id) => [id, resolved.get(id)?.isAvailable ?? 'absent']));
}

describe('Offline.SendProductCatalog', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('a JSON catalogue is saved and answered with counts; the same upload again changes nothing', async () => {
    const first = await t.call(OPERATION, catalogJson);
    assert.equal(first.httpStatus, 200);
    assert.equal(first.body.status, 'Success');
    const { durationMs, ...counts } = first.body.productCatalog;
    assert.equal(typeof durationMs, 'number');
    assert.deepEqual(counts, {
      processingStatus: 'Processed',
      externalSystem: 'iiko',
      received: 20,
      created: 20,
      changed: 0,
      unchanged: 0,
      madeUnavailable: 0,
      rejected: 0,
      categories: { received: 6, created: 6, changed: 0, unchanged: 0, madeUnavailable: 0, rejected: 0 },
      errors: 0,
    });
    assert.deepEqual(first.body.validationMessages, []);

    const cheesecakes = (await resolveProducts(t.app.db, 'iiko', ['064dbaac-33a0-4cd6-93a2-9da8775bee47'])).get(
      '064dbaac-33a0-4cd6-93a2-9da8775bee47',
    );
    assert.deepEqual(cheesecakes, {
      name: 'Сырники со сметаной',
      priceMinor: 42000,
      isAvailable: true,
      categoryIds: ['3c3023f6-b938-414f-b701-ea438fafef10'],
    });

    const again = await t.call(OPERATION, catalogJson);
    assert.equal(again.body.productCatalog.unchanged, 20);
    assert.equal(again.body.productCatalog.created + again.body.productCatalog.changed, 0);
    assert.equal(again.body.productCatalog.categories.unchanged, 6);
  });
});

describe('availability across uploads', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('a product missing from the next full upload becomes unavailable, keeps its data, and comes back', async () => {
    const menu = (products: unknown[], categories: unknown[] = [category('drinks', 'Напитки'), category('coffee', 'Кофе', 'drinks')]) => ({
      productCatalog: { categories, products },
    });
    await t.call(OPERATION, menu([
      product('latte', 'Латте', 250, { categories: [{ ids: { iiko: 'coffee' } }] }),
      product('tea', 'Чай', 150, { categories: [{ ids: { iiko: 'drinks' } }] }),
      product('cocoa', 'Какао', 200),
    ]));

    const second = await t.call(OPERATION, menu(
      [product('latte', 'Латте', 270, { categories: [{ ids: { iiko: 'coffee' } }] }), product('cocoa', 'Какао', 200)],
      [category('coffee', 'Кофе')],
    ));
    const counts = second.body.productCatalog;
    assert.deepEqual([counts.created, counts.changed, counts.unchanged, counts.madeUnavailable], [0, 1, 1, 1]);
    assert.deepEqual(counts.categories, { received: 1, created: 0, changed: 1, unchanged: 0, madeUnavailable: 1, rejected: 0 });
    assert.deepEqual(await availability(t, ['latte', 'tea', 'cocoa']), { latte: true, tea: false, cocoa: true });
    const tea = (await resolveProducts(t.app.db, 'iiko', ['tea'])).get('tea')!;
    assert.equal(tea.priceMinor, 15000, 'an unavailable product keeps its price for orders that still carry it');
    assert.deepEqual(tea.categoryIds, ['drinks']);
    assert.deepEqual((await resolveProducts(t.app.db, 'iiko', ['latte'])).get('latte')!.categoryIds, ['coffee'], 'coffee moved to the top level');

    const third = await t.call(OPERATION, menu([product('tea', 'Чай', 150), product('latte', 'Латте', 270, { categories: [{ ids: { iiko: 'coffee' } }] })]));
    assert.equal(third.body.productCatalog.madeUnavailable, 1);
    assert.deepEqual(await availability(t, ['latte', 'tea', 'cocoa']), { latte: true, tea: true, cocoa: false });
    assert.deepEqual((await resolveProducts(t.app.db, 'iiko', ['latte'])).get('latte')!.categoryIds, ['coffee', 'drinks']);
  });

  test('names and fields with quotes, braces, backslashes and the word NULL are stored exactly', async () => {
    const tricky = 'He said "hi", {x} \\ back\\slash; NULL';
    await t.call(OPERATION, {
      productCatalog: {
        categories: [category('c,1', 'Категория "один"')],
        products: [
          product('NULL', 'NULL', 1, { description: tricky, categories: [{ ids: { iiko: 'c,1' } }], customFields: { note: tricky } }),
        ],
      },
    });
    const row = await t.app.db.selectFrom('catalog_products').selectAll().where('id', '=', 'NULL').executeTakeFirstOrThrow();
    assert.deepEqual([row.name, row.description, row.category_ids, row.custom_fields], ['NULL', tricky, ['c,1'], { note: tricky }]);
  });

  test('a product sent with isAvailable false is saved unavailable', async () => {
    await t.call(OPERATION, { productCatalog: { products: [product('soup', 'Суп', 300, { isAvailable: false })] } });
    assert.deepEqual(await availability(t, ['soup']), { soup: false });
  });
});

describe('concurrent uploads', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('two full uploads at once leave exactly one of the two menus available', async () => {
    const menu = (prefix: string) => ({
      productCatalog: { products: Array.from({ length: 300 }, (_, i) => product(`${prefix}-${i}`, `${prefix} ${i}`, 100 + i)) },
    });
    const answers = await Promise.all([t.call(OPERATION, menu('a')), t.call(OPERATION, menu('b'))]);
    assert.deepEqual(answers.map((answer) => answer.body.status), ['Success', 'Success']);
    const available = await t.app.db.selectFrom('catalog_products').select('id').where('is_available', '=', true).execute();
    const prefixes = new Set(available.map((row) => row.id.split('-')[0]));
    assert.equal(available.length, 300);
    assert.equal(prefixes.size, 1);
    const second = answers.find((answer) => answer.body.productCatalog.madeUnavailable === 300);
    assert.ok(second, 'the upload that ran second made the first one\'s 300 products unavailable');
  });
});

describe('partial errors', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('valid items are saved, each invalid one is reported at its position, and a rejected known product is left as it was', async () => {
    await t.call(OPERATION, { productCatalog: { products: [product('borsch', 'Борщ', 390), product('pie', 'Пирог', 120)] } });

    const answer = await t.call(OPERATION, {
      productCatalog: {
        categories: [category('soups', 'Супы')],
        products: [
          product('borsch', 'Борщ', 'дорого'),
          product('shchi', 'Щи', 350, { categories: [{ ids: { iiko: 'soups' } }, { ids: { iiko: 'nowhere' } }] }),
          { ids: { iiko: 'nameless' }, price: 10 },
        ],
      },
    });
    assert.equal(answer.body.status, 'Success');
    const counts = answer.body.productCatalog;
    assert.deepEqual(
      [counts.received, counts.created, counts.rejected, counts.madeUnavailable, counts.errors],
      [3, 1, 2, 1, 3],
    );
    const locations = answer.body.validationMessages.map((m: { location: string }) => m.location).sort();
    assert.deepEqual(locations, [
      '/productCatalog/products/0/price',
      '/productCatalog/products/1/categories/1',
      '/productCatalog/products/2/name',
    ]);
    assert.deepEqual(await availability(t, ['borsch', 'shchi', 'pie', 'nameless']), {
      borsch: true,
      shchi: true,
      pie: false,
      nameless: 'absent',
    });
    assert.equal((await resolveProducts(t.app.db, 'iiko', ['borsch'])).get('borsch')!.priceMinor, 39000);
    assert.deepEqual((await resolveProducts(t.app.db, 'iiko', ['shchi'])).get('shchi')!.categoryIds, ['soups']);
  });

  test('a body that is not a catalogue is a ValidationError and changes nothing', async () => {
    const answer = await t.call(OPERATION, { customer: { mobilePhone: '79990000000' } });
    assert.equal(answer.httpStatus, 200);
    assert.equal(answer.body.status, 'ValidationError');
    assert.match(answer.body.validationMessages[0].message, /productCatalog/);
    assert.deepEqual(await availability(t, ['borsch']), { borsch: true });

    const noProducts = await t.call(OPERATION, { productCatalog: { categories: [] } });
    assert.equal(noProducts.body.status, 'ValidationError');
    assert.equal(noProducts.body.validationMessages[0].location, '/productCatalog/products');
  });
});

describe('XML and YML bodies', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('a YML feed body is imported like the JSON catalogue', async () => {
    const answer = await t.call(OPERATION, undefined, { format: 'xml', raw: catalogYml });
    assert.equal(answer.httpStatus, 200);
    assert.match(answer.text, /<status>Success<\/status>/);
    assert.match(answer.text, /<received>20<\/received><created>20<\/created>/);
    assert.match(answer.text, /<errors>0<\/errors>/);
    const latte = await resolveProducts(t.app.db, 'iiko', ['064dbaac-33a0-4cd6-93a2-9da8775bee47']);
    assert.equal(latte.get('064dbaac-33a0-4cd6-93a2-9da8775bee47')?.priceMinor, 42000);
  });

  test('the JSON catalogue in an <operation> XML body and the YML feed give the same catalogue', async () => {
    const yml = await t.call(OPERATION, undefined, { format: 'xml', raw: catalogYml });
    assert.match(yml.text, /<unchanged>20<\/unchanged>/);
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<operation><productCatalog>
  <categories><category><ids><iiko>cat-1</iiko></ids><name>Новое</name></category></categories>
  <products>
    <product><ids><iiko>xml-1</iiko></ids><name>Квас</name><price>99.50</price><categories><category><ids><iiko>cat-1</iiko></ids></category></categories></product>
    <product><ids><iiko>xml-2</iiko></ids><name>Морс</name><price>-1</price></product>
  </products>
</productCatalog></operation>`;
    const answer = await t.call(OPERATION, xml, { format: 'xml' });
    assert.match(answer.text, /<created>1<\/created>/);
    // the feed's 20 offers, one of them already unavailable; and its 6 categories
    assert.match(answer.text, /<madeUnavailable>19<\/madeUnavailable><rejected>1<\/rejected><categories>.*<madeUnavailable>6<\/madeUnavailable>/);
    assert.match(answer.text, /<validationMessage><location>\/productCatalog\/products\/1\/price<\/location><message>[^<]*must not be negative/);
    const kvass = (await resolveProducts(t.app.db, 'iiko', ['xml-1'])).get('xml-1');
    assert.deepEqual(kvass, { name: 'Квас', priceMinor: 9950, isAvailable: true, categoryIds: ['cat-1'] });
  });

  test('an XML body with another root than a catalogue is a ValidationError', async () => {
    const answer = await t.call(OPERATION, '<operation><customer><mobilePhone>79990000000</mobilePhone></customer></operation>', { format: 'xml' });
    assert.match(answer.text, /<status>ValidationError<\/status>/);
  });
});

describe('async uploads', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('a YML feed sent to /v3/operations/async is queued, then imported from its raw body', async () => {
    const transactionId = randomUUID();
    const accepted = await t.call(OPERATION, undefined, { format: 'xml', raw: catalogYml, mode: 'async', transactionId });
    assert.match(accepted.text, /<status>Success<\/status>/);
    assert.equal((await resolveProducts(t.app.db, 'iiko', ['064dbaac-33a0-4cd6-93a2-9da8775bee47'])).size, 0);
    await t.drain();
    assert.equal((await resolveProducts(t.app.db, 'iiko', ['064dbaac-33a0-4cd6-93a2-9da8775bee47'])).size, 1);
    const row = await t.app.db.selectFrom('async_operations').select(['status', 'result']).where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
    assert.equal(row.status, 'done');
    assert.equal((row.result as any).productCatalog.created, 20);

    const repeated = await t.call(OPERATION, undefined, { format: 'xml', raw: catalogYml, mode: 'async', transactionId });
    assert.match(repeated.text, /TransactionAlreadyProcessed/);
  });

  test('a JSON catalogue sent async is imported too', async () => {
    await t.call(OPERATION, { productCatalog: { products: [product('async-1', 'Пельмени', 410)] } }, { mode: 'async' });
    await t.drain();
    assert.deepEqual(await availability(t, ['async-1', '064dbaac-33a0-4cd6-93a2-9da8775bee47']), {
      'async-1': true,
      '064dbaac-33a0-4cd6-93a2-9da8775bee47': false,
    });
  });
});

describe('product custom fields', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await applyProject(t.app.db, {
      customFields: [
        { entity: 'Product', systemName: 'Weight', type: 'Integer' },
        { entity: 'Product', systemName: 'Vegan', type: 'Boolean' },
        { entity: 'Product', systemName: 'Allergens', type: 'Enum', multiValued: true, enumValues: ['nuts', 'milk', 'gluten'] },
      ],
    });
    await t.app.project.reload();
  });
  after(() => t.close());

  test('defined fields are checked and typed, unknown fields are kept as given', async () => {
    const answer = await t.call(OPERATION, {
      productCatalog: {
        products: [
          product('salad', 'Салат', 300, { customFields: { Weight: '250', Vegan: 'true', Allergens: 'nuts|milk', Chef: { name: 'Ivan' } } }),
          product('cake', 'Торт', 200, { customFields: { Weight: 'heavy' } }),
          product('bread', 'Хлеб', 50, { customFields: { Allergens: ['gluten', 'eggs'] } }),
        ],
      },
    });
    assert.equal(answer.body.status, 'Success');
    assert.deepEqual(
      answer.body.validationMessages.map((m: { location: string }) => m.location),
      ['/productCatalog/products/1/customFields/Weight', '/productCatalog/products/2/customFields/Allergens'],
    );
    assert.match(answer.body.validationMessages[0].message, /"Weight" \(Integer\) must be a whole number, got "heavy"/);
    assert.equal(answer.body.productCatalog.rejected, 2);
    const row = await t.app.db.selectFrom('catalog_products').select('custom_fields').where('id', '=', 'salad').executeTakeFirstOrThrow();
    assert.deepEqual(row.custom_fields, { Weight: 250, Vegan: true, Allergens: ['nuts', 'milk'], Chef: { name: 'Ivan' } });
  });
});

describe('request size', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { REGULARS_BODY_LIMIT_MB: '0.01' } });
  });
  after(() => t.close());

  test('a catalogue above the body limit is refused with 413 before anything is read', async () => {
    const products = Array.from({ length: 400 }, (_, i) => product(`p-${i}`, `Блюдо ${i}`, 100));
    const answer = await t.call(OPERATION, { productCatalog: { products } });
    assert.equal(answer.httpStatus, 413);
    assert.equal(answer.body.status, 'ProtocolError');
    assert.equal(answer.body.httpStatusCode, 413);
    assert.equal((await resolveProducts(t.app.db, 'iiko', ['p-0'])).size, 0);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isAppError, type ErrorCode } from '../../shared/errors.ts';
import type { CatalogUpload } from '../../wire/catalog/types.ts';
import { parseYmlCatalog } from './yml.ts';

const feed = (categories: string, offers: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<yml_catalog date="2025-06-10T12:00:00+03:00">
  <shop>
    <name>Кафе</name>
    <currencies><currency id="RUR" rate="1"/></currencies>
    <categories>${categories}</categories>
    <offers>${offers}</offers>
  </shop>
</yml_catalog>`;

function assertErrors(upload: CatalogUpload, expected: [string, RegExp][]): void {
  const actual = upload.errors.map((error) => [error.location, error.message] as const);
  assert.deepEqual(actual.map(([location]) => location), expected.map(([location]) => location), JSON.stringify(actual, null, 1));
  expected.forEach(([, pattern], index) => assert.match(actual[index][1], pattern));
}

function assertThrows(xml: string, code: ErrorCode, pattern: RegExp, options?: { maxChars?: number }): void {
  assert.throws(
    () => parseYmlCatalog(xml, options),
    (error) => {
      assert.ok(isAppError(error));
      assert.equal(error.code, code);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseYmlCatalog: valid feeds', () => {
  it('maps categories and every offer field', () => {
    const upload = parseYmlCatalog(
      feed(
        `<category id="1">Напитки</category>
         <category id="2" parentId="1">Кофе &amp; чай</category>`,
        `<offer id="158" available="true" group_id="77">
           <url>https://cafe.example/158</url>
           <price>250.50</price>
           <oldprice>300</oldprice>
           <currencyId>RUR</currencyId>
           <categoryId>2</categoryId>
           <categoryId>1</categoryId>
           <name>Капучино &#171;Классика&#187; &#x2014; M</name>
           <description><![CDATA[<p>Эспрессо &amp; молоко</p>]]></description>
           <vendorCode>00012</vendorCode>
           <param name="volume" unit="мл">350</param>
           <param name="tags">кофе</param>
           <param name="tags">молоко</param>
         </offer>
         <offer id="159" available="false">
           <price>0</price>
           <currencyId>RUB</currencyId>
           <name>Вода</name>
         </offer>`,
      ),
    );
    assert.deepEqual(upload, {
      externalSystem: null,
      categories: [
        { id: '1', name: 'Напитки', parentId: null },
        { id: '2', name: 'Кофе & чай', parentId: '1' },
      ],
      products: [
        {
          id: '158',
          name: 'Капучино «Классика» — M',
          description: '<p>Эспрессо &amp; молоко</p>',
          priceMinor: 25050,
          oldPriceMinor: 30000,
          isAvailable: true,
          categoryIds: ['2', '1'],
          customFields: { volume: '350', tags: ['кофе', 'молоко'], groupId: '77' },
          sku: '00012',
        },
        { id: '159', name: 'Вода', description: null, priceMinor: 0, oldPriceMinor: null, isAvailable: false, categoryIds: [], customFields: {}, sku: null },
      ],
      errors: [],
      rejectedCategoryIds: [],
      rejectedProductIds: [],
      productLocations: new Map([
        ['158', '/yml_catalog/shop/offers/0/@id'],
        ['159', '/yml_catalog/shop/offers/1/@id'],
      ]),
    });
  });

  it('reads a single category and a single offer as lists of one', () => {
    const upload = parseYmlCatalog(feed('<category id="9">Супы</category>', '<offer id="1"><name>Борщ</name><categoryId>9</categoryId></offer>'));
    assert.deepEqual(upload.categories, [{ id: '9', name: 'Супы', parentId: null }]);
    assert.deepEqual(upload.products.map((item) => [item.id, item.isAvailable, item.priceMinor, item.categoryIds]), [['1', true, null, ['9']]]);
  });

  it('reads an empty offer list and a feed without categories', () => {
    const upload = parseYmlCatalog('<yml_catalog><shop><offers/></shop></yml_catalog>');
    assert.deepEqual(upload, {
      externalSystem: null,
      categories: [],
      products: [],
      errors: [],
      rejectedCategoryIds: [],
      rejectedProductIds: [],
      productLocations: new Map(),
    });
  });

  it('decodes only the standard XML entities and leaves other references as written', () => {
    const upload = parseYmlCatalog(feed('', '<offer id="1"><name>&lt;Tom&gt; &amp;amp; &quot;Jerry&apos; &nbsp; &#0;</name></offer>'));
    assert.equal(upload.products[0].name, `<Tom> &amp; "Jerry' &nbsp; &#0;`);
  });

  it('keeps a param named after the offer group instead of the group_id', () => {
    const upload = parseYmlCatalog(feed('', '<offer id="1" group_id="5"><name>A</name><param name="groupId">own</param></offer>'));
    assert.deepEqual(upload.products[0].customFields, { groupId: 'own' });
  });

  it('reads the example feed', () => {
    const xml = readFileSync(new URL('../../../examples/catalog.yml.xml', import.meta.url), 'utf8');
    const upload = parseYmlCatalog(xml);
    assert.deepEqual(upload.errors, []);
    assert.equal(upload.categories.length, 6);
    assert.equal(upload.products.length, 20);
    assert.equal(upload.products.filter((item) => !item.isAvailable).length, 1);
    assert.ok(upload.products.every((item) => typeof item.customFields.iikoProductCategory === 'string'));
  });

  it('reads the same products from the example feed as from the example JSON body', async () => {
    const { parseJsonCatalog } = await import('./json.ts');
    const json = parseJsonCatalog(JSON.parse(readFileSync(new URL('../../../examples/catalog.json', import.meta.url), 'utf8')), 'iiko');
    const yml = parseYmlCatalog(readFileSync(new URL('../../../examples/catalog.yml.xml', import.meta.url), 'utf8'));
    const key = (upload: CatalogUpload) => upload.products.map(({ id, name, priceMinor, oldPriceMinor, isAvailable, categoryIds }) => ({ id, name, priceMinor, oldPriceMinor, isAvailable, categoryIds }));
    assert.deepEqual(key(yml), key(json));
    assert.deepEqual(yml.categories, json.categories);
  });
});

describe('parseYmlCatalog: item errors', () => {
  it('reports each invalid offer at its location and keeps the valid ones', () => {
    const upload = parseYmlCatalog(
      feed(
        '<category id="1">Еда</category>',
        `<offer><name>без id</name></offer>
         <offer id="a"><name>A</name><price>12.345</price></offer>
         <offer id="b"><name>B</name><price>-10</price><oldprice>много</oldprice></offer>
         <offer id="c" available="yes"><name>C</name></offer>
         <offer id="d"><name>D</name><price>100</price><currencyId>USD</currencyId></offer>
         <offer id="e"><name>E</name><price>1</price><price>2</price></offer>
         <offer id="f"><price>1</price></offer>
         <offer id="g"><name>G</name><param>без имени</param></offer>
         <offer id="h"><name>H</name><categoryId>1</categoryId><categoryId>404</categoryId><categoryId></categoryId></offer>
         <offer id="a"><name>A again</name></offer>
         <offer id="${'x'.repeat(201)}"><name>long</name></offer>`,
      ),
    );
    assertErrors(upload, [
      ['/yml_catalog/shop/offers/0/@id', /^offer: id is required$/],
      ['/yml_catalog/shop/offers/1/price', /^offer "a": price must be a number with at most 2 decimals, got "12.345"$/],
      ['/yml_catalog/shop/offers/2/price', /^offer "b": price must not be negative/],
      ['/yml_catalog/shop/offers/2/oldprice', /^offer "b": oldprice must be a number/],
      ['/yml_catalog/shop/offers/3/@available', /^offer "c": available must be true or false, got "yes"$/],
      ['/yml_catalog/shop/offers/4/currencyId', /^offer "d": prices must be in roubles \(RUR or RUB\), got "USD"$/],
      ['/yml_catalog/shop/offers/5/price', /^offer "e": <price> appears 2 times; one is expected$/],
      ['/yml_catalog/shop/offers/6/name', /^offer "f": name is required$/],
      ['/yml_catalog/shop/offers/7/param/0/@name', /^offer "g": a <param> needs a name attribute$/],
      ['/yml_catalog/shop/offers/8/categoryId/2', /^offer "h": category id is empty; the reference is ignored$/],
      ['/yml_catalog/shop/offers/10/@id', /^offer: id is longer than 200 characters$/],
      ['/yml_catalog/shop/offers/8/categoryId/1', /^offer "h": category "404" is not in the catalogue or was rejected; the reference is ignored$/],
      ['/yml_catalog/shop/offers/9/@id', /^offer "a" appears more than once \(first at \/yml_catalog\/shop\/offers\/1\/@id\)/],
    ]);
    assert.deepEqual(upload.products.map((item) => [item.id, item.categoryIds]), [['h', ['1']]]);
  });

  it('reports invalid categories, unknown parents and parent cycles', () => {
    const upload = parseYmlCatalog(
      feed(
        `<category>Без id</category>
         <category id="1"></category>
         <category id="2" parentId="99">Сироты</category>
         <category id="3" parentId="4">Круг 1</category>
         <category id="4" parentId="3">Круг 2</category>
         <category id="5" parentId="3">Внутри круга</category>
         <category id="2">Дубль</category>`,
        '<offer id="o"><name>O</name><categoryId>3</categoryId><categoryId>5</categoryId></offer>',
      ),
    );
    assertErrors(upload, [
      ['/yml_catalog/shop/categories/0/@id', /^category: id is required$/],
      ['/yml_catalog/shop/categories/1', /^category "1": name is required$/],
      ['/yml_catalog/shop/categories/6/@id', /^category "2" appears more than once/],
      ['/yml_catalog/shop/categories/2/@parentId', /^category "2": parent category "99" is not in the catalogue or was rejected; the category is placed at the top level$/],
      ['/yml_catalog/shop/categories/3/@parentId', /^category "3" is part of a parent cycle \("3" → "4" → "3"\)/],
      ['/yml_catalog/shop/categories/4/@parentId', /^category "4" is part of a parent cycle/],
      ['/yml_catalog/shop/categories/5/@parentId', /^category "5": parent category "3" was rejected for a parent cycle/],
      ['/yml_catalog/shop/offers/0/categoryId/0', /^offer "o": category "3" is not in the catalogue or was rejected/],
    ]);
    assert.deepEqual(upload.categories, [
      { id: '2', name: 'Сироты', parentId: null },
      { id: '5', name: 'Внутри круга', parentId: null },
    ]);
    assert.deepEqual(upload.products[0].categoryIds, ['5']);
  });
});

describe('parseYmlCatalog: documents that are not a feed', () => {
  it('throws a protocol error with the line of a malformed document', () => {
    const xml = '<yml_catalog>\n<shop>\n<offers>\n<offer id="1"><name>A</name>\n</offers>\n</shop>\n</yml_catalog>';
    assertThrows(xml, 'bad_request', /^the YML feed is not well-formed XML: .*closing tag 'offer'.* \(line 5, column 1\)$/);
    assertThrows('not xml at all', 'bad_request', /not well-formed XML: .*\(line 1, column 1\)$/);
    assertThrows('', 'bad_request', /not well-formed XML/);
    assertThrows('<yml_catalog><shop a="1" a="2"><offers/></shop></yml_catalog>', 'bad_request', /not well-formed XML: .*line 1/);
  });

  it('refuses a DOCTYPE, so no entity can expand', () => {
    const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<yml_catalog><shop><offers><offer id="1"><name>&lol2;</name></offer></offers></shop></yml_catalog>`;
    assertThrows(billionLaughs, 'bad_request', /must not contain a DOCTYPE declaration \(line 2\)/);
    assertThrows('<!DOCTYPE x SYSTEM "file:///etc/passwd"><yml_catalog/>', 'bad_request', /DOCTYPE/);
  });

  it('refuses documents that are too large or nested too deep', () => {
    assertThrows(feed('', ''), 'payload_too_large', /larger than 100 characters/, { maxChars: 100 });
    const deep = `<yml_catalog><shop><offers>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</offers></shop></yml_catalog>`;
    assertThrows(deep, 'bad_request', /could not be read: .*nested/i);
  });

  it('reads a feed that starts with a byte order mark', () => {
    assert.equal(parseYmlCatalog(`\uFEFF${feed('', '<offer id="1"><name>A</name></offer>')}`).products.length, 1);
  });

  it('answers a validation error when the feed frame or the offers are missing', () => {
    for (const [xml, location] of [
      ['<catalog><shop/></catalog>', undefined],
      ['<yml_catalog date="x"/>', undefined],
      ['<yml_catalog><shop><categories/></shop></yml_catalog>', '/yml_catalog/shop/offers'],
    ] as const) {
      assert.throws(
        () => parseYmlCatalog(xml),
        (error) => isAppError(error) && error.code === 'validation' && error.validationMessages[0].location === location,
      );
    }
  });
});

// The POS's menu upload as the server reads it: the `Offline.SendProductCatalog` body the POS builds from the
// iiko nomenclature parses, with the server's own parser, back to the catalogue the POS read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonCatalog } from '../src/catalog/importers/json.ts';
import { loadMenu, productCatalogBody } from '../src/pos/menu.ts';
import { SAMPLE_MENU } from '../src/pos/simulator/setup.ts';

test('the SendProductCatalog body carries the whole menu and reads back to the same catalogue on the server side', () => {
  for (const sendProductId of [true, false]) {
    const menu = loadMenu(SAMPLE_MENU, sendProductId);
    const body = productCatalogBody(menu.upload, 'iiko');
    const parsed = parseJsonCatalog(body, 'iiko');
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.categories, menu.upload.categories);
    assert.deepEqual(
      parsed.products.map(({ sku: _sku, ...product }) => product),
      menu.upload.products.map(({ sku: _sku, ...product }) => product),
    );
    assert.ok(body.productCatalog.products.some((product) => !product.isAvailable), 'unavailable dishes are sent too, marked unavailable');
  }
});

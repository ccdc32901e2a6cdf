// A YML (Yandex Market Language) feed body of `Offline.SendProductCatalog`. Locations follow the
// element path with 0-based indexes into the category and offer lists and `@` for attributes:
// `/yml_catalog/shop/offers/3/price`, `/yml_catalog/shop/offers/3/@id`,
// `/yml_catalog/shop/categories/0/@parentId`.
//
// Mapping: `offer@id` → id, `@available` (absent = available) → isAvailable, `price`/`oldprice` →
// kopecks, `categoryId` (repeatable) → categoryIds, `vendorCode` → sku, `param name="X"` → custom
// field X (a repeated param becomes a list of values), `@group_id` → custom field `groupId` unless a
// param already uses that name. Prices are roubles: an offer in another currency is rejected.
//
// Safety: no DOCTYPE (so no custom entities), only the five XML entities and character references
// are decoded, a size limit, and a nesting limit.

import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { protocolError, validationError, type ValidationMessage } from '../../shared/errors.ts';
import { given, isObject } from '../../wire/decoded.ts';
import { assembleCatalog, type CategoryDraft, type CategoryRef, type ProductDraft } from '../../wire/catalog/assemble.ts';
import {
  describeItem,
  ItemCheck,
  readBoolean,
  readDescription,
  readId,
  readName,
  readPrice,
} from '../../wire/catalog/fields.ts';
import type { CatalogUpload } from '../../wire/catalog/types.ts';

export const YML_MAX_CHARS = 64 * 1024 * 1024;
const MAX_NESTED_TAGS = 32;
const ROOT = '/yml_catalog/shop';
const ROUBLES = new Set(['RUR', 'RUB']);
const REPEATABLE = new Set([
  'yml_catalog.shop.categories.category',
  'yml_catalog.shop.offers.offer',
  'yml_catalog.shop.offers.offer.categoryId',
  'yml_catalog.shop.offers.offer.param',
]);

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY_REFERENCE = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g;

function decodeCharacterReference(decimal: string | undefined, hex: string | undefined): string | null {
  const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex!, 16);
  return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : null;
}

/** One pass, so `&amp;lt;` becomes `&lt;` and not `<`; unknown references stay as written. */
const standardEntities: EntityDecoderOptions = {
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
  decode: (text) =>
    text.includes('&')
      ? text.replace(ENTITY_REFERENCE, (whole, decimal?: string, hex?: string, name?: string) =>
          name !== undefined ? XML_ENTITIES[name] : (decodeCharacterReference(decimal, hex) ?? whole),
        )
      : text,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  entityDecoder: standardEntities,
  maxNestedTags: MAX_NESTED_TAGS,
  isArray: (_name, jPath) => REPEATABLE.has(String(jPath)),
});

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Well-formed XML with the `<yml_catalog><shop>` frame, or an AppError. */
function parseXml(xml: string, maxChars: number): Record<string, unknown> {
  if (xml.length > maxChars) {
    throw protocolError(`the YML feed is larger than ${maxChars} characters`, 'payload_too_large');
  }
  const text = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  const doctype = text.search(/<!DOCTYPE/i);
  if (doctype !== -1) {
    throw protocolError(`the YML feed must not contain a DOCTYPE declaration (line ${lineOf(text, doctype)})`);
  }
  const validity = XMLValidator.validate(text);
  if (validity !== true) {
    const { msg, line, col } = validity.err;
    throw protocolError(`the YML feed is not well-formed XML: ${msg} (line ${line}${col ? `, column ${col}` : ''})`);
  }
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw protocolError(`the YML feed could not be read: ${(error as Error).message}`);
  }
}

export function parseYmlCatalog(xml: string, options: { maxChars?: number } = {}): CatalogUpload {
  const document = parseXml(xml, options.maxChars ?? YML_MAX_CHARS);
  const catalog = document.yml_catalog;
  const shop = isObject(catalog) ? catalog.shop : undefined;
  if (!isObject(shop)) throw validationError({ message: 'the YML feed has no <yml_catalog><shop> element' });
  if (!('offers' in shop)) {
    throw validationError({ location: `${ROOT}/offers`, message: 'the YML feed has no <offers> element' });
  }

  const errors: ValidationMessage[] = [];
  const categories: CategoryDraft[] = [];
  listOf(shop.categories, 'category').forEach((item, index) => {
    const draft = readCategory(item, `${ROOT}/categories/${index}`, errors);
    if (draft) categories.push(draft);
  });
  const products: ProductDraft[] = [];
  listOf(shop.offers, 'offer').forEach((item, index) => {
    const draft = readOffer(item, `${ROOT}/offers/${index}`, errors);
    if (draft) products.push(draft);
  });
  return assembleCatalog(null, categories, products, errors, 'offer');
}

/** `<offers>` with no children arrives as "", with children as `{offer: [...]}`. */
function listOf(container: unknown, itemName: string): unknown[] {
  if (!isObject(container)) return [];
  const items = container[itemName];
  return Array.isArray(items) ? items : [];
}

/** An element's text whether it carries attributes (`{"#text": …}`) or not. */
function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (isObject(node)) return typeof node['#text'] === 'string' ? node['#text'] : '';
  return undefined;
}

function attribute(node: unknown, name: string): string | undefined {
  if (!isObject(node)) return undefined;
  const value = node[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

function readCategory(item: unknown, location: string, errors: ValidationMessage[]): CategoryDraft | null {
  const id = readId(attribute(item, 'id'));
  if (id.error !== undefined) {
    errors.push({ location: `${location}/@id`, message: `category: ${id.error}` });
    return null;
  }
  const who = describeItem('category', id.value);
  const parentLocation = `${location}/@parentId`;
  const draft: CategoryDraft = { id: id.value, category: null, idLocation: `${location}/@id`, parentLocation };
  const name = readName(textOf(item));
  if (name.error !== undefined) {
    errors.push({ location, message: `${who}: ${name.error}` });
    return draft;
  }
  let parentId: string | null = null;
  const parentAttribute = attribute(item, 'parentId');
  if (given(parentAttribute)) {
    const parent = readId(parentAttribute);
    if (parent.error !== undefined) {
      errors.push({ location: parentLocation, message: `${who}: parent ${parent.error}; the category is placed at the top level` });
    } else {
      parentId = parent.value;
    }
  }
  draft.category = { id: id.value, name: name.value, parentId };
  return draft;
}

function readOffer(item: unknown, location: string, errors: ValidationMessage[]): ProductDraft | null {
  const id = readId(attribute(item, 'id'));
  if (!isObject(item) || id.error !== undefined) {
    errors.push({ location: `${location}/@id`, message: `offer: ${id.error ?? 'id is required'}` });
    return null;
  }
  const who = describeItem('offer', id.value);
  const draft: ProductDraft = { id: id.value, product: null, idLocation: `${location}/@id`, categoryRefs: [] };
  const check = new ItemCheck(errors, location, who);

  const single = (element: string): string | undefined => {
    const node = item[element];
    if (Array.isArray(node)) {
      check.fail(element, `<${element}> appears ${node.length} times; one is expected`);
      return undefined;
    }
    return textOf(node);
  };

  const currency = single('currencyId');
  if (given(currency) && !ROUBLES.has(currency!.toUpperCase())) {
    check.fail('currencyId', `prices must be in roubles (RUR or RUB), got "${currency}"`);
  }
  const sku = single('vendorCode');
  const product = {
    id: id.value,
    name: check.take('name', readName(single('name')), ''),
    description: check.take('description', readDescription(single('description')), null),
    priceMinor: check.take('price', readPrice(single('price'), 'price'), null),
    oldPriceMinor: check.take('oldprice', readPrice(single('oldprice'), 'oldprice'), null),
    isAvailable: check.take('@available', readBoolean(attribute(item, 'available'), 'available', true), false),
    categoryIds: [],
    customFields: readParams(item.param, check),
    sku: !given(sku) ? null : sku!,
  };
  const groupId = attribute(item, 'group_id');
  if (given(groupId) && !Object.hasOwn(product.customFields, 'groupId')) product.customFields.groupId = groupId;
  if (!check.valid) return draft;

  draft.categoryRefs = readCategoryRefs(item.categoryId, `${location}/categoryId`, who, errors);
  draft.product = product;
  return draft;
}

function readParams(value: unknown, check: ItemCheck): Record<string, unknown> {
  const values = new Map<string, string[]>();
  (Array.isArray(value) ? value : []).forEach((param, index) => {
    const name = attribute(param, 'name')?.trim();
    if (!name) {
      check.fail(`param/${index}/@name`, 'a <param> needs a name attribute');
      return;
    }
    const list = values.get(name) ?? [];
    list.push(textOf(param) ?? '');
    values.set(name, list);
  });
  return Object.fromEntries([...values].map(([name, list]) => [name, list.length === 1 ? list[0] : list]));
}

function readCategoryRefs(value: unknown, location: string, who: string, errors: ValidationMessage[]): CategoryRef[] {
  const refs: CategoryRef[] = [];
  (Array.isArray(value) ? value : []).forEach((node, index) => {
    const id = readId(textOf(node));
    if (id.error !== undefined) {
      errors.push({ location: `${location}/${index}`, message: `${who}: category ${id.error}; the reference is ignored` });
      return;
    }
    refs.push({ id: id.value, location: `${location}/${index}` });
  });
  return refs;
}

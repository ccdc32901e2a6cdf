// The JSON body of `Offline.SendProductCatalog`, also in the shape the XML codec produces (lists as
// `{"product": {...}}` wrappers). Locations use the JSON path with 0-based indexes whatever the body
// format was: `/productCatalog/products/3/price`.
//
// What is rejected and what is only dropped:
// - an item whose own field is wrong (id, name, price, oldPrice, isAvailable, description,
//   customFields) is left out and reported;
// - a category reference or parent that is malformed or unknown is dropped and reported; the item
//   stays (a category without its parent goes to the top level);
// - a body without `productCatalog`, or without a `products` list, is not a catalogue at all: it
//   throws a validation error instead, so that nobody marks the whole menu unavailable by mistake.

import { validationError, type ValidationMessage } from '../../shared/errors.ts';
import { given, isObject } from '../../wire/decoded.ts';
import { assembleCatalog, type CategoryDraft, type CategoryRef, type ProductDraft } from '../../wire/catalog/assemble.ts';
import {
  asArray,
  describeItem,
  readBoolean,
  readCustomFields,
  readDescription,
  readId,
  readName,
  readPrice,
  ItemCheck,
} from '../../wire/catalog/fields.ts';
import type { CatalogUpload } from '../../wire/catalog/types.ts';

const ROOT = '/productCatalog';

export function parseJsonCatalog(body: unknown, externalSystem: string): CatalogUpload {
  if (!isObject(body) || !('productCatalog' in body)) {
    throw validationError({ message: 'the request body has no productCatalog' });
  }
  const catalog = body.productCatalog;
  if (!isObject(catalog)) throw validationError({ location: ROOT, message: 'productCatalog must be an object' });
  const categoryItems = asArray(catalog.categories, 'category');
  if (categoryItems === null) {
    throw validationError({ location: `${ROOT}/categories`, message: 'categories must be a list' });
  }
  if (!('products' in catalog)) {
    throw validationError({
      location: `${ROOT}/products`,
      message: 'products is required (an empty list for an empty catalogue)',
    });
  }
  const productItems = asArray(catalog.products, 'product');
  if (productItems === null) throw validationError({ location: `${ROOT}/products`, message: 'products must be a list' });

  const errors: ValidationMessage[] = [];
  const categories: CategoryDraft[] = [];
  categoryItems.forEach((item, index) => {
    const draft = readCategory(item, `${ROOT}/categories/${index}`, externalSystem, errors);
    if (draft) categories.push(draft);
  });
  const products: ProductDraft[] = [];
  productItems.forEach((item, index) => {
    const draft = readProduct(item, `${ROOT}/products/${index}`, externalSystem, errors);
    if (draft) products.push(draft);
  });
  return assembleCatalog(externalSystem, categories, products, errors);
}

type ExternalId =
  | { value: { id: string; location: string }; error?: undefined }
  | { value?: undefined; error: string; location: string };

/** `ids[externalSystem]`, or the only id present when there is exactly one. */
function readExternalId(ids: unknown, externalSystem: string, location: string): ExternalId {
  if (!isObject(ids)) return { error: `ids must be an object like {"${externalSystem}": "…"}`, location };
  const keys = Object.keys(ids);
  const key = Object.hasOwn(ids, externalSystem) ? externalSystem : keys.length === 1 ? keys[0] : null;
  if (key === null) {
    const found = keys.length === 0 ? 'ids is empty' : `ids has ${keys.map((k) => `"${k}"`).join(', ')}`;
    return { error: `no "${externalSystem}" id (${found})`, location };
  }
  const id = readId(ids[key]);
  if (id.error !== undefined) return { error: id.error, location: `${location}/${key}` };
  return { value: { id: id.value, location: `${location}/${key}` } };
}

function readCategory(
  item: unknown,
  location: string,
  externalSystem: string,
  errors: ValidationMessage[],
): CategoryDraft | null {
  if (!isObject(item)) {
    errors.push({ location, message: 'a category must be an object' });
    return null;
  }
  const externalId = readExternalId(item.ids, externalSystem, `${location}/ids`);
  if (externalId.error !== undefined) {
    errors.push({ location: externalId.location, message: `category: ${externalId.error}` });
    return null;
  }
  const { id, location: idLocation } = externalId.value;
  const who = describeItem('category', id);
  const parentLocation = `${location}/parentCategory`;
  const draft: CategoryDraft = { id, category: null, idLocation, parentLocation };

  const name = readName(item.name);
  if (name.error !== undefined) {
    errors.push({ location: `${location}/name`, message: `${who}: ${name.error}` });
    return draft;
  }

  let parentId: string | null = null;
  if (given(item.parentCategory)) {
    const parent = isObject(item.parentCategory)
      ? readExternalId(item.parentCategory.ids, externalSystem, `${parentLocation}/ids`)
      : { error: 'parentCategory must be an object with ids', location: parentLocation };
    if (parent.error !== undefined) {
      errors.push({ location: parent.location, message: `${who}: ${parent.error}; the category is placed at the top level` });
    } else {
      parentId = parent.value.id;
      draft.parentLocation = parent.value.location;
    }
  }
  draft.category = { id, name: name.value, parentId };
  return draft;
}

function readProduct(
  item: unknown,
  location: string,
  externalSystem: string,
  errors: ValidationMessage[],
): ProductDraft | null {
  if (!isObject(item)) {
    errors.push({ location, message: 'a product must be an object' });
    return null;
  }
  const externalId = readExternalId(item.ids, externalSystem, `${location}/ids`);
  if (externalId.error !== undefined) {
    errors.push({ location: externalId.location, message: `product: ${externalId.error}` });
    return null;
  }
  const { id, location: idLocation } = externalId.value;
  const who = describeItem('product', id);
  const draft: ProductDraft = { id, product: null, idLocation, categoryRefs: [] };

  const check = new ItemCheck(errors, location, who);
  const product = {
    id,
    name: check.take('name', readName(item.name), ''),
    description: check.take('description', readDescription(item.description), null),
    priceMinor: check.take('price', readPrice(item.price, 'price'), null),
    oldPriceMinor: check.take('oldPrice', readPrice(item.oldPrice, 'oldPrice'), null),
    isAvailable: check.take('isAvailable', readBoolean(item.isAvailable, 'isAvailable', true), false),
    categoryIds: [],
    customFields: check.take('customFields', readCustomFields(item.customFields), {}),
  };
  if (!check.valid) return draft;

  draft.categoryRefs = readCategoryRefs(item.categories, `${location}/categories`, externalSystem, who, errors);
  draft.product = product;
  return draft;
}

function readCategoryRefs(
  value: unknown,
  location: string,
  externalSystem: string,
  who: string,
  errors: ValidationMessage[],
): CategoryRef[] {
  const items = asArray(value, 'category');
  if (items === null) {
    errors.push({ location, message: `${who}: categories must be a list; the references are ignored` });
    return [];
  }
  const refs: CategoryRef[] = [];
  items.forEach((item, index) => {
    const itemLocation = `${location}/${index}`;
    const ref = isObject(item)
      ? readExternalId(item.ids, externalSystem, `${itemLocation}/ids`)
      : { error: 'a category reference must be an object with ids', location: itemLocation };
    if (ref.error !== undefined) {
      errors.push({ location: ref.location, message: `${who}: ${ref.error}; the reference is ignored` });
      return;
    }
    refs.push({ id: ref.value.id, location: itemLocation });
  });
  return refs;
}

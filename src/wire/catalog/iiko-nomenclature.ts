// The iikoCloud `POST /api/1/nomenclature` answer turned into a catalogue upload for external system
// `iiko`. Locations are JSON paths into that answer: `/products/12/sizePrices/1/price/currentPrice`.
//
// Mapping decisions:
// - Menu groups become categories (`parentGroup` → parent), keeping their GUIDs in both id modes.
//   Modifier groups (`isGroupModifier`) are not menu folders and are skipped. A deleted group is
//   dropped together with its sub-groups; the products in them stay in the upload, unavailable and
//   without that category. A group hidden from the menu (`isIncludedInMenu: false`) stays a
//   category, but the products in it or below it are unavailable.
// - Dishes, goods and services: one product each. When the prices are per size (`sizePrices[].sizeId`
//   set), one product per size instead, even for a single size so ids do not change when a size is
//   added: id `<id>:<sizeId>` (`<code>:<size name>` in article mode), name `Dish (Size)`.
// - Modifiers with a price above zero become products in the category `Модификаторы`
//   (id `modifiers`); free modifiers are options, not products, and are skipped. Modifier groups are
//   usually hidden from the menu, so only their deletion makes a modifier unavailable.
// - `isAvailable` is false when the product is deleted, its size price is not included in the menu,
//   or its group is deleted or hidden.
// - `ids: 'article'` takes ids from `code`; a product without a code is an error (except a free
//   modifier, which is not a product anyway). `code` is the sku in both modes. Prices
//   (`currentPrice`, roubles) become kopecks. `productCategoryId` (the accounting category iiko discounts depend on) is kept
//   as the custom field `iikoProductCategory`.
// - `type` is compared case-insensitively (`dish`, `Dish`, `good`, `Goods`, …); an unknown type is
//   an error.
//
// Both sides read this format: the server imports it into the catalogue, and the POS simulator, which plays iiko,
// takes its menu from it (decision 0602).

import type { ValidationMessage } from '../answers.ts';
import { given, isObject } from '../decoded.ts';
import { assembleCatalog, type CategoryDraft, type ProductDraft } from './assemble.ts';
import {
  describeItem,
  ItemCheck,
  MAX_ID_LENGTH,
  readBoolean,
  readDescription,
  readId,
  readName,
  readPrice,
} from './fields.ts';
import type { CatalogProduct, CatalogUpload } from './types.ts';

/** The document is not a nomenclature answer at all, so nothing in it can be read (item problems are in `errors`). */
export class NomenclatureError extends Error {
  constructor(readonly problem: ValidationMessage) {
    super(problem.location ? `${problem.location}: ${problem.message}` : problem.message);
    this.name = 'NomenclatureError';
  }
}

export const MODIFIERS_CATEGORY = { id: 'modifiers', name: 'Модификаторы', parentId: null } as const;

export interface NomenclatureOptions {
  /** `guid`: iiko product ids; `article`: product codes (the plugin's `send_product_id = false`) */
  ids: 'guid' | 'article';
}

type ProductKind = 'sellable' | 'modifier';
const PRODUCT_TYPES = new Map<string, ProductKind>([
  ['dish', 'sellable'],
  ['good', 'sellable'],
  ['goods', 'sellable'],
  ['service', 'sellable'],
  ['modifier', 'modifier'],
]);

interface Group {
  id: string;
  name: string;
  parentId: string | null;
  isDeleted: boolean;
  isIncludedInMenu: boolean;
  isGroupModifier: boolean;
  location: string;
}

/** Whether the products of a group can be sold: deletion and hiding are inherited by sub-groups. */
interface GroupState {
  deleted: boolean;
  hidden: boolean;
}

export function parseIikoNomenclature(doc: unknown, options: NomenclatureOptions): CatalogUpload {
  if (!isObject(doc)) throw new NomenclatureError({ message: 'the nomenclature must be an object with groups and products' });
  for (const list of ['groups', 'products', 'sizes'] as const) {
    if (given(doc[list]) && !Array.isArray(doc[list])) {
      throw new NomenclatureError({ location: `/${list}`, message: `${list} must be a list` });
    }
  }
  if (!Array.isArray(doc.products)) throw new NomenclatureError({ location: '/products', message: 'products is required' });

  const errors: ValidationMessage[] = [];
  const groups = readGroups(Array.isArray(doc.groups) ? doc.groups : [], errors);
  const states = groupStates(groups);
  const sizeNames = readSizes(Array.isArray(doc.sizes) ? doc.sizes : []);

  const categories: CategoryDraft[] = [];
  for (const group of groups.values()) {
    if (group.isGroupModifier || states.get(group.id)!.deleted) continue;
    categories.push({
      id: group.id,
      category: { id: group.id, name: group.name, parentId: group.parentId },
      idLocation: `${group.location}/id`,
      parentLocation: `${group.location}/parentGroup`,
    });
  }

  const products: ProductDraft[] = [];
  doc.products.forEach((item, index) => {
    products.push(...readProduct(item, `/products/${index}`, { groups, states, sizeNames, options }, errors));
  });
  if (products.some((draft) => draft.categoryRefs.some((ref) => ref.id === MODIFIERS_CATEGORY.id))) {
    categories.push({ id: MODIFIERS_CATEGORY.id, category: { ...MODIFIERS_CATEGORY }, idLocation: '/groups', parentLocation: '/groups' });
  }
  return assembleCatalog('iiko', categories, products, errors);
}

function readGroups(items: unknown[], errors: ValidationMessage[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const firstLocation = new Map<string, string>();
  items.forEach((item, index) => {
    const location = `/groups/${index}`;
    if (!isObject(item)) {
      errors.push({ location, message: 'a group must be an object' });
      return;
    }
    const id = readId(item.id);
    if (id.error !== undefined) {
      errors.push({ location: `${location}/id`, message: `group: ${id.error}` });
      return;
    }
    const check = new ItemCheck(errors, location, describeItem('group', id.value));
    const group: Group = {
      id: id.value,
      name: check.take('name', readName(item.name), ''),
      parentId: typeof item.parentGroup === 'string' && item.parentGroup !== '' ? item.parentGroup : null,
      isDeleted: check.take('isDeleted', readBoolean(item.isDeleted, 'isDeleted', false), false),
      isIncludedInMenu: check.take('isIncludedInMenu', readBoolean(item.isIncludedInMenu, 'isIncludedInMenu', true), true),
      isGroupModifier: check.take('isGroupModifier', readBoolean(item.isGroupModifier, 'isGroupModifier', false), false),
      location,
    };
    const first = firstLocation.get(group.id);
    if (first !== undefined) {
      errors.push({
        location: `${location}/id`,
        message: `group "${group.id}" appears more than once (first at ${first}/id); this one is ignored`,
      });
      return;
    }
    firstLocation.set(group.id, location);
    if (check.valid) groups.set(group.id, group);
  });
  return groups;
}

function groupStates(groups: Map<string, Group>): Map<string, GroupState> {
  const states = new Map<string, GroupState>();
  const stateOf = (id: string): GroupState => {
    const known = states.get(id);
    if (known) return known;
    // Walk up to the nearest group whose state is known, guarding against parent cycles.
    const chain: Group[] = [];
    const seen = new Set<string>();
    let inherited: GroupState = { deleted: false, hidden: false };
    for (let group = groups.get(id); group && !seen.has(group.id); group = groups.get(group.parentId ?? '')) {
      const cached = states.get(group.id);
      if (cached) {
        inherited = cached;
        break;
      }
      seen.add(group.id);
      chain.push(group);
    }
    for (const group of chain.reverse()) {
      inherited = { deleted: inherited.deleted || group.isDeleted, hidden: inherited.hidden || !group.isIncludedInMenu };
      states.set(group.id, inherited);
    }
    return states.get(id)!;
  };
  for (const id of groups.keys()) stateOf(id);
  return states;
}

function readSizes(items: unknown[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const item of items) {
    if (isObject(item) && typeof item.id === 'string' && typeof item.name === 'string' && item.name.trim() !== '') {
      names.set(item.id, item.name.trim());
    }
  }
  return names;
}

interface Context {
  groups: Map<string, Group>;
  states: Map<string, GroupState>;
  sizeNames: Map<string, string>;
  options: NomenclatureOptions;
}

interface SizePrice {
  sizeId: string | null;
  /** kopecks */
  priceMinor: number | null;
  isIncludedInMenu: boolean;
  location: string;
}

function readProduct(item: unknown, location: string, context: Context, errors: ValidationMessage[]): ProductDraft[] {
  if (!isObject(item)) {
    errors.push({ location, message: 'a product must be an object' });
    return [];
  }
  const guid = readId(item.id);
  if (guid.error !== undefined) {
    errors.push({ location: `${location}/id`, message: `product: ${guid.error}` });
    return [];
  }
  const article = typeof item.code === 'string' && item.code.trim() !== '' ? item.code.trim() : null;
  const named = typeof item.name === 'string' && item.name.trim() !== '' ? ` (${item.name.trim()})` : '';
  const check = new ItemCheck(errors, location, `${describeItem('product', guid.value)}${named}`);

  const kind = typeof item.type === 'string' ? PRODUCT_TYPES.get(item.type.toLowerCase()) : undefined;
  if (kind === undefined) check.fail('type', `unknown product type ${JSON.stringify(item.type)}`);
  const name = check.take('name', readName(item.name), '');
  const description = check.take('description', readDescription(item.description), null);
  const isDeleted = check.take('isDeleted', readBoolean(item.isDeleted, 'isDeleted', false), false);
  const sizePrices = readSizePrices(item.sizePrices, `${location}/sizePrices`, check);
  const isFreeModifier = kind === 'modifier' && !sizePrices.some((size) => size.priceMinor !== null && size.priceMinor > 0);
  if (check.valid && isFreeModifier) return [];

  const byArticle = context.options.ids === 'article';
  const idLocation = `${location}/${byArticle ? 'code' : 'id'}`;
  if (byArticle) {
    const code = readId(article);
    if (code.error !== undefined) {
      const problem = article === null ? 'no article (code)' : `article: ${code.error}`;
      check.fail('code', `${problem}; with ids by article every product needs one`);
      return [];
    }
  }
  const baseId = byArticle ? article! : guid.value;
  if (!check.valid || kind === undefined) return [{ id: baseId, product: null, idLocation, categoryRefs: [] }];

  const parentGroup = typeof item.parentGroup === 'string' && item.parentGroup !== '' ? item.parentGroup : null;
  const groupState = parentGroup === null ? undefined : context.states.get(parentGroup);
  const inModifierCategory = kind === 'modifier';
  const categoryRefs = inModifierCategory
    ? [{ id: MODIFIERS_CATEGORY.id, location: `${location}/type` }]
    : parentGroup === null || groupState?.deleted
      ? []
      : [{ id: parentGroup, location: `${location}/parentGroup` }];
  const groupSellable = !groupState?.deleted && (inModifierCategory || !groupState?.hidden);

  const customFields: Record<string, unknown> = {};
  if (typeof item.productCategoryId === 'string' && item.productCategoryId !== '') {
    customFields.iikoProductCategory = item.productCategoryId;
  }
  const base: CatalogProduct = {
    id: baseId,
    name,
    description,
    priceMinor: null,
    oldPriceMinor: null,
    isAvailable: !isDeleted && groupSellable,
    categoryIds: [],
    customFields,
    sku: article,
  };

  const sized = sizePrices.filter((size) => size.sizeId !== null);
  if (sized.length === 0) {
    const [only] = sizePrices;
    const product = only ? { ...base, priceMinor: only.priceMinor, isAvailable: base.isAvailable && only.isIncludedInMenu } : base;
    return [{ id: baseId, product, idLocation, categoryRefs }];
  }

  const drafts: ProductDraft[] = [];
  for (const size of sized) {
    const sizeName = context.sizeNames.get(size.sizeId!);
    if (sizeName === undefined) {
      errors.push({
        location: `${size.location}/sizeId`,
        message: `${check.who}: size "${size.sizeId}" is not in the sizes list; this size is left out`,
      });
      continue;
    }
    const id = `${baseId}:${byArticle ? sizeName : size.sizeId}`;
    const sizedName = readName(`${name} (${sizeName})`);
    if (id.length > MAX_ID_LENGTH || sizedName.error !== undefined) {
      errors.push({
        location: `${size.location}/sizeId`,
        message: `${check.who}: the product for size "${sizeName}" would have ${id.length > MAX_ID_LENGTH ? 'an id' : 'a name'} that is too long; this size is left out`,
      });
      continue;
    }
    drafts.push({
      id,
      product: {
        ...base,
        id,
        name: sizedName.value,
        priceMinor: size.priceMinor,
        isAvailable: base.isAvailable && size.isIncludedInMenu,
        customFields: { ...customFields },
      },
      idLocation,
      categoryRefs,
    });
  }
  return drafts;
}

/** Prices per size; all with a size or one without (iiko never mixes them). */
function readSizePrices(value: unknown, location: string, check: ItemCheck): SizePrice[] {
  if (!given(value)) return [];
  if (!Array.isArray(value)) {
    check.fail('sizePrices', 'sizePrices must be a list');
    return [];
  }
  const sizes: SizePrice[] = [];
  value.forEach((entry, index) => {
    const entryLocation = `${location}/${index}`;
    const path = `sizePrices/${index}`;
    if (!isObject(entry)) {
      check.fail(path, 'a size price must be an object');
      return;
    }
    const sizeId = typeof entry.sizeId === 'string' && entry.sizeId !== '' ? entry.sizeId : null;
    const price = isObject(entry.price) ? entry.price : {};
    sizes.push({
      sizeId,
      priceMinor: check.take(`${path}/price/currentPrice`, readPrice(price.currentPrice, 'currentPrice'), null),
      isIncludedInMenu: check.take(
        `${path}/price/isIncludedInMenu`,
        readBoolean(price.isIncludedInMenu, 'isIncludedInMenu', true),
        true,
      ),
      location: entryLocation,
    });
  });
  const unsized = sizes.filter((size) => size.sizeId === null).length;
  if (unsized > 1 || (unsized === 1 && sizes.length > 1)) {
    check.fail('sizePrices', 'has several prices and not every one names its size');
  }
  return sizes;
}

// Rules that need the whole catalogue, shared by all parsers: duplicate ids (the later item is the
// error), parent categories that are missing, parent cycles, and product references to categories
// that were not accepted.

import type { ValidationMessage } from '../answers.ts';
import type { CatalogCategory, CatalogProduct, CatalogUpload } from './types.ts';

export interface CategoryDraft {
  id: string;
  /** null when the item itself was rejected; its id still counts for duplicate detection */
  category: CatalogCategory | null;
  idLocation: string;
  parentLocation: string;
}

export interface CategoryRef {
  id: string;
  location: string;
}

export interface ProductDraft {
  id: string;
  /** null when the item itself was rejected; `categoryIds` is filled from `categoryRefs` here */
  product: CatalogProduct | null;
  idLocation: string;
  categoryRefs: CategoryRef[];
}

const CYCLE_NAMES_SHOWN = 10;

export function assembleCatalog(
  externalSystem: string | null,
  categoryDrafts: CategoryDraft[],
  productDrafts: ProductDraft[],
  errors: ValidationMessage[],
  productNoun = 'product',
): CatalogUpload {
  const categories = acceptCategories(categoryDrafts, errors);
  const products = acceptProducts(productDrafts, categories, errors, productNoun);
  const accepted = new Set(products.map((product) => product.id));
  const productLocations = new Map<string, string>();
  for (const draft of productDrafts) {
    if (accepted.has(draft.id) && !productLocations.has(draft.id)) productLocations.set(draft.id, draft.idLocation);
  }
  return {
    externalSystem,
    categories: [...categories.values()],
    products,
    errors,
    rejectedCategoryIds: [...new Set(categoryDrafts.map((draft) => draft.id))].filter((id) => !categories.has(id)),
    rejectedProductIds: [...new Set(productDrafts.map((draft) => draft.id))].filter((id) => !accepted.has(id)),
    productLocations,
  };
}

function acceptCategories(drafts: CategoryDraft[], errors: ValidationMessage[]): Map<string, CatalogCategory> {
  const firstLocation = new Map<string, string>();
  const accepted = new Map<string, { category: CatalogCategory; parentLocation: string }>();
  for (const draft of drafts) {
    const first = firstLocation.get(draft.id);
    if (first !== undefined) {
      errors.push({
        location: draft.idLocation,
        message: `category "${draft.id}" appears more than once (first at ${first}); this one is ignored`,
      });
      continue;
    }
    firstLocation.set(draft.id, draft.idLocation);
    if (draft.category) accepted.set(draft.id, { category: { ...draft.category }, parentLocation: draft.parentLocation });
  }

  for (const { category, parentLocation } of accepted.values()) {
    if (category.parentId !== null && !accepted.has(category.parentId)) {
      errors.push({
        location: parentLocation,
        message: `category "${category.id}": parent category "${category.parentId}" is not in the catalogue or was rejected; the category is placed at the top level`,
      });
      category.parentId = null;
    }
  }

  const cycles = findParentCycles(new Map([...accepted].map(([id, { category }]) => [id, category.parentId])));
  const rejected = new Set<string>();
  for (const cycle of cycles) {
    const chain = [...cycle.slice(0, CYCLE_NAMES_SHOWN), ...(cycle.length > CYCLE_NAMES_SHOWN ? ['…'] : []), cycle[0]];
    const shown = chain.map((id) => `"${id}"`).join(' → ');
    for (const id of cycle) {
      errors.push({
        location: accepted.get(id)!.parentLocation,
        message: `category "${id}" is part of a parent cycle (${shown}); the category is ignored`,
      });
      rejected.add(id);
    }
  }
  for (const id of rejected) accepted.delete(id);
  for (const { category, parentLocation } of accepted.values()) {
    if (category.parentId !== null && rejected.has(category.parentId)) {
      errors.push({
        location: parentLocation,
        message: `category "${category.id}": parent category "${category.parentId}" was rejected for a parent cycle; the category is placed at the top level`,
      });
      category.parentId = null;
    }
  }
  return new Map([...accepted].map(([id, { category }]) => [id, category]));
}

/** Each cycle in the parent relation, as the ids along it. Linear: every id is walked once. */
function findParentCycles(parentOf: Map<string, string | null>): string[][] {
  const state = new Map<string, 'walking' | 'done'>();
  const cycles: string[][] = [];
  for (const start of parentOf.keys()) {
    const path: string[] = [];
    let current: string | null = start;
    while (current !== null && !state.has(current)) {
      state.set(current, 'walking');
      path.push(current);
      current = parentOf.get(current) ?? null;
    }
    if (current !== null && state.get(current) === 'walking') cycles.push(path.slice(path.indexOf(current)));
    for (const id of path) state.set(id, 'done');
  }
  return cycles;
}

function acceptProducts(
  drafts: ProductDraft[],
  categories: Map<string, CatalogCategory>,
  errors: ValidationMessage[],
  noun: string,
): CatalogProduct[] {
  const firstLocation = new Map<string, string>();
  const products: CatalogProduct[] = [];
  for (const draft of drafts) {
    const first = firstLocation.get(draft.id);
    if (first !== undefined) {
      errors.push({
        location: draft.idLocation,
        message: `${noun} "${draft.id}" appears more than once (first at ${first}); this one is ignored`,
      });
      continue;
    }
    firstLocation.set(draft.id, draft.idLocation);
    if (!draft.product) continue;

    const categoryIds: string[] = [];
    for (const ref of draft.categoryRefs) {
      if (categoryIds.includes(ref.id)) continue;
      if (!categories.has(ref.id)) {
        errors.push({
          location: ref.location,
          message: `${noun} "${draft.id}": category "${ref.id}" is not in the catalogue or was rejected; the reference is ignored`,
        });
        continue;
      }
      categoryIds.push(ref.id);
    }
    products.push({ ...draft.product, categoryIds });
  }
  return products;
}

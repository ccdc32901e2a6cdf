// The catalogue's rules: what other modules may ask of it and how uploads are saved.
import { inTransaction, type Db } from '../db/database.ts';
import type { CustomFieldDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../shared/errors.ts';
import { fromNumeric, toDecimal, toNumericString } from '../shared/money.ts';
import * as repository from './catalog.repository.ts';
import { NomenclatureError, parseIikoNomenclature, type NomenclatureOptions } from '../wire/catalog/iiko-nomenclature.ts';
import type { CatalogProduct, CatalogUpload } from '../wire/catalog/types.ts';
import { checkProductCustomFields, customFieldLocation } from './product-fields.ts';

export interface ResolvedProduct {
  name: string;
  /** kopecks; null when the catalogue has no price for it */
  priceMinor: number | null;
  isAvailable: boolean;
  /** the product's categories together with all their ancestors (own categories first) */
  categoryIds: string[];
}

/**
 * Category trees held in memory by external system and version (the version changes with every write of
 * categories, and is random, so a tree is never stale, whatever database or process wrote); the newest few.
 */
const categoryTrees = new Map<string, Map<string, string | null>>();
const CATEGORY_TREES_KEPT = 16;

const treeKey = (externalSystem: string, version: string) => `${externalSystem}\n${version}`;

function keepCategoryTree(key: string, parents: Map<string, string | null>): void {
  categoryTrees.delete(key);
  categoryTrees.set(key, parents);
  if (categoryTrees.size > CATEGORY_TREES_KEPT) categoryTrees.delete(categoryTrees.keys().next().value!);
}

/** How many times a lookup reads the tree again when a catalogue upload commits between its two reads. */
const TREE_READS = 3;

/**
 * The catalogue entries of these product ids in one external system (`iiko` in the preset), for the
 * calculation. Unknown ids are absent from the map; unavailable products are present with
 * `isAvailable: false` (they left the menu but orders may still carry them).
 *
 * Products are read by primary key; their categories' ancestors come from the category tree held in memory
 * under the version the same statement reported, read again only when the tree changed. The products and
 * the tree used are those of one moment of the catalogue (unless uploads commit between the reads three
 * times running; the last tree read is used then).
 */
export async function resolveProducts(
  db: Db,
  externalSystem: string,
  productIds: string[],
): Promise<Map<string, ResolvedProduct>> {
  const unique = [...new Set(productIds)];
  for (let attempt = 1; ; attempt++) {
    const rows = await repository.findProductsByIds(db, externalSystem, unique);
    const version = rows[0]?.tree_version ?? null;
    let parents = version === null ? new Map<string, string | null>() : categoryTrees.get(treeKey(externalSystem, version));
    if (!parents) {
      const tree = await repository.categoryParents(db, externalSystem);
      if (tree.version !== null) keepCategoryTree(treeKey(externalSystem, tree.version), tree.parents);
      if (tree.version !== version && attempt < TREE_READS) continue;
      parents = tree.parents;
    }
    const tree = parents;
    return new Map(
      rows.map((row) => [
        row.id,
        {
          name: row.name,
          priceMinor: row.price === null ? null : fromNumeric(row.price),
          isAvailable: row.is_available,
          categoryIds: withAncestors(row.category_ids ?? [], tree),
        },
      ]),
    );
  }
}

/**
 * A product's own categories that the catalogue knows, then their ancestors nearest first, each once: by
 * depth, then by the position of the own category it descends from, then by id.
 */
export function withAncestors(own: string[], parents: Map<string, string | null>): string[] {
  const rank = new Map<string, { depth: number; ordinal: number }>();
  own.forEach((start, ordinal) => {
    let id: string | null = start;
    for (let depth = 0; id !== null && parents.has(id) && depth <= repository.MAX_CATEGORY_DEPTH; depth++) {
      const seen = rank.get(id);
      if (seen) {
        seen.depth = Math.min(seen.depth, depth);
        seen.ordinal = Math.min(seen.ordinal, ordinal);
      } else {
        rank.set(id, { depth, ordinal });
      }
      id = parents.get(id) ?? null;
    }
  });
  return [...rank.entries()]
    .sort(([a, x], [b, y]) => x.depth - y.depth || x.ordinal - y.ordinal || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id]) => id);
}

/**
 * The operation-log note for order lines whose products the catalogue does not know; the caller pushes
 * it to `request.notes` when it is not null. Such lines are calculated without product promotions.
 */
export function unknownProductNote(externalSystem: string, productIds: string[]): string | null {
  const unique = [...new Set(productIds)];
  if (unique.length === 0) return null;
  const shown = unique.slice(0, 20).map((id) => `"${id}"`).join(', ');
  const more = unique.length > 20 ? ` and ${unique.length - 20} more` : '';
  return `products unknown to the ${externalSystem} catalogue (calculated without product promotions): ${shown}${more}`;
}

/** Rows per INSERT … ON CONFLICT: bounded memory and statement size whatever the catalogue's size. */
export const IMPORT_BATCH_SIZE = 1000;

export interface ImportCounts {
  /** items in the upload, valid or not (duplicates counted once) */
  received: number;
  created: number;
  changed: number;
  unchanged: number;
  /** available before, absent from this full upload, now unavailable */
  madeUnavailable: number;
  /** sent but invalid: not saved, and their stored rows (if any) are left as they were */
  rejected: number;
}

export interface CatalogImportResult {
  externalSystem: string;
  products: ImportCounts;
  categories: ImportCounts;
  /** every problem found, each with its location in the upload */
  messages: ValidationMessage[];
}

export interface ImportOptions {
  externalSystem: string;
  /** the project's custom fields of entity Product */
  productFields: CustomFieldDefinition[];
  now: Date;
  /**
   * true (the default) for a whole catalogue: what is not in it becomes unavailable. false for a
   * partial upload (e.g. an iiko nomenclature answer for a later revision): only what is in it changes.
   */
  full?: boolean;
  /** called after each batch of products with how many of them are saved */
  onProgress?: (saved: number, total: number) => void;
}

function toProductRow(product: CatalogProduct, customFields: Record<string, unknown>): repository.ProductRow {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    price: product.priceMinor === null ? null : toNumericString(product.priceMinor),
    oldPrice: product.oldPriceMinor === null ? null : toNumericString(product.oldPriceMinor),
    isAvailable: product.isAvailable,
    categoryIds: product.categoryIds,
    customFields,
    sku: product.sku ?? null,
  };
}

async function inBatches<T>(items: T[], work: (batch: T[], saved: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += IMPORT_BATCH_SIZE) {
    const batch = items.slice(start, start + IMPORT_BATCH_SIZE);
    await work(batch, start + batch.length);
  }
}

/** Available ids that are neither in the upload nor among its rejected items. */
function absentFrom(available: string[], present: Iterable<string>, rejected: string[]): string[] {
  const keep = new Set(present);
  for (const id of rejected) keep.add(id);
  return available.filter((id) => !keep.has(id));
}

/**
 * Saves a parsed catalogue in one transaction (the caller's, or a new one): categories and products
 * are upserted in bounded batches, and on a full upload everything available that the upload does not
 * mention becomes unavailable. Nothing is ever deleted. Products whose custom fields do not match the
 * project's definitions are rejected like any other invalid item.
 */
export async function importCatalog(db: Db, upload: CatalogUpload, options: ImportOptions): Promise<CatalogImportResult> {
  const { externalSystem, now } = options;
  const full = options.full ?? true;
  const messages: ValidationMessage[] = [...upload.errors];
  const definitions = new Map(options.productFields.map((field) => [field.systemName, field]));

  const rejectedProductIds = [...upload.rejectedProductIds];
  const productRows: repository.ProductRow[] = [];
  for (const product of upload.products) {
    const checked = checkProductCustomFields(product.customFields, definitions);
    if (checked.errors === undefined) {
      productRows.push(toProductRow(product, checked.value));
      continue;
    }
    const idLocation = upload.productLocations.get(product.id) ?? '';
    for (const error of checked.errors) {
      messages.push({
        location: customFieldLocation(idLocation, error.field),
        message: `product "${product.id}": ${error.message}; the product is not saved`,
      });
    }
    rejectedProductIds.push(product.id);
  }

  return inTransaction(db, async (trx) => {
    await repository.lockCatalogForImport(trx, externalSystem);
    const categories = { created: 0, changed: 0, madeUnavailable: 0 };
    await inBatches(upload.categories, async (batch) => {
      const counts = await repository.upsertCategories(trx, externalSystem, batch, now);
      categories.created += counts.created;
      categories.changed += counts.changed;
    });

    const products = { created: 0, changed: 0, madeUnavailable: 0 };
    await inBatches(productRows, async (batch, saved) => {
      const counts = await repository.upsertProducts(trx, externalSystem, batch, now);
      products.created += counts.created;
      products.changed += counts.changed;
      options.onProgress?.(saved, productRows.length);
    });

    if (full) {
      const goneCategories = absentFrom(
        await repository.listAvailableCategoryIds(trx, externalSystem),
        upload.categories.map((category) => category.id),
        upload.rejectedCategoryIds,
      );
      await inBatches(goneCategories, async (batch) => {
        categories.madeUnavailable += await repository.markCategoriesUnavailable(trx, externalSystem, batch, now);
      });
      const goneProducts = absentFrom(
        await repository.listAvailableProductIds(trx, externalSystem),
        productRows.map((row) => row.id),
        rejectedProductIds,
      );
      await inBatches(goneProducts, async (batch) => {
        products.madeUnavailable += await repository.markProductsUnavailable(trx, externalSystem, batch, now);
      });
    }

    return {
      externalSystem,
      products: {
        received: upload.products.length + upload.rejectedProductIds.length,
        created: products.created,
        changed: products.changed,
        unchanged: productRows.length - products.created - products.changed,
        madeUnavailable: products.madeUnavailable,
        rejected: rejectedProductIds.length,
      },
      categories: {
        received: upload.categories.length + upload.rejectedCategoryIds.length,
        created: categories.created,
        changed: categories.changed,
        unchanged: upload.categories.length - categories.created - categories.changed,
        madeUnavailable: categories.madeUnavailable,
        rejected: upload.rejectedCategoryIds.length,
      },
      messages,
    };
  });
}

/**
 * Loads an iikoCloud `/api/1/nomenclature` answer: menu groups become categories, dishes, goods and
 * priced modifiers become products (like the iiko plugin's menu upload, `ids` as its `send_product_id`).
 * An answer for `startRevision: 0` is the whole menu (`full`, the default); a later revision holds only
 * changes, so pass `full: false` for it.
 */
export async function importIikoNomenclature(
  db: Db,
  nomenclature: unknown,
  options: NomenclatureOptions & {
    project: ProjectSnapshot;
    now: Date;
    externalSystem?: string;
    full?: boolean;
    onProgress?: ImportOptions['onProgress'];
  },
): Promise<CatalogImportResult> {
  const upload = readNomenclature(nomenclature, { ids: options.ids });
  return importCatalog(db, upload, {
    externalSystem: options.externalSystem ?? 'iiko',
    productFields: options.project.customFields('Product'),
    now: options.now,
    full: options.full,
    onProgress: options.onProgress,
  });
}

/** The nomenclature's upload; a document that is no nomenclature at all is a validation error like any bad upload. */
function readNomenclature(nomenclature: unknown, options: NomenclatureOptions): CatalogUpload {
  try {
    return parseIikoNomenclature(nomenclature, options);
  } catch (error) {
    if (error instanceof NomenclatureError) throw validationError(error.problem);
    throw error;
  }
}

/** One line for people: what an import did. */
export function describeImport(result: CatalogImportResult): string {
  const { products, categories } = result;
  return (
    `${result.externalSystem}: products ${products.received} received, ${products.created} created, ${products.changed} changed, ` +
    `${products.unchanged} unchanged, ${products.madeUnavailable} made unavailable, ${products.rejected} rejected; ` +
    `categories ${categories.received} received, ${categories.created} created, ${categories.changed} changed, ` +
    `${categories.madeUnavailable} made unavailable; ${result.messages.length} problems`
  );
}

/** The external system the catalogue operation loads (`iiko` in the preset): where the admin API looks by default. */
export function defaultExternalSystem(project: ProjectSnapshot): string {
  const operation = project.definition.operations.find((candidate) => candidate.type === 'ImportProductCatalog');
  const configured = operation?.settings.externalSystem;
  if (typeof configured === 'string' && configured !== '') return configured;
  const systems = project.definition.externalSystems;
  return systems.length === 1 ? systems[0].systemName : 'iiko';
}

export interface CatalogProductView {
  id: string;
  name: string;
  description: string | null;
  /** roubles */
  price: number | null;
  oldPrice: number | null;
  isAvailable: boolean;
  categoryIds: string[];
  customFields: Record<string, unknown>;
  sku: string | null;
  updatedAt: string;
}

export async function findProducts(
  db: Db,
  search: repository.ProductSearch,
): Promise<{ items: CatalogProductView[]; nextCursor: string | null }> {
  const rows = await repository.searchProducts(db, search);
  const items = rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    price: row.price === null ? null : toDecimal(fromNumeric(row.price)),
    oldPrice: row.old_price === null ? null : toDecimal(fromNumeric(row.old_price)),
    isAvailable: row.is_available,
    categoryIds: row.category_ids,
    customFields: row.custom_fields ?? {},
    sku: row.sku,
    updatedAt: new Date(row.updated_at).toISOString(),
  }));
  const last = items.at(-1);
  return { items, nextCursor: items.length === search.limit && last ? encodeCursor(last.id) : null };
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return encodeCursor(id) === cursor ? id : null;
}

export interface CategoryNode {
  id: string;
  name: string;
  isAvailable: boolean;
  /** available products placed directly in this category */
  productCount: number;
  children: CategoryNode[];
}

/** The category tree, children under their parents sorted by name; a category whose parent is unknown is a root. */
export async function categoryTree(db: Db, externalSystem: string, options: { available?: boolean } = {}): Promise<CategoryNode[]> {
  const rows = (await repository.listCategories(db, externalSystem)).filter(
    (row) => options.available === undefined || row.is_available === options.available,
  );
  const nodes = new Map<string, CategoryNode>(
    rows.map((row) => [row.id, { id: row.id, name: row.name, isAvailable: row.is_available, productCount: row.product_count, children: [] }]),
  );
  const roots: CategoryNode[] = [];
  for (const row of rows) {
    const parent = row.parent_id === null ? undefined : nodes.get(row.parent_id);
    (parent ? parent.children : roots).push(nodes.get(row.id)!);
  }
  return roots;
}

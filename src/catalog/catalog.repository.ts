// All catalogue SQL. Categories and products are keyed by (external system, id); nothing is deleted.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** How deep a category tree may go; a guard for the recursive walks, far beyond any real menu. */
export const MAX_CATEGORY_DEPTH = 64;

/**
 * What identifies the category trees: a random value a trigger on catalog_categories sets anew whenever a
 * statement writes categories (migration 20261205_1640; decision 0204), read in the statement that reads
 * products, so a lookup knows at once whether a tree it holds in memory is still the tree. Before, this was an
 * md5 of the whole tree, computed by every lookup.
 */
const categoryTreeVersion = sql<string | null>`(select version from catalog_tree_version)`;

export interface FoundProductRow {
  id: string;
  name: string;
  price: string | null;
  is_available: boolean;
  /** the product's own categories */
  category_ids: string[] | null;
  /** the version of the category trees this statement saw */
  tree_version: string | null;
}

/** The products with these ids, by primary key, each with the version of the category tree. */
export async function findProductsByIds(db: Db, externalSystem: string, productIds: string[]): Promise<FoundProductRow[]> {
  if (productIds.length === 0) return [];
  const result = await sql<FoundProductRow>`
    select p.id, p.name, p.price, p.is_available, p.category_ids, ${categoryTreeVersion} as tree_version
    from catalog_products p
    where p.external_system = ${externalSystem} and p.id = any(${productIds}::text[])
  `.execute(db);
  return result.rows;
}

/** Every category of an external system with its parent, and the version of the trees (one snapshot). */
export async function categoryParents(db: Db, externalSystem: string): Promise<{ version: string | null; parents: Map<string, string | null> }> {
  const result = await sql<{ id: string | null; parent_id: string | null; tree_version: string }>`
    select c.id, c.parent_id, v.version as tree_version
    from catalog_tree_version v
    left join catalog_categories c on c.external_system = ${externalSystem}
  `.execute(db);
  return {
    version: result.rows[0]?.tree_version ?? null,
    parents: new Map(result.rows.flatMap((row) => (row.id === null ? [] : [[row.id, row.parent_id] as const]))),
  };
}

/**
 * Holds the catalogue of one external system until the transaction ends: concurrent uploads run one after
 * the other, so each sees the other's result when it decides what became unavailable.
 */
export async function lockCatalogForImport(db: Db, externalSystem: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`regulars.catalog.${externalSystem}`}))`.execute(db);
}

export interface CategoryRow {
  id: string;
  name: string;
  parentId: string | null;
}

export interface ProductRow {
  id: string;
  name: string;
  description: string | null;
  /** numeric text, or null */
  price: string | null;
  oldPrice: string | null;
  isAvailable: boolean;
  categoryIds: string[];
  customFields: Record<string, unknown>;
  sku: string | null;
}

export interface UpsertCounts {
  created: number;
  changed: number;
}

function countUpserted(rows: { inserted: boolean }[]): UpsertCounts {
  const created = rows.filter((row) => row.inserted).length;
  return { created, changed: rows.length - created };
}

/** Inserts new categories and updates those that differ (available again when they were not). */
export async function upsertCategories(db: Db, externalSystem: string, rows: CategoryRow[], now: Date): Promise<UpsertCounts> {
  if (rows.length === 0) return { created: 0, changed: 0 };
  const result = await db
    .insertInto('catalog_categories')
    .values(
      rows.map((row) => ({
        external_system: externalSystem,
        id: row.id,
        name: row.name,
        parent_id: row.parentId,
        is_available: true,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((conflict) =>
      conflict
        .columns(['external_system', 'id'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          parent_id: eb.ref('excluded.parent_id'),
          is_available: eb.ref('excluded.is_available'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where(
          sql<boolean>`(catalog_categories.name, catalog_categories.parent_id, catalog_categories.is_available)
            is distinct from (excluded.name, excluded.parent_id, excluded.is_available)`,
        ),
    )
    // xmax is 0 on a freshly inserted row version and set on an updated one
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
  return countUpserted(result);
}

/**
 * Inserts new products and updates those where any field differs; unchanged rows are not touched.
 * The rows travel as one array per column (`unnest`): a handful of parameters instead of twelve per row,
 * which is what makes large batches cheap to send and to plan.
 */
export async function upsertProducts(db: Db, externalSystem: string, rows: ProductRow[], now: Date): Promise<UpsertCounts> {
  if (rows.length === 0) return { created: 0, changed: 0 };
  const column = <T>(read: (row: ProductRow) => T) => rows.map(read);
  const result = await sql<{ inserted: boolean }>`
    insert into catalog_products
      (external_system, id, name, description, price, old_price, is_available, category_ids, custom_fields, sku, created_at, updated_at)
    select ${externalSystem}, t.id, t.name, t.description, t.price, t.old_price, t.is_available,
      array(select jsonb_array_elements_text(t.category_ids)), t.custom_fields, t.sku, ${now}, ${now}
    from unnest(
      ${column((row) => row.id)}::text[],
      ${column((row) => row.name)}::text[],
      ${column((row) => row.description)}::text[],
      ${column((row) => row.price)}::numeric[],
      ${column((row) => row.oldPrice)}::numeric[],
      ${column((row) => row.isAvailable)}::boolean[],
      ${column((row) => JSON.stringify(row.categoryIds))}::jsonb[],
      ${column((row) => JSON.stringify(row.customFields))}::jsonb[],
      ${column((row) => row.sku)}::text[]
    ) as t(id, name, description, price, old_price, is_available, category_ids, custom_fields, sku)
    on conflict (external_system, id) do update set
      name = excluded.name, description = excluded.description, price = excluded.price, old_price = excluded.old_price,
      is_available = excluded.is_available, category_ids = excluded.category_ids, custom_fields = excluded.custom_fields,
      sku = excluded.sku, updated_at = excluded.updated_at
    where (catalog_products.name, catalog_products.description, catalog_products.price, catalog_products.old_price,
        catalog_products.is_available, catalog_products.category_ids, catalog_products.custom_fields, catalog_products.sku)
      is distinct from (excluded.name, excluded.description, excluded.price, excluded.old_price,
        excluded.is_available, excluded.category_ids, excluded.custom_fields, excluded.sku)
    -- xmax is 0 on a freshly inserted row version and set on an updated one
    returning xmax = 0 as inserted
  `.execute(db);
  return countUpserted(result.rows);
}

export async function listAvailableCategoryIds(db: Db, externalSystem: string): Promise<string[]> {
  const rows = await db
    .selectFrom('catalog_categories')
    .select('id')
    .where('external_system', '=', externalSystem)
    .where('is_available', '=', true)
    .execute();
  return rows.map((row) => row.id);
}

export async function listAvailableProductIds(db: Db, externalSystem: string): Promise<string[]> {
  const rows = await db
    .selectFrom('catalog_products')
    .select('id')
    .where('external_system', '=', externalSystem)
    .where('is_available', '=', true)
    .execute();
  return rows.map((row) => row.id);
}

export async function markCategoriesUnavailable(db: Db, externalSystem: string, ids: string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('catalog_categories')
    .set({ is_available: false, updated_at: now })
    .where('external_system', '=', externalSystem)
    .where('id', '=', sql<string>`any(${ids}::text[])`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function markProductsUnavailable(db: Db, externalSystem: string, ids: string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('catalog_products')
    .set({ is_available: false, updated_at: now })
    .where('external_system', '=', externalSystem)
    .where('id', '=', sql<string>`any(${ids}::text[])`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface ProductSearch {
  externalSystem: string;
  /** a case-insensitive part of the name, or an exact id */
  text?: string;
  /** products in this category or any category below it */
  categoryId?: string;
  available?: boolean;
  /** keyset: the last id of the previous page */
  afterId?: string;
  limit: number;
}

export interface ProductListRow {
  id: string;
  name: string;
  description: string | null;
  price: string | null;
  old_price: string | null;
  is_available: boolean;
  category_ids: string[];
  custom_fields: Record<string, unknown>;
  sku: string | null;
  updated_at: Date;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A page of products ordered by id. */
export async function searchProducts(db: Db, search: ProductSearch): Promise<ProductListRow[]> {
  let query = db
    .selectFrom('catalog_products')
    .select(['id', 'name', 'description', 'price', 'old_price', 'is_available', 'category_ids', 'custom_fields', 'sku', 'updated_at'])
    .where('external_system', '=', search.externalSystem);
  if (search.text) {
    const text = search.text;
    query = query.where((eb) => eb.or([eb('name', 'ilike', likePattern(text)), eb('id', '=', text)]));
  }
  if (search.categoryId !== undefined) {
    query = query.where(sql<boolean>`category_ids && array(
      with recursive subtree(id, depth) as (
        select ${search.categoryId}::text, 0
        union all
        select c.id, s.depth + 1 from catalog_categories c join subtree s on c.parent_id = s.id
        where c.external_system = ${search.externalSystem} and s.depth < ${MAX_CATEGORY_DEPTH}
      )
      select id from subtree
    )`);
  }
  if (search.available !== undefined) query = query.where('is_available', '=', search.available);
  if (search.afterId !== undefined) query = query.where('id', '>', search.afterId);
  return (await query.orderBy('id').limit(search.limit).execute()) as ProductListRow[];
}

export interface CategoryListRow {
  id: string;
  name: string;
  parent_id: string | null;
  is_available: boolean;
  /** available products placed directly in the category */
  product_count: number;
}

export async function listCategories(db: Db, externalSystem: string): Promise<CategoryListRow[]> {
  const result = await sql<CategoryListRow>`
    select c.id, c.name, c.parent_id, c.is_available, coalesce(counts.products, 0)::int as product_count
    from catalog_categories c
    left join (
      select category_id, count(*) as products
      from catalog_products p, unnest(p.category_ids) as category_id
      where p.external_system = ${externalSystem} and p.is_available
      group by category_id
    ) counts on counts.category_id = c.id
    where c.external_system = ${externalSystem}
    order by c.name, c.id
  `.execute(db);
  return result.rows;
}

// All catalogue SQL. Categories and products are keyed by (external system, id); nothing is deleted.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** How deep a category tree may go; a guard for the recursive walks, far beyond any real menu. */
const MAX_CATEGORY_DEPTH = 64;

export interface ResolvedProductRow {
  id: string;
  name: string;
  price: string | null;
  is_available: boolean;
  /** the product's own categories first, then their ancestors nearest first, each once */
  category_ids: string[];
}

/** The products with these ids and their categories with every ancestor, in one query. */
export async function findProductsWithAncestors(
  db: Db,
  externalSystem: string,
  productIds: string[],
): Promise<ResolvedProductRow[]> {
  if (productIds.length === 0) return [];
  const result = await sql<ResolvedProductRow>`
    with recursive wanted as (
      select p.id, p.name, p.price, p.is_available, p.category_ids
      from catalog_products p
      where p.external_system = ${externalSystem} and p.id = any(${productIds}::text[])
    ),
    ancestry(product_id, category_id, parent_id, depth, ordinal) as (
      select w.id, c.id, c.parent_id, 0, own.ordinal
      from wanted w
      cross join lateral unnest(w.category_ids) with ordinality as own(category_id, ordinal)
      join catalog_categories c on c.external_system = ${externalSystem} and c.id = own.category_id
      union all
      select a.product_id, c.id, c.parent_id, a.depth + 1, a.ordinal
      from ancestry a
      join catalog_categories c on c.external_system = ${externalSystem} and c.id = a.parent_id
      where a.depth < ${MAX_CATEGORY_DEPTH}
    ),
    ranked as (
      select product_id, category_id, min(depth) as depth, min(ordinal) as ordinal
      from ancestry
      group by product_id, category_id
    )
    select w.id, w.name, w.price, w.is_available,
      coalesce(
        (select array_agg(r.category_id order by r.depth, r.ordinal, r.category_id)
         from ranked r where r.product_id = w.id),
        '{}'::text[]
      ) as category_ids
    from wanted w
  `.execute(db);
  return result.rows;
}

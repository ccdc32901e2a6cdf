// The catalogue's rules: what other modules may ask of it and how uploads are saved.
import type { Db } from '../db/database.ts';
import { fromNumeric } from '../shared/money.ts';
import { findProductsWithAncestors } from './catalog.repository.ts';

export interface ResolvedProduct {
  name: string;
  /** kopecks; null when the catalogue has no price for it */
  price: number | null;
  isAvailable: boolean;
  /** the product's categories together with all their ancestors (own categories first) */
  categoryIds: string[];
}

/**
 * The catalogue entries of these product ids in one external system (`iiko` in the preset), for the
 * calculation. Unknown ids are absent from the map; unavailable products are present with
 * `isAvailable: false` (they left the menu but orders may still carry them).
 */
export async function resolveProducts(
  db: Db,
  externalSystem: string,
  productIds: string[],
): Promise<Map<string, ResolvedProduct>> {
  const unique = [...new Set(productIds)];
  const rows = await findProductsWithAncestors(db, externalSystem, unique);
  return new Map(
    rows.map((row) => [
      row.id,
      {
        name: row.name,
        price: row.price === null ? null : fromNumeric(row.price),
        isAvailable: row.is_available,
        categoryIds: row.category_ids,
      },
    ]),
  );
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

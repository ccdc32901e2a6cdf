// The normalised result of every catalogue importer (JSON operation body, YML feed, iiko nomenclature), and what
// a POS makes its menu and its `Offline.SendProductCatalog` body from. Parsers are pure: they never touch the
// database; the server's import service upserts what they return.

import type { ValidationMessage } from '../answers.ts';

export interface CatalogCategory {
  id: string;
  name: string;
  parentId: string | null;
}

export interface CatalogProduct {
  id: string;
  name: string;
  description: string | null;
  /** kopecks; the wire's `price` and `oldPrice` are roubles */
  priceMinor: number | null;
  oldPriceMinor: number | null;
  isAvailable: boolean;
  categoryIds: string[];
  customFields: Record<string, unknown>;
  sku?: string | null;
}

export interface CatalogUpload {
  externalSystem: string | null;
  categories: CatalogCategory[];
  products: CatalogProduct[];
  /** One message per rejected item or dropped reference, each with the location of the offending field. */
  errors: ValidationMessage[];
  /** Ids of items that were sent but rejected: an import leaves their stored rows as they were. */
  rejectedCategoryIds: string[];
  rejectedProductIds: string[];
  /** Where each accepted product's id is in the request, for messages found after parsing. */
  productLocations: Map<string, string>;
}

// Admin API of the catalogue: GET /api/admin/products (search with keyset pages) and
// GET /api/admin/categories (the tree).
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor } from '../http/pagination.ts';
import { categoryTree, decodeCursor, defaultExternalSystem, findProducts } from './catalog.service.ts';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

const productsQuery = z.object({
  externalSystem: z.string().min(1).max(100).optional().describe('whose product ids; the catalogue operation\'s (iiko) when absent'),
  query: z.string().trim().max(200).optional().describe('a part of the name (any case) or an exact product id'),
  category: z.string().min(1).max(200).optional().describe('a category id: products in it or in any category below it'),
  available: flag.optional().describe('true: on the menu only; false: unavailable only'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: beforeCursor(decodeCursor),
});

const productView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  price: z.number().nullable(),
  oldPrice: z.number().nullable(),
  isAvailable: z.boolean(),
  categoryIds: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  sku: z.string().nullable(),
  updatedAt: z.string(),
});

type CategoryNodeShape = { id: string; name: string; isAvailable: boolean; productCount: number; children: CategoryNodeShape[] };
const categoryNode: z.ZodType<CategoryNodeShape> = z.lazy(() =>
  z.object({ id: z.string(), name: z.string(), isAvailable: z.boolean(), productCount: z.number(), children: z.array(categoryNode) }),
);

export const catalogRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/products',
      tag: 'Catalogue',
      summary: 'Search the product catalogue',
      description: 'By a part of the name or an exact id, by category (sub-categories included) and availability; ordered by id.',
      query: productsQuery,
      response: z.object({ externalSystem: z.string(), items: z.array(productView), next: z.string().nullable() }),
    },
    async ({ query }) => {
      const externalSystem = query.externalSystem ?? defaultExternalSystem(app.project.current);
      const page = await findProducts(app.db, {
        externalSystem,
        text: query.query || undefined,
        categoryId: query.category,
        available: query.available,
        afterId: query.before,
        limit: query.limit,
      });
      return { externalSystem, items: page.items, next: page.nextCursor };
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/categories',
      tag: 'Catalogue',
      summary: 'The category tree',
      description: 'Every category with its sub-categories and the number of available products placed directly in it.',
      query: z.object({ externalSystem: z.string().min(1).max(100).optional(), available: flag.optional() }),
      response: z.object({ externalSystem: z.string(), items: z.array(categoryNode) }),
    },
    async ({ query }) => {
      const externalSystem = query.externalSystem ?? defaultExternalSystem(app.project.current);
      return { externalSystem, items: await categoryTree(app.db, externalSystem, { available: query.available }) };
    },
  );
};

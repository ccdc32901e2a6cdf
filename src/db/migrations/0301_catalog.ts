import { sql, type Kysely } from 'kysely';

// The product catalogue, per external system (the key the POS uses under `product.ids`). Rows are
// never deleted: orders keep referring to products that left the menu, which only become unavailable.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catalog_categories')
    .addColumn('external_system', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('is_available', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('catalog_categories_pk', ['external_system', 'id'])
    .execute();
  await db.schema
    .createIndex('catalog_categories_parent')
    .on('catalog_categories')
    .columns(['external_system', 'parent_id'])
    .execute();

  await db.schema
    .createTable('catalog_products')
    .addColumn('external_system', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('price', 'numeric')
    .addColumn('old_price', 'numeric')
    .addColumn('is_available', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('category_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('custom_fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('sku', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('catalog_products_pk', ['external_system', 'id'])
    .execute();
  await sql`create index catalog_products_category_ids on catalog_products using gin (category_ids)`.execute(db);
}

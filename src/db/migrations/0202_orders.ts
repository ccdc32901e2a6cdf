// Orders from the POS: the order, the identifiers it is found by (unique per identifier field), its lines
// with the points each spent and earned, and every status change of every line. Coupons and their uses.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'bigint', (c) => c.generatedByDefaultAsIdentity().primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.references('customers.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('authorized', 'anonymous', 'offline')`))
    .addColumn('balance_type', 'text')
    .addColumn('point_of_contact', 'text')
    .addColumn('cashdesk', 'text')
    .addColumn('integration_point', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('custom_fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('payments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('coupons', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('subtotal', 'numeric', (c) => c.notNull())
    .addColumn('discount_total', 'numeric', (c) => c.notNull())
    .addColumn('total_price', 'numeric', (c) => c.notNull())
    .addColumn('executed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_customer').on('orders').columns(['customer_id', 'executed_at']).execute();

  await db.schema
    .createTable('order_identifiers')
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addPrimaryKeyConstraint('order_identifiers_pk', ['field', 'value'])
    .execute();
  await db.schema.createIndex('order_identifiers_order').on('order_identifiers').columns(['order_id']).execute();

  await db.schema
    .createTable('order_lines')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addColumn('line_number', 'integer', (c) => c.notNull())
    .addColumn('line_id', 'text')
    .addColumn('product_id', 'text')
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('base_price_per_item', 'numeric', (c) => c.notNull())
    .addColumn('min_price_per_item', 'numeric')
    .addColumn('line_total', 'numeric', (c) => c.notNull())
    .addColumn('discounted_price', 'numeric', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('quantity_returned', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('quantity_refunded', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_returned', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('points_spent', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('points_spent_net', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('points_earned', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('points_earned_net', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('earnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('applied_promotions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('custom_fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('paid_at', 'timestamptz')
    .addUniqueConstraint('order_lines_number', ['order_id', 'line_number'])
    .execute();

  await db.schema
    .createTable('order_line_history')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addColumn('line_number', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_line_history_order').on('order_line_history').columns(['order_id', 'id']).execute();

  await db.schema
    .createTable('coupons')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_by', 'bigint')
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('coupons_pool').on('coupons').columns(['pool']).execute();

  await db.schema
    .createTable('coupon_uses')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().references('coupons.code'))
    .addColumn('customer_id', 'bigint')
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('coupon_uses_code_customer').on('coupon_uses').columns(['code', 'customer_id']).execute();
  await db.schema.createIndex('coupon_uses_order').on('coupon_uses').columns(['order_id']).execute();
}

// Segment membership as the segments module records it: table customer_segments(customer_id, segment,
// entered_at). Until that module's table exists nobody is in any segment.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export async function isInSegment(db: Db, customerId: number, segment: string): Promise<boolean> {
  const table = await sql<{ present: boolean }>`select to_regclass('customer_segments') is not null as present`.execute(db);
  if (!table.rows[0]?.present) return false;
  const { rows } = await sql`select 1 from customer_segments where customer_id = ${customerId} and segment = ${segment} limit 1`.execute(db);
  return rows.length > 0;
}

// Segment membership and scenario runs as the segments and scenarios modules record them (tables
// customer_segments(customer_id, segment, entered_at) and scenario_runs). The console reads them here
// while those modules have no read functions for it; before a table exists its answers are empty.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

async function membershipTableExists(db: Db): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`select to_regclass('customer_segments') is not null as present`.execute(db);
  return rows[0]?.present === true;
}

export async function segmentsOfCustomer(db: Db, customerId: number): Promise<{ segment: string; entered_at: Date | string | null }[]> {
  if (!(await membershipTableExists(db))) return [];
  const { rows } = await sql<{ segment: string; entered_at: Date | string | null }>`
    select segment, entered_at from customer_segments where customer_id = ${customerId} order by segment`.execute(db);
  return rows;
}

/** Members per segment; null when membership is not recorded yet. */
export async function segmentSizes(db: Db): Promise<Map<string, number> | null> {
  if (!(await membershipTableExists(db))) return null;
  const { rows } = await sql<{ segment: string; count: number }>`select segment, count(*)::int as count from customer_segments group by segment`.execute(db);
  return new Map(rows.map((row) => [row.segment, Number(row.count)]));
}

export interface ScenarioRunSummary {
  id: number;
  customer_id: number | null;
  event_type: string;
  operation: string | null;
  status: string;
  branch: string | null;
  steps: unknown;
  created_at: Date | string;
}

/** The newest runs of a scenario (scenario_runs is the scenarios module's run log; none before it exists). */
export async function recentScenarioRuns(db: Db, scenario: string, limit: number): Promise<ScenarioRunSummary[]> {
  if (limit === 0) return [];
  const { rows: present } = await sql<{ present: boolean }>`select to_regclass('scenario_runs') is not null as present`.execute(db);
  if (!present[0]?.present) return [];
  const { rows } = await sql<ScenarioRunSummary>`
    select id, customer_id, event_type, operation, status, branch, steps, created_at
    from scenario_runs where scenario = ${scenario} order by id desc limit ${limit}`.execute(db);
  return rows;
}

/** SMS created per local day in [from, to) by their current status (the messaging module's messages table). */
export async function messagesPerDay(db: Db, from: Date, to: Date, timeZone: string): Promise<{ day: string; status: string; count: number }[] | null> {
  const { rows: present } = await sql<{ present: boolean }>`select to_regclass('messages') is not null as present`.execute(db);
  if (!present[0]?.present) return null;
  const { rows } = await sql<{ day: string; status: string; count: number }>`
    select to_char((created_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as day, status, count(*)::int as count
    from messages where created_at >= ${from} and created_at < ${to}
    group by 1, 2 order by 1`.execute(db);
  return rows;
}

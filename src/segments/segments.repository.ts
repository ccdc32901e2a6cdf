// All SQL of the segments module. Membership is computed set-based: one statement per call builds the
// wanted membership of the given segments from customers, orders and points, inserts the rows that are
// missing, deletes the rows that are no longer wanted and writes an `enteredSegment`/`leftSegment` event
// into the outbox for every row it inserted or deleted. The same statement serves one guest (a filter on
// the customer id) and every guest (the daily recalculation): there is one definition of each condition.
//
// Conditions read the orders and points tables read-only (docs/decisions/0401-segments.md):
// - paid amount of a line = `discounted_price - amount_returned` of a line that was paid (`paid_at`) within
//   the window, the definition of `customerPaidTotal` in src/orders/orders.service.ts (a test holds them equal);
// - a paid order = an order with such lines whose paid amount is above 0;
// - points available = the balance total less the lots not active yet and the lots past their expiry
//   (as src/loyalty/balances.ts shows them to the POS).
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import type { SegmentCondition, SegmentDefinition } from '../project/schemas.ts';
import { EVENT_TOPIC } from '../jobs/outbox.ts';

const DAY_MS = 86_400_000;

/** `and <column> = …`: the scope's guests, or nothing when it is every guest. */
function onlyScopeGuests(scope: EvaluationScope, column: string): RawBuilder<unknown> {
  if (scope.customerIds) return sql`and ${sql.ref(column)} = any(${scope.customerIds}::bigint[])`;
  return scope.customerId === null ? sql`` : sql`and ${sql.ref(column)} = ${scope.customerId}`;
}

export interface MembershipChange {
  entered: number;
  left: number;
}

export interface EvaluationScope {
  now: Date;
  /** one guest, or every guest when null (unless `customerIds` names them) */
  customerId: number | null;
  /** these guests (a simulation's batch) */
  customerIds?: number[];
  /** merged into every emitted event's `data` (e.g. what caused the evaluation) */
  eventData: Record<string, unknown>;
}

/**
 * Per-guest aggregates the conditions need, named by what they compute (`paid_365d`, `points_Bonus`), so
 * the statements of one recalculation can share them: as CTEs of a guest's statement, or as temporary
 * tables a full recalculation computes once for all its segments.
 */
class Metrics {
  readonly paidWindows = new Map<number, { name: string; counts: boolean }>();
  readonly pointTypes = new Map<string, string>();

  paid(windowDays: number, counts: boolean): string {
    const known = this.paidWindows.get(windowDays);
    if (known) {
      known.counts ||= counts;
      return known.name;
    }
    const name = `paid_${windowDays}d`;
    this.paidWindows.set(windowDays, { name, counts });
    return name;
  }

  points(balanceType: string): string {
    let name = this.pointTypes.get(balanceType);
    if (!name) {
      name = `points_${balanceType}`;
      this.pointTypes.set(balanceType, name);
    }
    return name;
  }

  /** Each metric's name and the query computing it (customer_id and its values) for the scope. */
  queries(scope: EvaluationScope): Array<[string, RawBuilder<unknown>]> {
    const queries: Array<[string, RawBuilder<unknown>]> = [];
    for (const [windowDays, { name, counts }] of this.paidWindows) {
      const from = new Date(scope.now.getTime() - windowDays * DAY_MS);
      const guest = onlyScopeGuests(scope, 'o.customer_id');
      const paidLines = sql`from order_lines l join orders o on o.id = l.order_id
        where l.paid_at >= ${from} and o.customer_id is not null ${guest}`;
      queries.push([
        name,
        counts
          ? sql`select customer_id, sum(paid) as total, count(*) filter (where paid > 0) as orders
              from (select o.customer_id, o.id, sum(l.discounted_price - l.amount_returned) as paid ${paidLines} group by o.customer_id, o.id) per_order
              group by customer_id`
          : sql`select o.customer_id, sum(l.discounted_price - l.amount_returned) as total, 0 as orders ${paidLines} group by o.customer_id`,
      ]);
    }
    for (const [balanceType, name] of this.pointTypes) {
      const guest = onlyScopeGuests(scope, 'b.customer_id');
      queries.push([
        name,
        sql`select b.customer_id, b.total - coalesce(sum(l.remaining), 0) as available
          from point_balances b
          left join point_lots l on l.customer_id = b.customer_id and l.balance_type = b.balance_type and l.remaining > 0
            and (l.active_from > ${scope.now} or l.expires_at <= ${scope.now})
          where b.balance_type = ${balanceType} ${guest}
          group by b.customer_id, b.total`,
      ]);
    }
    return queries;
  }
}

const numeric = (value: number) => sql`${String(value)}::numeric`;

function range(value: RawBuilder<unknown>, condition: { atLeast?: number; below?: number }): RawBuilder<unknown> {
  const parts = [sql`true`];
  if (condition.atLeast !== undefined) parts.push(sql`${value} >= ${numeric(condition.atLeast)}`);
  if (condition.below !== undefined) parts.push(sql`${value} < ${numeric(condition.below)}`);
  return sql.join(parts, sql` and `);
}

/**
 * The metrics a segment's conditions read: name → whether a guest without a row there can still match
 * (a left join) or not (`atLeast` above 0 in a segment matching all conditions: an inner join, which lets
 * the database start from the few guests that qualify).
 */
type Joins = Map<string, 'left' | 'inner'>;

function join(joins: Joins, name: string, condition: { atLeast?: number }, matchAll: boolean): void {
  const inner = matchAll && condition.atLeast !== undefined && condition.atLeast > 0;
  if (inner) joins.set(name, 'inner');
  else if (!joins.has(name)) joins.set(name, 'left');
}

/** The SQL test of one condition on guest `c`, and the metric CTEs it joins. */
function conditionSql(condition: SegmentCondition, scope: EvaluationScope, metrics: Metrics, joins: Joins, matchAll: boolean): RawBuilder<unknown> {
  switch (condition.type) {
    case 'paidTotal': {
      const name = metrics.paid(condition.windowDays, false);
      join(joins, name, condition, matchAll);
      return range(sql`coalesce(${sql.ref(`${name}.total`)}, 0)`, condition);
    }
    case 'orderCount': {
      const name = metrics.paid(condition.windowDays, true);
      join(joins, name, condition, matchAll);
      return range(sql`coalesce(${sql.ref(`${name}.orders`)}, 0)`, condition);
    }
    case 'customField': {
      // a scalar equal as text, or a multi-valued field holding the value
      const value = condition.equals;
      return sql`(c.custom_fields ->> ${condition.field} = ${String(value)}
        or (jsonb_typeof(c.custom_fields -> ${condition.field}) = 'array'
            and (c.custom_fields -> ${condition.field} @> ${JSON.stringify([value])}::jsonb
                 or c.custom_fields -> ${condition.field} @> ${JSON.stringify([String(value)])}::jsonb)))`;
    }
    case 'phoneConfirmed':
      return sql`c.is_mobile_phone_confirmed = ${condition.equals}`;
    case 'registeredWithinDays':
      return sql`c.created_at > ${new Date(scope.now.getTime() - condition.days * DAY_MS)}`;
    case 'pointsAvailable': {
      const name = metrics.points(condition.balanceType);
      join(joins, name, condition, matchAll);
      return range(sql`coalesce(${sql.ref(`${name}.available`)}, 0)`, condition);
    }
    case 'visitedVenue':
      return sql`exists (select 1 from orders v where v.customer_id = c.id and v.point_of_contact = ${condition.pointOfContact}
        and v.executed_at > ${new Date(scope.now.getTime() - condition.windowDays * DAY_MS)})`;
  }
}

/** `select customer_id, segment` of the guests the segment wants. */
function segmentMembersSql(segment: SegmentDefinition, scope: EvaluationScope, metrics: Metrics): RawBuilder<unknown> {
  const joins: Joins = new Map();
  const matchAll = segment.match === 'all';
  const tests = segment.conditions.map((condition) => sql`(${conditionSql(condition, scope, metrics, joins, matchAll)})`);
  const test = sql.join(tests, matchAll ? sql` and ` : sql` or `);
  const joined = [...joins].map(
    ([name, kind]) => sql`${sql.raw(kind === 'inner' ? 'join' : 'left join')} ${sql.id(name)} on ${sql.ref(`${name}.customer_id`)} = c.id`,
  );
  const guest = onlyScopeGuests(scope, 'c.id');
  return sql`select c.id as customer_id, ${segment.systemName}::text as segment
    from customers c ${sql.join(joined, sql` `)}
    where (${test}) ${guest}`;
}

/**
 * Brings the stored membership of `segments` in line with their definitions for the scope, in one statement,
 * and emits an event for every guest who entered or left. Metrics named in `precomputed` are read from the
 * temporary tables `precomputeMetrics` made. Runs in the caller's transaction.
 */
export async function applyMembership(
  db: Db,
  segments: SegmentDefinition[],
  scope: EvaluationScope,
  precomputed: ReadonlySet<string> = new Set(),
): Promise<MembershipChange> {
  if (segments.length === 0) return { entered: 0, left: 0 };
  const metrics = new Metrics();
  const members = segments.map((segment) => segmentMembersSql(segment, scope, metrics));
  const ctes = metrics
    .queries(scope)
    .filter(([name]) => !precomputed.has(name))
    .map(([name, query]) => sql`${sql.id(name)} as (${query})`);
  const names = segments.map((segment) => segment.systemName);
  const guest = scope.customerId === null ? sql`` : sql`and m.customer_id = ${scope.customerId}`;
  const data = JSON.stringify(scope.eventData);
  // the anti-join finds the new members (a lookup per wanted row would cost a full recalculation dearly);
  // `on conflict` settles a race with a concurrent evaluation of the same guest
  const { rows } = await sql<{ entered: number; left: number }>`
    with ${sql.join([...ctes, sql`desired as (${sql.join(members, sql` union all `)})`])},
    entered as (
      insert into customer_segments (customer_id, segment, entered_at)
      select d.customer_id, d.segment, ${scope.now}::timestamptz from desired d
      where not exists (select 1 from customer_segments m where m.customer_id = d.customer_id and m.segment = d.segment)
      on conflict (customer_id, segment) do nothing
      returning customer_id, segment),
    removed as (
      delete from customer_segments m
      where m.segment in (${sql.join(names)}) ${guest}
        and not exists (select 1 from desired d where d.customer_id = m.customer_id and d.segment = m.segment)
      returning m.customer_id, m.segment),
    changes as (
      select 'enteredSegment' as type, customer_id, segment from entered
      union all select 'leftSegment', customer_id, segment from removed),
    events as (
      insert into outbox (topic, payload, available_at)
      select ${EVENT_TOPIC}, jsonb_build_object('type', type, 'customerId', customer_id, 'at', ${scope.now.toISOString()}::text,
        'data', jsonb_build_object('segment', segment) || ${data}::jsonb), now()
      from changes
      returning 1)
    select (select count(*) from entered)::int as entered, (select count(*) from removed)::int as left`.execute(db);
  return { entered: Number(rows[0].entered), left: Number(rows[0].left) };
}

/** The membership the segments' definitions give the scope's guests now, read only (a simulation's). */
export async function wantedMembership(db: Db, segments: SegmentDefinition[], scope: EvaluationScope): Promise<{ customer_id: number; segment: string }[]> {
  if (segments.length === 0) return [];
  const metrics = new Metrics();
  const members = segments.map((segment) => segmentMembersSql(segment, scope, metrics));
  const ctes = metrics.queries(scope).map(([name, query]) => sql`${sql.id(name)} as (${query})`);
  const { rows } = await sql<{ customer_id: number; segment: string }>`
    ${ctes.length ? sql`with ${sql.join(ctes)}` : sql``}
    ${sql.join(members, sql` union all `)}`.execute(db);
  return rows;
}

export interface MembershipDifference {
  /** the segments of `current` the guests are in, by name */
  current: string[];
  /** the segments of `proposed` they would be in */
  proposed: string[];
  guests: number;
  /** the first of those guests by id */
  sample: number[];
}

/**
 * Every guest whose membership of the `current` definitions differs from that of the `proposed` ones, evaluated
 * now for both, read only: grouped by the two memberships, with a count and the first `sampleSize` guests of each.
 */
export async function membershipDifferences(
  db: Db,
  current: SegmentDefinition[],
  proposed: SegmentDefinition[],
  now: Date,
  sampleSize: number,
): Promise<MembershipDifference[]> {
  const scope: EvaluationScope = { now, customerId: null, eventData: {} };
  const metrics = new Metrics();
  const side = (segments: SegmentDefinition[], name: 'current' | 'proposed') =>
    segments.map((segment) => sql`select customer_id, segment, ${name}::text as side from (${segmentMembersSql(segment, scope, metrics)}) m`);
  const wanted = [...side(current, 'current'), ...side(proposed, 'proposed')];
  if (wanted.length === 0) return [];
  const ctes = metrics.queries(scope).map(([name, query]) => sql`${sql.id(name)} as (${query})`);
  const { rows } = await sql<{ current: string[]; proposed: string[]; guests: string; sample: number[] }>`
    with ${sql.join([...ctes, sql`wanted as (${sql.join(wanted, sql` union all `)})`])},
    per_guest as (
      select customer_id,
        coalesce(array_agg(segment order by segment) filter (where side = 'current'), '{}') as current,
        coalesce(array_agg(segment order by segment) filter (where side = 'proposed'), '{}') as proposed
      from wanted group by customer_id)
    select current, proposed, count(*)::text as guests, (array_agg(customer_id order by customer_id))[1:${sampleSize}] as sample
    from per_guest where current <> proposed
    group by current, proposed
    order by count(*) desc`.execute(db);
  return rows.map((row) => ({ current: row.current, proposed: row.proposed, guests: Number(row.guests), sample: row.sample.map(Number) }));
}

/**
 * For a full recalculation: computes every metric the segments need once, for every guest, into temporary
 * tables that live until the transaction ends. Returns their names for `applyMembership`.
 */
export async function precomputeMetrics(db: Db, segments: SegmentDefinition[], scope: EvaluationScope): Promise<Set<string>> {
  const metrics = new Metrics();
  for (const segment of segments) segmentMembersSql(segment, scope, metrics);
  const names = new Set<string>();
  for (const [name, query] of metrics.queries(scope)) {
    await sql`create temporary table ${sql.id(name)} on commit drop as ${query}`.execute(db);
    await sql`analyze ${sql.id(name)}`.execute(db);
    names.add(name);
  }
  return names;
}

/**
 * Planner settings for the full recalculation's transaction: it hashes and aggregates millions of rows, so
 * it gets the memory not to spill to disk, no JIT, and no nested loops. A nested-loop anti-join against
 * customer_segments would rescan, for every wanted row, the pages the same statement is inserting into
 * (quadratic: minutes for 100 000 new members), and the planner picks it when the table looks empty.
 */
export async function planForBulk(db: Db): Promise<void> {
  await sql`set local work_mem = '256MB'`.execute(db);
  await sql`set local enable_nestloop = off`.execute(db);
  // compiling expressions costs about a second per statement and gains little on these plans
  await sql`set local jit = off`.execute(db);
}

/** Forgets membership of segments the project no longer defines (no events: nothing can listen to them). */
export async function deleteMembershipExcept(db: Db, keep: string[]): Promise<number> {
  let query = db.deleteFrom('customer_segments');
  if (keep.length > 0) query = query.where('segment', 'not in', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Serialises evaluations: a full recalculation excludes everything else; one guest's evaluations queue up.
 * Advisory locks are per database, so the keys name the schema: projects in other schemas never wait.
 */
export async function lockAllSegments(db: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':segments'))`.execute(db);
}

/** A guest's evaluation: the shared lock, then the guest's own (one round trip). */
export async function lockForCustomer(db: Db, customerId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(hashtext(current_schema() || ':segments')),
    pg_advisory_xact_lock(hashtext(current_schema() || ${`:segments:${customerId}`}))`.execute(db);
}

export async function isMember(db: Db, customerId: number, segment: string): Promise<boolean> {
  const row = await db.selectFrom('customer_segments').select('customer_id').where('customer_id', '=', customerId).where('segment', '=', segment).executeTakeFirst();
  return row !== undefined;
}

/** The stored membership of these guests. */
export async function membershipOfCustomers(db: Db, customerIds: number[]): Promise<{ customer_id: number; segment: string }[]> {
  if (customerIds.length === 0) return [];
  return db.selectFrom('customer_segments').select(['customer_id', 'segment']).where('customer_id', 'in', customerIds).execute();
}

export async function membershipOf(db: Db, customerId: number): Promise<{ segment: string; entered_at: Date }[]> {
  return db.selectFrom('customer_segments').select(['segment', 'entered_at']).where('customer_id', '=', customerId).orderBy('segment').execute();
}

export async function segmentSizes(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('customer_segments')
    .select(['segment', (eb) => eb.fn.countAll<string>().as('size')])
    .groupBy('segment')
    .execute();
  return new Map(rows.map((row) => [row.segment, Number(row.size)]));
}

export type RecalculationRow = {
  id: number;
  reason: 'daily' | 'definitions' | 'manual';
  local_day: string;
  definitions_hash: string;
  started_at: Date;
  finished_at: Date | null;
  entered: number | null;
  left: number | null;
  duration_ms: number | null;
};

export async function lastRecalculation(db: Db): Promise<RecalculationRow | undefined> {
  return db.selectFrom('segment_recalculations').selectAll().where('finished_at', 'is not', null).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function recentRecalculations(db: Db, limit: number): Promise<RecalculationRow[]> {
  return db.selectFrom('segment_recalculations').selectAll().orderBy('id', 'desc').limit(limit).execute();
}

export async function insertRecalculation(
  db: Db,
  row: { reason: RecalculationRow['reason']; localDay: string; definitionsHash: string; startedAt: Date },
): Promise<number> {
  const inserted = await db
    .insertInto('segment_recalculations')
    .values({ reason: row.reason, local_day: row.localDay, definitions_hash: row.definitionsHash, started_at: row.startedAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function finishRecalculation(db: Db, id: number, result: MembershipChange & { finishedAt: Date; durationMs: number }): Promise<void> {
  await db
    .updateTable('segment_recalculations')
    .set({ finished_at: result.finishedAt, entered: result.entered, left: result.left, duration_ms: result.durationMs })
    .where('id', '=', id)
    .execute();
}

// Segments kept current. A guest is re-evaluated at once (through the outbox `event` job) when something a
// condition reads changes: an order paid or returned, the profile edited, the phone confirmed, a scenario
// step that set a field or changed points. A full recalculation, set-based and one statement per segment,
// runs daily at the project's `segmentRecalculationTime` (rolling windows age without any event) and as soon
// as the segment definitions change. Entering and leaving are `enteredSegment`/`leftSegment` events.
import type { AppContext } from '../app-context.ts';
import { inTransaction, type Db } from '../db/database.ts';
import type { DomainEvent } from '../jobs/outbox.ts';
import type { ScenarioEvent, SegmentDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { localDate, localTime } from '../shared/time-zone.ts';
import * as repository from './segments.repository.ts';
import { dailyRecalculationDay, definitionsHash } from './schedule.ts';

type ConditionType = SegmentDefinition['conditions'][number]['type'];

/**
 * The events after which a guest's segments may differ, and the conditions each may change (a new guest:
 * all). Only segments with such a condition are re-evaluated; what no event announces (points adjusted by
 * an admin, a registration that grew old) waits for the daily recalculation.
 */
const CONDITIONS_CHANGED_BY: Partial<Record<ScenarioEvent, ReadonlySet<ConditionType> | 'all'>> = {
  customerRegistered: 'all',
  customerChanged: new Set<ConditionType>(['customField', 'phoneConfirmed']),
  phoneConfirmed: new Set<ConditionType>(['phoneConfirmed']),
  orderCreated: new Set<ConditionType>(['visitedVenue', 'pointsAvailable']),
  orderPaid: new Set<ConditionType>(['paidTotal', 'orderCount', 'pointsAvailable', 'visitedVenue']),
  orderReturned: new Set<ConditionType>(['paidTotal', 'orderCount', 'pointsAvailable']),
};

/** The segments an event may have changed for its guest. */
export function segmentsAffectedBy(project: ProjectSnapshot, event: ScenarioEvent): SegmentDefinition[] {
  const changed = CONDITIONS_CHANGED_BY[event];
  if (!changed) return [];
  if (changed === 'all') return project.definition.segments;
  return project.definition.segments.filter((segment) => segment.conditions.some((condition) => changed.has(condition.type)));
}

/**
 * How many times a scenario step may cause a re-evaluation that causes another segment event: a scenario
 * that sets a field a segment reads, whose entering runs a scenario that sets a field… stops here.
 */
export const MAX_CASCADE_DEPTH = 3;

export interface EvaluationCause {
  /** the event type or step that caused the evaluation */
  cause: string;
  /** 0 for operations and recalculations; one more for each scenario step in the chain */
  depth: number;
}

/** Re-evaluates one guest's membership of `segments` (all segments by default) in its own or the caller's transaction. */
export async function evaluateCustomerSegments(
  db: Db,
  project: ProjectSnapshot,
  customerId: number,
  now: Date,
  cause: EvaluationCause,
  segments: SegmentDefinition[] = project.definition.segments,
): Promise<repository.MembershipChange> {
  if (segments.length === 0) return { entered: 0, left: 0 };
  return inTransaction(db, async (trx) => {
    await repository.lockForCustomer(trx, customerId);
    return repository.applyMembership(trx, segments, { now, customerId, eventData: { ...cause } });
  });
}

/** The event job's part: re-evaluates the event's guest in the segments the event may have changed. */
export async function evaluateSegmentsForEvent(app: AppContext, event: DomainEvent): Promise<repository.MembershipChange | null> {
  const project = app.project.current;
  const segments = event.customerId ? segmentsAffectedBy(project, event.type) : [];
  if (segments.length === 0) return null;
  return evaluateCustomerSegments(app.db, project, event.customerId, app.now(), { cause: event.type, depth: 0 }, segments);
}

/** Segments whose conditions read a customer field or a balance type. */
export function segmentsDependingOn(project: ProjectSnapshot, change: { field?: string; balanceType?: string }): SegmentDefinition[] {
  return project.definition.segments.filter((segment) =>
    segment.conditions.some(
      (condition) =>
        (condition.type === 'customField' && condition.field === change.field) ||
        (condition.type === 'pointsAvailable' && condition.balanceType === change.balanceType),
    ),
  );
}

export type DependentEvaluation =
  | { status: 'none' }
  | { status: 'evaluated'; change: repository.MembershipChange }
  | { status: 'tooDeep'; segments: string[] };

/**
 * After a scenario step changed a field or a balance, re-evaluates the segments that read it, in the step's
 * transaction. `depth` is the depth of the event that started the scenario; the chain stops at MAX_CASCADE_DEPTH.
 */
export async function evaluateAfterStep(
  db: Db,
  project: ProjectSnapshot,
  customerId: number,
  now: Date,
  change: { field?: string; balanceType?: string; step: string },
  depth: number,
): Promise<DependentEvaluation> {
  const segments = segmentsDependingOn(project, change);
  if (segments.length === 0) return { status: 'none' };
  if (depth + 1 > MAX_CASCADE_DEPTH) return { status: 'tooDeep', segments: segments.map((segment) => segment.systemName) };
  const result = await evaluateCustomerSegments(db, project, customerId, now, { cause: change.step, depth: depth + 1 }, segments);
  return { status: 'evaluated', change: result };
}

/** The cascade depth an event carries (segment events caused by scenario steps). */
export function depthOf(event: DomainEvent): number {
  const depth = event.data?.depth;
  return typeof depth === 'number' && Number.isInteger(depth) && depth >= 0 ? depth : 0;
}

export async function isInSegment(db: Db, customerId: number, segment: string): Promise<boolean> {
  return repository.isMember(db, customerId, segment);
}

export async function segmentsOfCustomer(db: Db, customerId: number) {
  return repository.membershipOf(db, customerId);
}

/** Each guest's stored segments (a guest in none is absent). */
export async function segmentsOfCustomers(db: Db, customerIds: number[]): Promise<Map<number, string[]>> {
  return groupByCustomer(await repository.membershipOfCustomers(db, customerIds));
}

/** The segments these definitions would give each guest now, read only (a guest in none is absent). */
export async function wantedSegmentsOf(db: Db, segments: SegmentDefinition[], customerIds: number[], now: Date): Promise<Map<number, string[]>> {
  if (customerIds.length === 0) return new Map();
  return groupByCustomer(await repository.wantedMembership(db, segments, { now, customerId: null, customerIds, eventData: {} }));
}

function groupByCustomer(rows: { customer_id: number; segment: string }[]): Map<number, string[]> {
  const byCustomer = new Map<number, string[]>();
  for (const row of rows) (byCustomer.get(row.customer_id) ?? byCustomer.set(row.customer_id, []).get(row.customer_id)!).push(row.segment);
  return byCustomer;
}

/** Guests whose membership would differ under proposed definitions: see the repository. */
export const membershipDifferences = repository.membershipDifferences;
export type { MembershipDifference } from './segments.repository.ts';

export interface RecalculationReport {
  reason: 'daily' | 'definitions' | 'manual';
  localDay: string;
  entered: number;
  left: number;
  durationMs: number;
  /** computing the per-guest aggregates every segment shares (paid totals, points) */
  metricsMs: number;
  perSegment: Array<{ segment: string; entered: number; left: number; durationMs: number }>;
}

/**
 * Recalculates every segment for every guest: the aggregates the conditions read are computed once, then
 * one set-based statement per segment brings its membership up to date, all in one transaction
 * that excludes per-guest evaluations meanwhile. A `daily` run happens once per local day (a second caller,
 * in this or another process, finds the day taken and returns null); a `definitions` run only when the
 * membership was computed from other definitions.
 */
export async function recalculateAllSegments(
  db: Db,
  project: ProjectSnapshot,
  now: Date,
  reason: RecalculationReport['reason'],
): Promise<RecalculationReport | null> {
  const segments = project.definition.segments;
  const hash = definitionsHash(segments);
  const localDay = localDate(now, project.settings.timeZone);
  return inTransaction(db, async (trx) => {
    await repository.lockAllSegments(trx);
    const last = await repository.lastRecalculation(trx);
    if (reason === 'daily' && coversDay(last, localDay, project)) return null;
    if (reason === 'definitions' && last?.definitions_hash === hash) return null;
    const started = performance.now();
    const id = await repository.insertRecalculation(trx, { reason, localDay, definitionsHash: hash, startedAt: now });
    const report: RecalculationReport = { reason, localDay, entered: 0, left: 0, durationMs: 0, metricsMs: 0, perSegment: [] };
    const scope = { now, customerId: null, eventData: { cause: `${reason}Recalculation`, depth: 0 } };
    await repository.planForBulk(trx);
    const metrics = await repository.precomputeMetrics(trx, segments, scope);
    report.metricsMs = Math.round(performance.now() - started);
    for (const segment of segments) {
      const segmentStarted = performance.now();
      const change = await repository.applyMembership(trx, [segment], scope, metrics);
      report.entered += change.entered;
      report.left += change.left;
      report.perSegment.push({ segment: segment.systemName, ...change, durationMs: Math.round(performance.now() - segmentStarted) });
    }
    await repository.deleteMembershipExcept(trx, segments.map((segment) => segment.systemName));
    report.durationMs = Math.round(performance.now() - started);
    await repository.finishRecalculation(trx, id, { entered: report.entered, left: report.left, finishedAt: now, durationMs: report.durationMs });
    return report;
  });
}

/**
 * The periodic task's decision: recalculate now when the definitions changed since the last run (or there
 * was none), otherwise when today's daily run is due and not done.
 */
export async function runDueRecalculation(app: AppContext): Promise<RecalculationReport | null> {
  const project = app.project.current;
  const now = app.now();
  const last = await repository.lastRecalculation(app.db);
  if (last?.definitions_hash !== definitionsHash(project.definition.segments)) {
    return recalculateAllSegments(app.db, project, now, 'definitions');
  }
  const day = dailyRecalculationDay(now, project.settings);
  if (day === null || coversDay(last, day, project)) return null;
  return recalculateAllSegments(app.db, project, now, 'daily');
}

/** A run started on `day` at or after the scheduled time (whatever its reason) is that day's recalculation. */
function coversDay(run: repository.RecalculationRow | undefined, day: string, project: ProjectSnapshot): boolean {
  if (!run) return false;
  const started = new Date(run.started_at);
  const zone = project.settings.timeZone;
  return localDate(started, zone) === day && localTime(started, zone) >= project.settings.segmentRecalculationTime;
}

export interface SegmentOverview {
  systemName: string;
  name: string;
  size: number;
}

export async function segmentOverview(db: Db, project: ProjectSnapshot): Promise<SegmentOverview[]> {
  const sizes = await repository.segmentSizes(db);
  return project.definition.segments.map((segment) => ({ systemName: segment.systemName, name: segment.name, size: sizes.get(segment.systemName) ?? 0 }));
}

export async function recentRecalculations(db: Db, limit = 20) {
  const rows = await repository.recentRecalculations(db, limit);
  return rows.map((row) => ({
    id: row.id,
    reason: row.reason,
    localDay: row.local_day,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    entered: row.entered,
    left: row.left,
    durationMs: row.duration_ms,
    definitionsHash: row.definitions_hash,
  }));
}

// The points ledger's rules. Every change of a balance is one append-only entry naming its source and a
// reason a person can read; the balance row changes in the same transaction and is locked first
// (FOR UPDATE), so concurrent spends of one guest queue up instead of overdrawing.
//
// Points sit in lots (one per accrual or positive adjustment) with their activation and expiry. A spend
// takes the lots that expire first and records what it took from each (lot moves), so a refund puts the
// points back into the same lots with their original expiry. A negative balance is a debt: it is paid
// from the next points that arrive, and while it lasts no lot holds points.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { LedgerEntryKind, LedgerSource } from '../db/schema.ts';
import type { BalanceTypeDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { validationError } from '../shared/errors.ts';
import { fromNumeric, parseMinor, toDecimal, toNumericString } from '../shared/money.ts';
import { localDate } from '../shared/time-zone.ts';
import { pointScale, summarizeLots, type BalanceMinor } from './balances.ts';
import * as repository from './ledger.repository.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Who or what changes a balance: an operation (with its order), a scenario, an admin, or the system (expiry). */
export interface LedgerSourceRef {
  source: LedgerSource;
  /** the operation system name (source `operation`) */
  operation?: string | null;
  /** the admin's name or the scenario's system name */
  actor?: string | null;
  orderId?: number | null;
}

interface Lot {
  id: number;
  /** the entry that created the lot */
  entryId: number;
  orderId: number | null;
  activeFrom: Date;
  expiresAt: Date | null;
  /** balance type minor units */
  remaining: number;
}

/**
 * A guest's balance locked for the rest of the caller's transaction, with its lots, in minor units, expired
 * points already written off. Every change made through it keeps it current, so several changes of one
 * balance in one transaction (a spend and its answer, two accruals of one payment) lock and read it once.
 */
export interface LockedBalance {
  customerId: number;
  balanceType: BalanceTypeDefinition;
  scale: 0 | 2;
  timeZone: string;
  total: number;
  /** soonest expiry first, never-expiring last */
  lots: Lot[];
}

export class InsufficientPointsError extends Error {
  constructor(
    readonly requested: number,
    readonly available: number,
  ) {
    super(`not enough points: ${requested} requested, ${available} available`);
    this.name = 'InsufficientPointsError';
  }
}

const numeric = (units: number, scale: 0 | 2) => toNumericString(units, scale);

/** Expiry of points earned at `from` under a lifetime in days; null lifetime: never. */
export function expiryOf(from: Date, lifetimeDays: number | null): Date | null {
  return lifetimeDays === null ? null : new Date(from.getTime() + lifetimeDays * DAY_MS);
}

/** When points earned at `at` become spendable under the balance type's activation delay. */
export function activationOf(at: Date, balanceType: BalanceTypeDefinition): Date {
  return new Date(at.getTime() + balanceType.activationDelayHours * HOUR_MS);
}

async function lockBalance(db: Db, customerId: number, balanceType: BalanceTypeDefinition, timeZone: string): Promise<LockedBalance> {
  const scale = pointScale(balanceType);
  const locked = await repository.lockBalanceWithLots(db, customerId, balanceType.systemName);
  const total = fromNumeric(locked.total, scale);
  const lots = locked.lots.map((row) => ({
    id: row.id,
    entryId: row.entry_id,
    orderId: row.order_id,
    activeFrom: row.active_from,
    expiresAt: row.expires_at,
    remaining: fromNumeric(row.remaining, scale),
  }));
  return { customerId, balanceType, scale, timeZone, total, lots };
}

const isExpired = (lot: Lot, now: Date) => lot.expiresAt !== null && lot.expiresAt.getTime() <= now.getTime();
const isActive = (lot: Lot, now: Date) => lot.activeFrom.getTime() <= now.getTime() && !isExpired(lot, now);

function blockedOf(balance: LockedBalance, now: Date): number {
  return balance.lots.filter((lot) => !isActive(lot, now) && !isExpired(lot, now)).reduce((sum, lot) => sum + lot.remaining, 0);
}

/** What the locked guest may spend now: the total less the points not active yet (negative when in debt). */
export function availableOf(balance: LockedBalance, now: Date): number {
  return balance.total - blockedOf(balance, now);
}

/** The locked balance as the protocol shows it, without reading it again. */
export function balanceMinorOf(balance: LockedBalance, now: Date): BalanceMinor {
  return summarizeLots(balance.balanceType, balance.total, balance.lots, now, balance.timeZone);
}

/** Appends an entry with what it moves between lots (and the lot it opens), in one statement. */
async function appendEntry(
  db: Db,
  balance: LockedBalance,
  entry: { kind: LedgerEntryKind; amount: number; reason: string; at: Date; activeFrom?: Date | null; expiresAt?: Date | null; relatedEntryId?: number | null },
  source: LedgerSourceRef,
  effects: { moves?: repository.LotMove[]; createLot?: boolean } = {},
): Promise<{ entryId: number; lotId: number | null }> {
  const written = await repository.insertEntry(
    db,
    {
      customer_id: balance.customerId,
      balance_type: balance.balanceType.systemName,
      kind: entry.kind,
      amount: numeric(entry.amount, balance.scale),
      active_from: entry.activeFrom ?? null,
      expires_at: entry.expiresAt ?? null,
      order_id: source.orderId ?? null,
      source: source.source,
      operation: source.operation ?? null,
      actor: source.actor ?? null,
      reason: entry.reason,
      related_entry_id: entry.relatedEntryId ?? null,
      at: entry.at,
    },
    effects,
  );
  balance.total += entry.amount;
  return written;
}

/** Takes up to `amount` from the lots in the given order (in memory); returns the moves to write. */
function planTake(balance: LockedBalance, lots: Lot[], amount: number): repository.LotMove[] {
  const moves: repository.LotMove[] = [];
  let left = amount;
  for (const lot of lots) {
    if (left === 0) break;
    const taken = Math.min(left, lot.remaining);
    if (taken === 0) continue;
    lot.remaining -= taken;
    left -= taken;
    moves.push({ lotId: lot.id, amount: numeric(-taken, balance.scale) });
  }
  balance.lots = balance.lots.filter((lot) => lot.remaining > 0);
  return moves;
}

/** Lots in the order anything that takes points uses them: spendable ones by expiry, then the blocked ones. */
function takingOrder(balance: LockedBalance, now: Date): Lot[] {
  return [...balance.lots.filter((lot) => isActive(lot, now)), ...balance.lots.filter((lot) => !isActive(lot, now))];
}

/** While the balance is negative, the points that just arrived in lots pay the debt (on the same entry). */
async function settleDebt(db: Db, balance: LockedBalance, entryId: number, now: Date): Promise<void> {
  const inLots = balance.lots.reduce((sum, lot) => sum + lot.remaining, 0);
  const debt = inLots - balance.total;
  if (debt > 0) await repository.moveLots(db, entryId, planTake(balance, takingOrder(balance, now), Math.min(debt, inLots)));
}

/** Writes off every lot of the locked guest that is past its expiry, one entry per lot. */
async function expireLots(db: Db, balance: LockedBalance, now: Date): Promise<number> {
  let expired = 0;
  for (const lot of balance.lots.filter((candidate) => isExpired(candidate, now))) {
    const amount = lot.remaining;
    const expiresAt = lot.expiresAt!;
    await appendEntry(
      db,
      balance,
      { kind: 'expiry', amount: -amount, at: now, reason: `Сгорели баллы: срок действия истёк ${localDate(expiresAt, balance.timeZone)}` },
      { source: 'system', orderId: lot.orderId },
      { moves: planTake(balance, [lot], amount) },
    );
    expired += amount;
  }
  return expired;
}

/**
 * Locks a guest's balance for the rest of the transaction and writes off what has expired: the start of
 * every balance change. Pass the result to the changes that follow in the same transaction.
 */
export async function openBalance(db: Db, project: ProjectSnapshot, customerId: number, balanceType: BalanceTypeDefinition, now: Date): Promise<LockedBalance> {
  const balance = await lockBalance(db, customerId, balanceType, project.settings.timeZone);
  await expireLots(db, balance, now);
  return balance;
}

/** The balance a change works on: the one the caller locked already in this transaction, or a fresh lock. */
async function balanceFor(
  db: Db,
  project: ProjectSnapshot,
  input: { customerId: number; balanceType: BalanceTypeDefinition; now: Date },
  locked: LockedBalance | undefined,
): Promise<LockedBalance> {
  if (!locked) return openBalance(db, project, input.customerId, input.balanceType, input.now);
  if (locked.customerId !== input.customerId || locked.balanceType.systemName !== input.balanceType.systemName) {
    throw new Error(`the locked balance is ${locked.customerId}/${locked.balanceType.systemName}, not ${input.customerId}/${input.balanceType.systemName}`);
  }
  return locked;
}

export interface AccrualInput {
  customerId: number;
  balanceType: BalanceTypeDefinition;
  /** minor units, > 0 */
  amount: number;
  activeFrom: Date;
  expiresAt: Date | null;
  reason: string;
  now: Date;
}

/** Credits points as a new lot (blocked until `activeFrom`); a negative balance is paid off first. */
export async function accruePoints(db: Db, project: ProjectSnapshot, input: AccrualInput, source: LedgerSourceRef, locked?: LockedBalance): Promise<number> {
  assertPositive(input.amount);
  const balance = await balanceFor(db, project, input, locked);
  return addLot(db, balance, { ...input, kind: 'accrual' }, source);
}

async function addLot(
  db: Db,
  balance: LockedBalance,
  input: { kind: LedgerEntryKind; amount: number; activeFrom: Date; expiresAt: Date | null; reason: string; now: Date },
  source: LedgerSourceRef,
): Promise<number> {
  const { entryId, lotId } = await appendEntry(
    db,
    balance,
    { kind: input.kind, amount: input.amount, reason: input.reason, at: input.now, activeFrom: input.activeFrom, expiresAt: input.expiresAt },
    source,
    { createLot: true },
  );
  balance.lots.push({ id: lotId!, entryId, orderId: source.orderId ?? null, activeFrom: input.activeFrom, expiresAt: input.expiresAt, remaining: input.amount });
  sortLots(balance);
  await settleDebt(db, balance, entryId, input.now);
  return entryId;
}

function sortLots(balance: LockedBalance): void {
  const key = (lot: Lot) => lot.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  balance.lots.sort((a, b) => key(a) - key(b) || a.id - b.id);
}

export interface SpendInput {
  customerId: number;
  balanceType: BalanceTypeDefinition;
  /** minor units, > 0 */
  amount: number;
  reason: string;
  now: Date;
}

/** Spends points from the lots that expire first; throws InsufficientPointsError when the guest has less available. */
export async function spendPoints(db: Db, project: ProjectSnapshot, input: SpendInput, source: LedgerSourceRef, locked?: LockedBalance): Promise<number> {
  assertPositive(input.amount);
  const balance = await balanceFor(db, project, input, locked);
  const available = availableOf(balance, input.now);
  if (input.amount > available) throw new InsufficientPointsError(input.amount, Math.max(available, 0));
  const moves = planTake(balance, balance.lots.filter((lot) => isActive(lot, input.now)), input.amount);
  const { entryId } = await appendEntry(db, balance, { kind: 'spend', amount: -input.amount, reason: input.reason, at: input.now }, source, { moves });
  return entryId;
}

export interface OrderPointsInput {
  customerId: number;
  balanceType: BalanceTypeDefinition;
  orderId: number;
  /** minor units, > 0 */
  amount: number;
  reason: string;
  now: Date;
}

/**
 * Takes back points earned on an order: from what is left of the order's own lots first, then from the
 * guest's other points; what cannot be covered leaves the balance negative.
 */
export async function reverseAccrual(db: Db, project: ProjectSnapshot, input: OrderPointsInput, source: LedgerSourceRef, locked?: LockedBalance): Promise<number> {
  assertPositive(input.amount);
  const balance = await balanceFor(db, project, input, locked);
  const accruals = (await repository.entriesOfOrder(db, input.orderId, ['accrual'])).filter(
    (entry) => entry.balance_type === input.balanceType.systemName,
  );
  const accrualIds = new Set(accruals.map((entry) => entry.id));
  const own = balance.lots.filter((lot) => lot.orderId === input.orderId && accrualIds.has(lot.entryId)).reverse();
  const others = takingOrder(balance, input.now).filter((lot) => !own.includes(lot));
  const moves = planTake(balance, [...own, ...others], input.amount);
  const { entryId } = await appendEntry(
    db,
    balance,
    { kind: 'accrualReversal', amount: -input.amount, reason: input.reason, at: input.now, relatedEntryId: accruals.at(-1)?.id ?? null },
    { ...source, orderId: input.orderId },
    { moves },
  );
  return entryId;
}

/**
 * Gives back points spent on an order into the lots they were taken from, with their original expiry,
 * the most recently taken first. Points whose lot has expired meanwhile expire again at once.
 */
export async function refundSpend(db: Db, project: ProjectSnapshot, input: OrderPointsInput, source: LedgerSourceRef, locked?: LockedBalance): Promise<number> {
  assertPositive(input.amount);
  const balance = await balanceFor(db, project, input, locked);
  const entries = (await repository.entriesOfOrder(db, input.orderId, ['spend', 'spendRefund'])).filter(
    (entry) => entry.balance_type === input.balanceType.systemName,
  );
  const spends = entries.filter((entry) => entry.kind === 'spend');
  const moves = await repository.movesOfEntries(db, entries.map((entry) => entry.id));
  // per lot: what the order's spends took, less what its refunds already gave back
  const restorable = new Map<number, { amount: number; order: number; move: repository.LotMoveRow }>();
  moves.forEach((move, position) => {
    const amount = fromNumeric(move.amount, balance.scale);
    const current = restorable.get(move.lot_id) ?? { amount: 0, order: position, move };
    current.amount -= amount;
    if (amount < 0) current.order = position;
    restorable.set(move.lot_id, current);
  });
  const restores: repository.LotMove[] = [];
  let left = input.amount;
  for (const [lotId, lot] of [...restorable.entries()].sort((a, b) => b[1].order - a[1].order)) {
    if (left === 0) break;
    const amount = Math.min(left, lot.amount);
    if (amount <= 0) continue;
    restores.push({ lotId, amount: numeric(amount, balance.scale) });
    left -= amount;
    const open = balance.lots.find((candidate) => candidate.id === lotId);
    if (open) open.remaining += amount;
    else {
      const { move } = lot;
      balance.lots.push({ id: lotId, entryId: move.lot_entry_id, orderId: move.lot_order_id, activeFrom: move.active_from, expiresAt: move.expires_at, remaining: amount });
    }
  }
  if (left > 0) throw new Error(`refund of ${input.amount} exceeds what order ${input.orderId} spent`);
  sortLots(balance);
  const { entryId } = await appendEntry(
    db,
    balance,
    { kind: 'spendRefund', amount: input.amount, reason: input.reason, at: input.now, relatedEntryId: spends.at(-1)?.id ?? null },
    { ...source, orderId: input.orderId },
    { moves: restores },
  );
  await settleDebt(db, balance, entryId, input.now);
  await expireLots(db, balance, input.now);
  return entryId;
}

export interface BalanceChangeInput {
  customerId: number;
  balanceType: BalanceTypeDefinition;
  /** minor units, positive or negative, not 0 */
  amount: number;
  reason: string;
  now: Date;
  /** lifetime of added points; the balance type's lifetime when left out */
  lifetimeDays?: number | null;
}

/**
 * A manual or scenario change of a balance. Added points are active at once and expire after the
 * lifetime; taken points come from the lots that expire first, and the balance may go negative.
 */
export async function changeBalance(db: Db, project: ProjectSnapshot, input: BalanceChangeInput, source: LedgerSourceRef): Promise<number> {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) throw new RangeError(`a balance change is a non-zero integer, got ${input.amount}`);
  const balance = await openBalance(db, project, input.customerId, input.balanceType, input.now);
  if (input.amount > 0) {
    const lifetime = input.lifetimeDays === undefined ? input.balanceType.lifetimeDays : input.lifetimeDays;
    return addLot(
      db,
      balance,
      { kind: 'adjustment', amount: input.amount, activeFrom: input.now, expiresAt: expiryOf(input.now, lifetime), reason: input.reason, now: input.now },
      source,
    );
  }
  const moves = planTake(balance, takingOrder(balance, input.now), -input.amount);
  const { entryId } = await appendEntry(db, balance, { kind: 'adjustment', amount: input.amount, reason: input.reason, at: input.now }, source, { moves });
  return entryId;
}

export interface AdjustmentRequest {
  customerId: number;
  balanceType: BalanceTypeDefinition;
  /** points as a person writes them: 100, -50, 12.5 (fractional types only) */
  amount: number | string;
  reason: string;
  /** who made the change (admin name or token label) */
  actor: string;
  now?: Date;
}

/** An admin's manual change of a guest's balance, with a required reason. */
export async function adjustBalance(db: Db, project: ProjectSnapshot, request: AdjustmentRequest): Promise<{ entryId: number }> {
  const scale = pointScale(request.balanceType);
  const amount = parseMinor(request.amount, scale);
  const problems = [];
  if (amount === null || amount === 0) {
    problems.push({
      location: '/amount',
      message: scale === 0 ? 'give a non-zero whole number of points' : 'give a non-zero number of points with at most 2 decimals',
    });
  }
  if (typeof request.reason !== 'string' || request.reason.trim().length < 3) {
    problems.push({ location: '/reason', message: 'explain the change in a few words; the guest may ask about it' });
  }
  if (problems.length > 0) throw validationError(problems);
  const entryId = await changeBalance(
    db,
    project,
    { customerId: request.customerId, balanceType: request.balanceType, amount: amount!, reason: request.reason.trim(), now: request.now ?? new Date() },
    { source: 'admin', actor: request.actor },
  );
  return { entryId };
}

/**
 * Writes off expired points for up to `limit` guests, each in its own short transaction. Returns how
 * many guests it handled; run it again while that equals the limit.
 */
export async function expireDuePoints(db: Db, project: ProjectSnapshot, now: Date, limit = 200): Promise<number> {
  const due = await repository.balancesWithExpiredLots(db, now, limit);
  for (const { customer_id: customerId, balance_type: systemName } of due) {
    // a balance type removed from the project still expires its points, counted in hundredths
    const balanceType = project.balanceType(systemName) ?? { systemName, name: systemName, fractional: true, activationDelayHours: 0, lifetimeDays: null, refundSpentOnReturn: true };
    await db.transaction().execute((trx) => openBalance(trx, project, customerId, balanceType, now));
  }
  return due.length;
}

function assertPositive(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`a ledger amount is a positive integer, got ${amount}`);
}

export interface LedgerItem {
  id: number;
  at: string;
  balanceType: string;
  kind: LedgerEntryKind;
  /** decimal points, signed */
  amount: number;
  /** the balance of this balance type right after the change */
  balanceAfter: number;
  reason: string;
  source: LedgerSource;
  operation: string | null;
  actor: string | null;
  orderId: number | null;
  activeFrom: string | null;
  expiresAt: string | null;
}

/** A guest's ledger, newest first: every change of every balance, with its reason and source. */
export async function customerLedger(
  db: Db,
  project: ProjectSnapshot,
  customerId: number,
  options: { balanceType?: string; beforeId?: number; limit: number },
): Promise<LedgerItem[]> {
  const rows = await repository.entriesOfCustomer(db, customerId, options);
  return rows.map((row) => {
    const scale = project.balanceType(row.balance_type)?.fractional === false ? 0 : 2;
    const decimal = (value: string) => toDecimal(fromNumeric(value, scale), scale);
    return {
      id: row.id,
      at: row.at.toISOString(),
      balanceType: row.balance_type,
      kind: row.kind,
      amount: decimal(row.amount),
      balanceAfter: decimal(row.balance_after),
      reason: row.reason,
      source: row.source,
      operation: row.operation,
      actor: row.actor,
      orderId: row.order_id,
      activeFrom: row.active_from?.toISOString() ?? null,
      expiresAt: row.expires_at?.toISOString() ?? null,
    };
  });
}

/**
 * Points per local day and entry kind in [from, to) (the dashboard). With a venue, only the entries of orders
 * made there: adjustments and expiries belong to no order, so they are left out.
 */
export async function pointsPerDay(
  db: Db,
  query: { from: Date; to: Date; timeZone: string; balanceType?: string; pointOfContact?: string },
): Promise<{ day: string; kind: LedgerEntryKind; amount: string }[]> {
  if (!query.pointOfContact) return repository.pointsPerDay(db, query);
  let select = db
    .selectFrom('ledger_entries as e')
    .innerJoin('orders as o', 'o.id', 'e.order_id')
    .select([sql<string>`to_char((e.at at time zone ${query.timeZone})::date, 'YYYY-MM-DD')`.as('day'), 'e.kind', sql<string>`sum(e.amount)::text`.as('amount')])
    .where('o.point_of_contact', '=', query.pointOfContact)
    .where('e.at', '>=', query.from)
    .where('e.at', '<', query.to);
  if (query.balanceType) select = select.where('e.balance_type', '=', query.balanceType);
  // by position: the time zone is a parameter, so the same expression written twice would not match
  return select.groupBy([sql`1`, 'e.kind']).orderBy(sql`1`).execute();
}

/**
 * The guests whose balances changed by entries after `afterId` (at most `limit` entries, oldest first), and the
 * last entry read: what a watcher of balances (the Wallet pass updates) goes on from.
 */
export async function customersWithEntriesAfter(db: Db, afterId: number, limit: number): Promise<{ lastId: number; customerIds: number[] }> {
  const rows = await repository.entriesAfter(db, afterId, limit);
  return { lastId: rows.at(-1)?.id ?? afterId, customerIds: [...new Set(rows.map((row) => row.customer_id))] };
}

/** The newest ledger entry's id (0: none yet): where a new watcher of balances starts. */
export async function latestLedgerEntryId(db: Db): Promise<number> {
  return repository.latestEntryId(db);
}

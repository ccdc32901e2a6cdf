// A guest's balances as the protocol shows them (`balances[]`, `bonusPointsInfo[].balance`), computed
// from the ledger: the balance row's total, the lots that are not active yet (blocked) and the points
// that expire soonest. Lots past their expiry that the expiry task has not processed yet already count
// as gone, so a guest never sees points that can no longer be spent.
import type { Db } from '../db/database.ts';
import type { BalanceTypeDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { fromNumeric, toDecimal } from '../shared/money.ts';
import { localDate } from '../shared/time-zone.ts';
import * as repository from './ledger.repository.ts';

/** Decimal places of a balance type's points: whole points, or hundredths for fractional types. */
export function pointScale(balanceType: Pick<BalanceTypeDefinition, 'fractional'>): 0 | 2 {
  return balanceType.fractional ? 2 : 0;
}

/** A balance in the balance type's minor units (whole points, or hundredths of a point). */
export interface BalanceMinor {
  balanceType: BalanceTypeDefinition;
  total: number;
  available: number;
  blocked: number;
  /** the points that expire soonest: all of them that expire on the same local date */
  nearestExpiration: { total: number; expiresAt: Date; date: string } | null;
}

export interface WireBalance {
  systemName: string;
  balanceType: { ids: { systemName: string }; name: string };
  total: number;
  available: number;
  blocked: number;
  nearestExpiration?: { total: number; date: string };
}

/** Balances in minor units for the named balance types (unknown names are left out), in the order asked. */
export async function customerBalancesMinor(
  db: Db,
  project: ProjectSnapshot,
  customerId: number,
  balanceTypeSystemNames: string[],
  now: Date,
): Promise<BalanceMinor[]> {
  const types = balanceTypeSystemNames
    .map((name) => project.balanceType(name))
    .filter((type): type is BalanceTypeDefinition => type !== undefined);
  if (types.length === 0) return [];
  const rows = await repository.balancesWithLots(db, customerId, types.map((type) => type.systemName));
  return types.map((type) => summarize(type, rows.filter((row) => row.balance_type === type.systemName), now, project.settings.timeZone));
}

function summarize(type: BalanceTypeDefinition, rows: repository.BalanceWithLotsRow[], now: Date, timeZone: string): BalanceMinor {
  const scale = pointScale(type);
  const lots = rows
    .filter((row) => row.lot_id !== null && row.remaining !== null && row.active_from !== null)
    .map((row) => ({ activeFrom: row.active_from!, expiresAt: row.expires_at, remaining: fromNumeric(row.remaining!, scale) }));
  return summarizeLots(type, fromNumeric(rows[0]?.total ?? '0', scale), lots, now, timeZone);
}

/**
 * A balance from its total and its open lots (minor units, soonest expiry first, never-expiring last): lots
 * past their expiry count as gone, lots not active yet as blocked.
 */
export function summarizeLots(
  type: BalanceTypeDefinition,
  balanceTotal: number,
  lots: readonly { activeFrom: Date; expiresAt: Date | null; remaining: number }[],
  now: Date,
  timeZone: string,
): BalanceMinor {
  let total = balanceTotal;
  let blocked = 0;
  let nearest: { total: number; expiresAt: Date; date: string } | null = null;
  const at = now.getTime();
  for (const lot of lots) {
    const { remaining } = lot;
    if (lot.expiresAt !== null && lot.expiresAt.getTime() <= at) {
      total -= remaining;
      continue;
    }
    if (lot.activeFrom.getTime() > at) blocked += remaining;
    if (lot.expiresAt === null) continue;
    const date = localDate(lot.expiresAt, timeZone);
    // lots come soonest-expiring first, so the first date seen is the nearest one
    if (nearest === null) nearest = { total: remaining, expiresAt: lot.expiresAt, date };
    else if (nearest.date === date) nearest.total += remaining;
  }
  return { balanceType: type, total, available: total - blocked, blocked, nearestExpiration: nearest };
}

/** The balance in the protocol's shape: decimal points, `nearestExpiration` only when some points expire. */
export function toWireBalance(balance: BalanceMinor): WireBalance {
  const scale = pointScale(balance.balanceType);
  const points = (units: number) => toDecimal(units, scale);
  return {
    systemName: balance.balanceType.systemName,
    balanceType: { ids: { systemName: balance.balanceType.systemName }, name: balance.balanceType.name },
    total: points(balance.total),
    available: points(balance.available),
    blocked: points(balance.blocked),
    ...(balance.nearestExpiration === null
      ? {}
      : { nearestExpiration: { total: points(balance.nearestExpiration.total), date: balance.nearestExpiration.date } }),
  };
}

/** Wire-ready `balances[]` of a guest for the named balance types (e.g. the GetCustomer operation's settings). */
export async function customerBalances(
  db: Db,
  project: ProjectSnapshot,
  customerId: number,
  balanceTypeSystemNames: string[],
  now: Date,
): Promise<WireBalance[]> {
  return (await customerBalancesMinor(db, project, customerId, balanceTypeSystemNames, now)).map(toWireBalance);
}

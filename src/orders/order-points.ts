// Writes what an order's lines owe the ledger: the difference between the points the lines should have
// spent and earned now (their targets) and what the ledger holds for them, as few entries as possible,
// each with a reason a guest can be read out at the counter.
import type { Db } from '../db/database.ts';
import { distributeByLargestRemainder } from '../loyalty/distribute.ts';
import {
  accruePoints,
  activationOf,
  expiryOf,
  openBalance,
  refundSpend,
  reverseAccrual,
  spendPoints,
  type LedgerSourceRef,
  type LockedBalance,
} from '../loyalty/ledger.service.ts';
import type { BalanceTypeDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';

export interface LineEarning {
  /** the earning promotion's system name */
  promotion: string;
  name: string;
  /** balance type minor units */
  points: number;
  lifetimeDays: number | null;
}

/** Why the order's points change; it decides the wording of the ledger reasons. */
export type PointsOccasion = 'created' | 'updated' | 'paid' | 'returned' | 'cancelled';

export interface OrderPointsChange {
  orderId: number;
  customerId: number;
  balanceType: BalanceTypeDefinition;
  /** how a person names the order: its POS number, or its number here */
  orderRef: string;
  /** > 0: spend more; < 0: give back */
  spentDelta: number;
  /** > 0: credit; < 0: take back */
  earnedDelta: number;
  /** the earnings of the lines being credited, to split a credit by promotion and lifetime */
  earnings: LineEarning[];
  occasion: PointsOccasion;
  /** when the points were earned (the payment's time) */
  at: Date;
  now: Date;
  operation: string;
  /** the guest's balance when the caller locked it already in this transaction */
  balance?: LockedBalance;
}

const refundReason: Record<PointsOccasion, (ref: string) => string> = {
  created: (ref) => `Возврат списанных баллов по заказу ${ref}`,
  updated: (ref) => `Возврат списанных баллов: заказ ${ref} изменён`,
  paid: (ref) => `Возврат списанных баллов по заказу ${ref}`,
  returned: (ref) => `Возврат списанных баллов: возврат по заказу ${ref}`,
  cancelled: (ref) => `Возврат списанных баллов: заказ ${ref} отменён`,
};

const reversalReason: Record<PointsOccasion, (ref: string) => string> = {
  created: (ref) => `Отмена начисления по заказу ${ref}`,
  updated: (ref) => `Отмена начисления: заказ ${ref} изменён`,
  paid: (ref) => `Отмена начисления по заказу ${ref}`,
  returned: (ref) => `Отмена начисления: возврат по заказу ${ref}`,
  cancelled: (ref) => `Отмена начисления: заказ ${ref} отменён`,
};

/** Writes the order's points differences through one lock of the guest's balance; returns that balance (null when nothing changed). */
export async function applyOrderPoints(db: Db, project: ProjectSnapshot, change: OrderPointsChange): Promise<LockedBalance | null> {
  if (change.spentDelta === 0 && change.earnedDelta === 0) return change.balance ?? null;
  const source: LedgerSourceRef = { source: 'operation', operation: change.operation, orderId: change.orderId };
  const common = { customerId: change.customerId, balanceType: change.balanceType, now: change.now };
  const balance = change.balance ?? (await openBalance(db, project, change.customerId, change.balanceType, change.now));
  if (change.spentDelta > 0) {
    await spendPoints(db, project, { ...common, amount: change.spentDelta, reason: `Списано в оплату заказа ${change.orderRef}` }, source, balance);
  } else if (change.spentDelta < 0) {
    await refundSpend(db, project, { ...common, orderId: change.orderId, amount: -change.spentDelta, reason: refundReason[change.occasion](change.orderRef) }, source, balance);
  }
  if (change.earnedDelta < 0) {
    await reverseAccrual(db, project, { ...common, orderId: change.orderId, amount: -change.earnedDelta, reason: reversalReason[change.occasion](change.orderRef) }, source, balance);
  } else if (change.earnedDelta > 0) {
    for (const group of creditGroups(change.earnedDelta, change.earnings)) {
      await accruePoints(
        db,
        project,
        {
          ...common,
          amount: group.points,
          activeFrom: activationOf(change.at, change.balanceType),
          expiresAt: expiryOf(change.at, group.lifetimeDays === undefined ? change.balanceType.lifetimeDays : group.lifetimeDays),
          reason: `Начислено за заказ ${change.orderRef} (${group.names.join(', ')})`,
        },
        source,
        balance,
      );
    }
  }
  return balance;
}

/**
 * Splits a credit over the earning promotions in proportion to their points, then joins the promotions
 * whose points live equally long into one accrual (one lot, one expiry).
 */
function creditGroups(total: number, earnings: LineEarning[]): { points: number; lifetimeDays: number | null | undefined; names: string[] }[] {
  if (earnings.length === 0) return [{ points: total, lifetimeDays: undefined, names: ['начисление'] }];
  const shares = distributeByLargestRemainder(total, earnings.map((earning) => earning.points));
  const groups = new Map<string, { points: number; lifetimeDays: number | null; names: string[] }>();
  earnings.forEach((earning, index) => {
    if (shares[index] === 0) return;
    const key = String(earning.lifetimeDays);
    const group = groups.get(key) ?? { points: 0, lifetimeDays: earning.lifetimeDays, names: [] };
    group.points += shares[index];
    if (!group.names.includes(earning.name)) group.names.push(earning.name);
    groups.set(key, group);
  });
  return [...groups.values()];
}

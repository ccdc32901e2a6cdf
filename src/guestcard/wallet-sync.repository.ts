// SQL of the Wallet update task's position: how far it has read the ledger and the guests' changes (one row).
import type { Db } from '../db/database.ts';

export async function syncPosition(db: Db): Promise<{ ledger_entry_id: number; customers_since: Date } | undefined> {
  return db.selectFrom('wallet_sync').select(['ledger_entry_id', 'customers_since']).where('id', '=', 1).forUpdate().executeTakeFirst();
}

export async function saveSyncPosition(db: Db, position: { ledgerEntryId: number; customersSince: Date }): Promise<void> {
  await db
    .insertInto('wallet_sync')
    .values({ id: 1, ledger_entry_id: position.ledgerEntryId, customers_since: position.customersSince })
    .onConflict((oc) => oc.column('id').doUpdateSet({ ledger_entry_id: position.ledgerEntryId, customers_since: position.customersSince }))
    .execute();
}

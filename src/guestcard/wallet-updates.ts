// The updates of the guests' Wallet cards (decision 0023), found by a periodic task rather than by hooks in the
// ledger or the orders, which stay unaware of Wallet: every 5 s it reads the ledger entries after the last id it
// saw and the guests whose profile changed since its last run, and hands those guests to each configured wallet,
// which queues an update of the cards whose content changed, in the same transaction as the task's new position.
import type { AppContext } from '../app-context.ts';
import { customersChangedSince } from '../customers/customers.service.ts';
import { inTransaction, type Db } from '../db/database.ts';
import type { PeriodicTask } from '../jobs/types.ts';
import { customersWithEntriesAfter, latestLedgerEntryId } from '../loyalty/ledger.service.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { appleWalletOf, updateApplePasses } from './apple-wallet.service.ts';
import { googleWalletOf, updateGoogleObjects } from './google-wallet.service.ts';
import * as repository from './wallet-sync.repository.ts';

/** entries and guests read per run at most; a backlog is worked off over the next runs */
const SYNC_BATCH = 2000;
/** what the last run read is read again: a transaction that took an earlier id or time may commit after the run */
const RESCAN_ENTRIES = 200;
const RESCAN_MS = 60_000;

/** Each wallet's cards updated by a run. */
export interface WalletUpdates {
  apple: number;
  google: number;
}

/** The wallets configured: only their cards are looked at. */
export type Wallets = Record<keyof WalletUpdates, boolean>;

/**
 * Which wallets this server has. Their certificates and keys are read here, once: the start calls it in every role,
 * so a file that is missing or wrong stops the start rather than the first guest or the first update.
 */
export function walletsOf(app: Pick<AppContext, 'config' | 'secrets'>): Wallets {
  return { apple: appleWalletOf(app) !== null, google: googleWalletOf(app) !== null };
}

/** One run of the updates: the guests with ledger entries or profile changes since the last run, to each wallet. */
export async function syncWalletCards(db: Db, project: ProjectSnapshot, now: Date, wallets: Wallets): Promise<WalletUpdates> {
  return inTransaction(db, async (trx) => {
    const position = await repository.syncPosition(trx);
    if (!position) {
      // the first run starts from now: cards made before carry what they showed then
      await repository.saveSyncPosition(trx, { ledgerEntryId: await latestLedgerEntryId(trx), customersSince: now });
      return { apple: 0, google: 0 };
    }
    const entries = await customersWithEntriesAfter(trx, Math.max(0, position.ledger_entry_id - RESCAN_ENTRIES), SYNC_BATCH);
    const changed = await customersChangedSince(trx, new Date(new Date(position.customers_since).getTime() - RESCAN_MS), SYNC_BATCH);
    const customerIds = [...new Set([...entries.customerIds, ...changed.customerIds])];
    const updated = {
      apple: wallets.apple ? await updateApplePasses(trx, project, customerIds, now) : 0,
      google: wallets.google ? await updateGoogleObjects(trx, project, customerIds, now) : 0,
    };
    // a full batch of guests goes on from the last change read, so none is skipped
    const customersSince = changed.customerIds.length === SYNC_BATCH && changed.lastChange ? new Date(changed.lastChange) : now;
    await repository.saveSyncPosition(trx, { ledgerEntryId: Math.max(entries.lastId, position.ledger_entry_id), customersSince });
    return updated;
  });
}

export const walletUpdates: PeriodicTask = {
  name: 'wallet-updates',
  everyMs: 5000,
  run: async (app: AppContext) => {
    const wallets = walletsOf(app);
    if (!Object.values(wallets).some(Boolean)) return;
    const updated = await syncWalletCards(app.db, app.project.current, app.now(), wallets);
    if (Object.values(updated).some((count) => count > 0)) app.logger.info(updated, 'Wallet cards updated');
  },
};

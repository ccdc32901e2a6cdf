// Google Wallet loyalty objects of the guest's card (decision 0024): one object per guest, made on demand from
// what the card page shows and carried by the save link; and the updates: of the guests whose ledger or profile
// changed (found by wallet-updates.ts), each object whose content changed is sent to Google's API again (the
// `wallet.google-update` job).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { GoogleWalletConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { enqueueJob } from '../jobs/outbox.ts';
import { jobTopic } from '../jobs/topic.ts';
import { ParkJobError, type JobHandler } from '../jobs/types.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { loadGoogleSigner, loyaltyObject, saveLink, type GoogleSigner } from './google-pass.ts';
import { GoogleWalletApi } from './google-wallet-api.ts';
import * as repository from './google-wallet.repository.ts';
import { fingerprintOf, passContentOf } from './wallet-content.ts';

export interface GoogleWallet {
  signer: GoogleSigner;
  api: GoogleWalletApi;
  /** the origin the save link names (REGULARS_PUBLIC_URL's), when known */
  origin: string | null;
}

const wallets = new WeakMap<GoogleWalletConfig, GoogleWallet>();

/** The Google Wallet of this server, or null when it is not configured; the key is read once, the token kept. */
export function googleWalletOf(app: Pick<AppContext, 'config'>): GoogleWallet | null {
  const { google, publicUrl } = app.config.guestCard;
  if (!google) return null;
  let wallet = wallets.get(google);
  if (!wallet) {
    const signer = loadGoogleSigner(google);
    wallet = { signer, api: new GoogleWalletApi(signer), origin: publicUrl ? new URL(publicUrl).origin : null };
    wallets.set(google, wallet);
  }
  return wallet;
}

/** The save link of the guest's card (its object is recorded on the first one); null: the guest has no card number yet. */
export async function googleSaveLinkOfGuest(db: Db, wallet: GoogleWallet, project: ProjectSnapshot, customerId: number, now: Date): Promise<string | null> {
  const content = await passContentOf(db, project, customerId, now);
  if (!content) return null;
  const { config } = wallet.signer;
  const object =
    (await repository.objectOfCustomer(db, customerId)) ??
    (await repository.insertObject(db, { objectId: `${config.issuerId}.${randomUUID()}`, customerId, fingerprint: fingerprintOf(content), now }));
  return saveLink(wallet.signer, loyaltyObject({ objectId: object.object_id, classId: config.classId }, content), wallet.origin, now);
}

/** Guests who took the card's save link: the console's count (Google does not tell an issuer who saved it). */
export async function googleWalletHolders(db: Db): Promise<number> {
  return repository.countHolders(db);
}

export const googleUpdateTopic = jobTopic<{ objectId: string }>({
  name: 'wallet.google-update',
  payload: z.object({ objectId: z.string().min(1) }),
  retry: { maxAttempts: 10, firstRetryMs: 5000, maxRetryMs: 10 * 60_000 },
  describe: ({ objectId }) => `send Google Wallet object ${objectId} to Google`,
});

/** Sends the object as the card shows it now (not as it was when the job was queued): a late attempt is never stale. */
export const googleUpdateJob: JobHandler<{ objectId: string }> = async (app, { objectId }) => {
  const wallet = googleWalletOf(app);
  if (!wallet) return;
  const stored = await repository.objectById(app.db, objectId);
  const content = stored ? await passContentOf(app.db, app.project.current, stored.customer_id, app.now()) : null;
  // the guest is gone, or has no card any more: nothing to show
  if (!content) return;
  const outcome = await wallet.api.saveObject(loyaltyObject({ objectId, classId: wallet.signer.config.classId }, content), app.now());
  if (outcome.ok) return;
  if (!outcome.retry) throw new ParkJobError(outcome.reason);
  throw new Error(outcome.reason);
};

/** The objects of these guests whose content changed are marked and queued to be sent; returns how many. */
export async function updateGoogleObjects(trx: Db, project: ProjectSnapshot, customerIds: number[], now: Date): Promise<number> {
  let updated = 0;
  for (const object of await repository.objectsOfCustomers(trx, customerIds)) {
    const content = await passContentOf(trx, project, object.customer_id, now);
    if (!content) continue;
    const fingerprint = fingerprintOf(content);
    if (fingerprint === object.fingerprint) continue;
    await repository.markObjectChanged(trx, object.object_id, fingerprint, now);
    await enqueueJob(trx, googleUpdateTopic, { objectId: object.object_id });
    updated += 1;
  }
  return updated;
}

// Apple Wallet passes of the guest's card (decision 0023): one pass per guest, made on demand from what the card
// page shows; Apple's PassKit web service (devices register a pass with a push token, ask which passes changed,
// fetch the latest pass, unregister); and the updates: of the guests whose ledger or profile changed (found by
// wallet-updates.ts), each pass whose content changed is marked updated and a push is queued to its devices (the
// `wallet.apple-push` job), which then fetch it.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { AppleWalletConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { enqueueJob } from '../jobs/outbox.ts';
import { jobTopic } from '../jobs/topic.ts';
import type { JobHandler } from '../jobs/types.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { pushToDevices } from './apns.ts';
import { buildApplePass, loadAppleSigner, type AppleSigner } from './apple-pass.ts';
import { cardSettings } from './guestcard.service.ts';
import * as repository from './apple-wallet.repository.ts';
import { fingerprintOf, passContentOf, type PassContent } from './wallet-content.ts';

/** Where the PassKit web service lives under REGULARS_PUBLIC_URL; Apple appends /v1/… */
export const APPLE_WEB_SERVICE_PATH = '/card/wallet/apple';

export interface AppleWallet {
  signer: AppleSigner;
  webServiceURL: string;
  secrets: SecretBox;
}

const signers = new WeakMap<AppleWalletConfig, AppleSigner>();

/** The Apple Wallet of this server, or null when it is not configured; the certificates are read once. */
export function appleWalletOf(app: Pick<AppContext, 'config' | 'secrets'>): AppleWallet | null {
  const { apple, publicUrl } = app.config.guestCard;
  if (!apple || !publicUrl) return null;
  let signer = signers.get(apple);
  if (!signer) {
    signer = loadAppleSigner(apple);
    signers.set(apple, signer);
  }
  return { signer, webServiceURL: `${publicUrl}${APPLE_WEB_SERVICE_PATH}`, secrets: app.secrets };
}

/** The pass's authentication token: made from its serial number with the server's key, so it is stored nowhere. */
function passToken(wallet: AppleWallet, serialNumber: string): string {
  return wallet.secrets.mac(`apple-pass:${serialNumber}`);
}

function tokenMatches(wallet: AppleWallet, serialNumber: string, presented: string | null): boolean {
  if (!presented) return false;
  const expected = Buffer.from(passToken(wallet, serialNumber));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The guest's pass as it is now (made on the first download); null: the guest has no card number yet. */
export async function applePassOfGuest(db: Db, wallet: AppleWallet, project: ProjectSnapshot, customerId: number, now: Date): Promise<Buffer | null> {
  const content = await passContentOf(db, project, customerId, now);
  if (!content) return null;
  const pass =
    (await repository.passOfCustomer(db, customerId)) ??
    (await repository.insertPass(db, { serialNumber: randomUUID(), customerId, fingerprint: fingerprintOf(content), now }));
  return buildPass(wallet, pass.serial_number, content, project);
}

function buildPass(wallet: AppleWallet, serialNumber: string, content: PassContent, project: ProjectSnapshot): Buffer {
  return buildApplePass(wallet.signer, { serialNumber, authenticationToken: passToken(wallet, serialNumber), webServiceURL: wallet.webServiceURL }, content, cardSettings(project));
}

export type WebServiceAnswer<T = undefined> = { status: 'unauthorized' | 'notFound' } | { status: 'ok'; value: T };

/** A device registers a pass for updates: `created` the first time, `exists` again. */
export async function registerDevice(
  db: Db,
  wallet: AppleWallet,
  request: { deviceLibraryId: string; passTypeIdentifier: string; serialNumber: string; token: string | null; pushToken: string; now: Date },
): Promise<WebServiceAnswer<'created' | 'exists'>> {
  if (request.passTypeIdentifier !== wallet.signer.config.passTypeIdentifier || !tokenMatches(wallet, request.serialNumber, request.token)) return { status: 'unauthorized' };
  if (!(await repository.passBySerial(db, request.serialNumber))) return { status: 'notFound' };
  const created = await repository.register(db, request);
  return { status: 'ok', value: created ? 'created' : 'exists' };
}

export async function unregisterDevice(
  db: Db,
  wallet: AppleWallet,
  request: { deviceLibraryId: string; passTypeIdentifier: string; serialNumber: string; token: string | null },
): Promise<WebServiceAnswer> {
  if (request.passTypeIdentifier !== wallet.signer.config.passTypeIdentifier || !tokenMatches(wallet, request.serialNumber, request.token)) return { status: 'unauthorized' };
  await repository.unregister(db, request.deviceLibraryId, request.serialNumber);
  return { status: 'ok', value: undefined };
}

/** The serial numbers of the device's passes that changed after the tag (milliseconds), and the new tag; null: none. */
export async function updatedPasses(db: Db, deviceLibraryId: string, since: string | null): Promise<{ serialNumbers: string[]; lastUpdated: string } | null> {
  const after = since && /^\d{1,15}$/.test(since) ? new Date(Number(since)) : null;
  const passes = await repository.passesOfDevice(db, deviceLibraryId, after);
  if (passes.length === 0) return null;
  const last = Math.max(...passes.map((pass) => new Date(pass.updated_at).getTime()));
  return { serialNumbers: passes.map((pass) => pass.serial_number), lastUpdated: String(last) };
}

/** The latest version of a pass, for the device that holds it. */
export async function latestPass(
  db: Db,
  wallet: AppleWallet,
  project: ProjectSnapshot,
  request: { passTypeIdentifier: string; serialNumber: string; token: string | null; now: Date },
): Promise<WebServiceAnswer<{ pass: Buffer; lastModified: Date }>> {
  if (request.passTypeIdentifier !== wallet.signer.config.passTypeIdentifier || !tokenMatches(wallet, request.serialNumber, request.token)) return { status: 'unauthorized' };
  const stored = await repository.passBySerial(db, request.serialNumber);
  const content = stored ? await passContentOf(db, project, stored.customer_id, request.now) : null;
  if (!stored || !content) return { status: 'notFound' };
  return { status: 'ok', value: { pass: buildPass(wallet, stored.serial_number, content, project), lastModified: new Date(stored.updated_at) } };
}

/** Guests whose pass a device holds: the console's count. */
export async function applePassHolders(db: Db): Promise<number> {
  return repository.countHolders(db);
}

export const applePushTopic = jobTopic<{ serialNumber: string }>({
  name: 'wallet.apple-push',
  payload: z.object({ serialNumber: z.string().min(1) }),
  retry: { maxAttempts: 10, firstRetryMs: 5000, maxRetryMs: 10 * 60_000 },
  describe: ({ serialNumber }) => `push to the devices holding Apple Wallet pass ${serialNumber}`,
});

/** Tells every device holding the pass that it changed; devices that no longer have it are forgotten. */
export const applePushJob: JobHandler<{ serialNumber: string }> = async (app, { serialNumber }) => {
  const wallet = appleWalletOf(app);
  if (!wallet) return;
  const tokens = await repository.pushTokensOf(app.db, serialNumber);
  const { config, signerCert, signerKey, pushCa } = wallet.signer;
  const outcomes = await pushToDevices({ url: config.pushUrl, topic: config.passTypeIdentifier, cert: signerCert, key: signerKey, passphrase: config.keyPassphrase, ca: pushCa }, tokens);
  for (const [token, outcome] of outcomes) if (outcome === 'gone') await repository.forgetPushToken(app.db, token);
  const failed = [...outcomes.values()].filter((outcome) => outcome === 'failed').length;
  if (failed) throw new Error(`${failed} of ${tokens.length} pushes for a pass failed`);
};

/** The passes of these guests whose content changed are marked updated, and their devices get a push; returns how many. */
export async function updateApplePasses(trx: Db, project: ProjectSnapshot, customerIds: number[], now: Date): Promise<number> {
  let updated = 0;
  for (const pass of await repository.passesOfCustomers(trx, customerIds)) {
    const content = await passContentOf(trx, project, pass.customer_id, now);
    if (!content) continue;
    const fingerprint = fingerprintOf(content);
    if (fingerprint === pass.fingerprint) continue;
    await repository.markPassChanged(trx, pass.serial_number, fingerprint, now);
    if ((await repository.pushTokensOf(trx, pass.serial_number)).length) await enqueueJob(trx, applePushTopic, { serialNumber: pass.serial_number });
    updated += 1;
  }
  return updated;
}

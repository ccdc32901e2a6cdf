// The guest's card as a Google Wallet loyalty object, and the "save to Google Wallet" link: a JWT signed with the
// service account's key that carries the object, which Google creates when the guest saves it. The object shows
// what the Apple pass shows (the balance, the level and the way to the next, the guest's name, the card number as
// a QR code); the programme's name, logo and colour belong to the loyalty class, made in Google's console.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { GoogleWalletConfig } from '../config.ts';
import { signJwt } from './jwt.ts';
import { readSettingFile } from './setting-file.ts';
import type { PassContent } from './wallet-content.ts';

export interface GoogleSigner {
  config: GoogleWalletConfig;
  /** the service account's e-mail: the JWTs' issuer */
  serviceAccount: string;
  privateKey: KeyObject;
}

const SETTING = 'REGULARS_GOOGLE_KEY_FILE';

function parseKey(pem: string, path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`${SETTING}: ${path} holds no private key Node can read (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${SETTING}: the key in ${path} is ${key.asymmetricKeyType ?? 'not asymmetric'}; Google signs with RSA (RS256)`);
  return key;
}

/**
 * The service account's key, read once at start: Google's JSON key file (`client_email`, `private_key`) or a PEM
 * private key with REGULARS_GOOGLE_SERVICE_ACCOUNT. A file that is neither stops the start.
 */
export function loadGoogleSigner(config: GoogleWalletConfig): GoogleSigner {
  const text = readSettingFile(config.keyFile, SETTING).toString('utf8');
  if (text.trimStart().startsWith('{')) {
    let json: { client_email?: unknown; private_key?: unknown };
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${SETTING}: ${config.keyFile} is not valid JSON`);
    }
    if (typeof json.client_email !== 'string' || typeof json.private_key !== 'string') {
      throw new Error(`${SETTING}: ${config.keyFile} is not a service account's key file (it needs client_email and private_key)`);
    }
    if (config.serviceAccount && config.serviceAccount !== json.client_email) {
      throw new Error(`REGULARS_GOOGLE_SERVICE_ACCOUNT is ${config.serviceAccount}, but the key file ${config.keyFile} is ${json.client_email}'s`);
    }
    return { config, serviceAccount: json.client_email, privateKey: parseKey(json.private_key, config.keyFile) };
  }
  const privateKey = parseKey(text, config.keyFile);
  if (!config.serviceAccount) throw new Error(`${SETTING}: ${config.keyFile} is a PEM key: REGULARS_GOOGLE_SERVICE_ACCOUNT must name the service account's e-mail`);
  return { config, serviceAccount: config.serviceAccount, privateKey };
}

interface LoyaltyPoints {
  label: string;
  balance: { string: string };
}

/** The fields of Google's LoyaltyObject that Regulars writes: all of them every time, so what is gone is cleared. */
export interface LoyaltyObject {
  id: string;
  classId: string;
  state: 'ACTIVE';
  accountId: string;
  accountName?: string;
  loyaltyPoints: LoyaltyPoints;
  secondaryLoyaltyPoints?: LoyaltyPoints;
  textModulesData?: { id: string; header: string; body: string }[];
  barcode: { type: 'QR_CODE'; value: string; alternateText: string };
}

export function loyaltyObject(identity: { objectId: string; classId: string }, content: PassContent): LoyaltyObject {
  return {
    id: identity.objectId,
    classId: identity.classId,
    state: 'ACTIVE',
    accountId: content.cardNumber,
    ...(content.name ? { accountName: content.name } : {}),
    loyaltyPoints: { label: content.balanceLabel, balance: { string: content.balance } },
    ...(content.level ? { secondaryLoyaltyPoints: { label: 'Уровень', balance: { string: content.level } } } : {}),
    ...(content.nextLevel ? { textModulesData: [{ id: 'next', header: 'Следующий уровень', body: content.nextLevel }] } : {}),
    barcode: { type: 'QR_CODE', value: content.cardNumber, alternateText: content.cardNumber },
  };
}

const SAVE_URL = 'https://pay.google.com/gp/v/save/';

/** The link that saves the object to the guest's Google Wallet; `origin`: the page's origin, when it is known. */
export function saveLink(signer: GoogleSigner, object: LoyaltyObject, origin: string | null, now: Date): string {
  const claims = {
    iss: signer.serviceAccount,
    aud: 'google',
    typ: 'savetowallet',
    iat: Math.floor(now.getTime() / 1000),
    ...(origin ? { origins: [origin] } : {}),
    payload: { loyaltyObjects: [object] },
  };
  return `${SAVE_URL}${signJwt(claims, signer.privateKey)}`;
}

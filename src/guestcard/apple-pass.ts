// The guest's card as an Apple Wallet store card (.pkpass), made and signed by passkit-generator with the pass
// type certificate the operator configured: the balance and the level on the front, the card number as a QR code
// and a Code 128 barcode, the project's colours and title, and the web service that keeps it up to date.
import { PKPass } from 'passkit-generator';
import type { AppleWalletConfig } from '../config.ts';
import type { GuestCardSettings } from '../project/schemas.ts';
import { solidPng } from './png.ts';
import { readSettingFile } from './setting-file.ts';
import type { PassContent } from './wallet-content.ts';

export interface AppleSigner {
  config: AppleWalletConfig;
  wwdr: Buffer;
  signerCert: Buffer;
  signerKey: Buffer;
  pushCa: Buffer | null;
}

/** The certificates, read once at start: a missing file stops the start, not a guest's download. */
export function loadAppleSigner(config: AppleWalletConfig): AppleSigner {
  return {
    config,
    wwdr: readSettingFile(config.wwdrCertificateFile, 'REGULARS_APPLE_WWDR_CERT'),
    signerCert: readSettingFile(config.certificateFile, 'REGULARS_APPLE_PASS_CERT'),
    signerKey: readSettingFile(config.keyFile, 'REGULARS_APPLE_PASS_KEY'),
    pushCa: config.pushCaFile ? readSettingFile(config.pushCaFile, 'REGULARS_APPLE_PUSH_CA') : null,
  };
}

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

export interface PassIdentity {
  serialNumber: string;
  authenticationToken: string;
  webServiceURL: string;
}

export function buildApplePass(signer: AppleSigner, identity: PassIdentity, content: PassContent, style: GuestCardSettings): Buffer {
  const icon = solidPng(58, style.backgroundColor);
  const pass = new PKPass(
    { 'icon.png': solidPng(29, style.backgroundColor), 'icon@2x.png': icon, 'logo.png': solidPng(50, style.backgroundColor) },
    { wwdr: signer.wwdr, signerCert: signer.signerCert, signerKey: signer.signerKey, ...(signer.config.keyPassphrase ? { signerKeyPassphrase: signer.config.keyPassphrase } : {}) },
    {
      formatVersion: 1,
      passTypeIdentifier: signer.config.passTypeIdentifier,
      teamIdentifier: signer.config.teamIdentifier,
      serialNumber: identity.serialNumber,
      authenticationToken: identity.authenticationToken,
      webServiceURL: identity.webServiceURL,
      organizationName: content.title,
      description: content.title,
      logoText: content.title,
      backgroundColor: rgb(style.backgroundColor),
      foregroundColor: rgb(style.foregroundColor),
      labelColor: rgb(style.labelColor),
      sharingProhibited: true,
    },
  );
  pass.type = 'storeCard';
  pass.primaryFields.push({ key: 'balance', label: content.balanceLabel, value: content.balance, changeMessage: 'Баланс: %@' });
  if (content.level) pass.secondaryFields.push({ key: 'level', label: 'Уровень', value: content.level, changeMessage: 'Новый уровень: %@' });
  if (content.nextLevel) pass.secondaryFields.push({ key: 'next', label: 'Следующий уровень', value: content.nextLevel });
  if (content.name) pass.auxiliaryFields.push({ key: 'name', label: 'Гость', value: content.name });
  pass.backFields.push({ key: 'number', label: 'Номер карты', value: content.cardNumber });
  pass.setBarcodes(
    { format: 'PKBarcodeFormatQR', message: content.cardNumber, messageEncoding: 'iso-8859-1', altText: content.cardNumber },
    { format: 'PKBarcodeFormatCode128', message: content.cardNumber, messageEncoding: 'iso-8859-1', altText: content.cardNumber },
  );
  return pass.getAsBuffer();
}

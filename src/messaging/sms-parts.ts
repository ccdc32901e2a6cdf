// How many SMS a text takes, as an SMS centre bills it: GSM 03.38 (the 7-bit alphabet) when every character is
// in it, 160 septets in one SMS or 153 per part of a longer text (an extension character — € [ ] { } | ^ ~ \ and
// form feed — takes two); otherwise UCS-2, 70 UTF-16 units in one SMS or 67 per part. A part never ends inside an
// escape sequence or a surrogate pair, as the SMPP provider splits (providers/smpp.ts, `splitSms`).
// Pure and free of imports, so the console counts the parts of a text as it is typed.

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsPartsCount {
  encoding: SmsEncoding;
  /** septets (GSM-7, an extension character counted twice) or UTF-16 units (UCS-2) */
  length: number;
  /** SMS the text takes; 0 for an empty text */
  parts: number;
  /** what one SMS holds: 160 or 70 when the text fits one, 153 or 67 per part when split */
  perPart: number;
}

export const SMS_LIMITS = {
  'GSM-7': { single: 160, perPart: 153 },
  'UCS-2': { single: 70, perPart: 67 },
} as const satisfies Record<SmsEncoding, { single: number; perPart: number }>;

/** Counts the SMS a text takes. */
export function smsParts(text: string): SmsPartsCount {
  const septets = gsmSeptets(text);
  const encoding: SmsEncoding = septets ? 'GSM-7' : 'UCS-2';
  // each character's size in the encoding's units, so that a part is never cut inside one
  const units = septets ?? [...text].map((character) => character.length);
  const length = units.reduce((sum, size) => sum + size, 0);
  const limits = SMS_LIMITS[encoding];
  if (length === 0) return { encoding, length, parts: 0, perPart: limits.single };
  if (length <= limits.single) return { encoding, length, parts: 1, perPart: limits.single };
  let parts = 1;
  let filled = 0;
  for (const size of units) {
    if (filled + size > limits.perPart) {
      parts += 1;
      filled = 0;
    }
    filled += size;
  }
  return { encoding, length, parts, perPart: limits.perPart };
}

/** The septets of each character in GSM 03.38, or null when a character is not in it. */
function gsmSeptets(text: string): number[] | null {
  const sizes: number[] = [];
  for (const character of text) {
    if (GSM_BASIC.has(character)) sizes.push(1);
    else if (GSM_EXTENSION.has(character)) sizes.push(2);
    else return null;
  }
  return sizes;
}

// The last error of a parked job as the console and the command line show it. Errors come from gateways,
// receivers and the database, whose texts may quote what they were sent: a phone number, or the text of an SMS
// with a one-time code in it. Whatever looks like either is masked.
import { maskPhone } from '../shared/mask-phone.ts';

/** Ten or more digits, possibly written with spaces, dashes, dots or brackets between them, as phones are. */
const PHONE_LIKE = /(?<![\w-])\+?\d(?:[\s().-]*\d){9,}(?![\w-])/g;
/** Four to eight digits standing alone, as codes are (not part of a word, an address, a port, a date or an id). */
const CODE_LIKE = /(?<![\w.:/-])\d{4,8}(?![\w.:/-])/g;

export function shownError(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(PHONE_LIKE, (phone) => maskPhone(phone)).replace(CODE_LIKE, '••••');
}

// Phone numbers as the POS and the console type them (numbers or strings, any punctuation, with or without the
// country code) to the one stored form: the international number's digits, without the plus (7 900 … for
// Russia, 7 701 … for Kazakhstan, 375 29 … for Belarus). Numbers are read and checked by libphonenumber-js with
// its `mobile` metadata, which knows only the mobile numbers of each country: a number no SMS can reach
// (+7 000 …, a landline, a toll-free line) is refused. A number without a country code is read in the project's
// default country (`settings.defaultCountry`), so `8 900 …` is Russian and `8 029 …` Belarusian where those are
// the default.
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/mobile';

export type { CountryCode };

/** Digits with the usual punctuation, an optional leading plus: nothing else is read as a phone. */
const PHONE_TEXT = /^\+?[\d\s()\-.]+$/;

function typedText(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  return PHONE_TEXT.test(text) ? text : null;
}

/**
 * The numbers a typed text may mean, most likely first. With a plus it is international. Without one it is
 * either international without the plus (what the iiko plugin sends: 79001234567, a JSON number at times) or
 * a national number of the default country (8 900 …, 900 …): the first reading that is a mobile number wins.
 */
function readings(text: string, defaultCountry: CountryCode): (PhoneNumber | undefined)[] {
  if (text.startsWith('+')) return [parsePhoneNumberFromString(text)];
  return [parsePhoneNumberFromString(`+${text.replace(/\D/g, '')}`), parsePhoneNumberFromString(text, defaultCountry)];
}

const storedForm = (phone: PhoneNumber) => phone.number.slice(1);

/** A mobile number in its stored form, or null when the value is not one. */
export function normalizePhone(value: unknown, defaultCountry: CountryCode): string | null {
  const text = typedText(value);
  if (!text) return null;
  const mobile = readings(text, defaultCountry).find((phone) => phone?.isValid());
  return mobile ? storedForm(mobile) : null;
}

/**
 * A phone typed to look something up (a guest, the SMS sent to a number), in the stored form: a mobile number
 * as `normalizePhone` reads it, else any number of a length its country can have, so that guests and messages
 * saved before numbers were checked are still found.
 */
export function phoneForLookup(value: unknown, defaultCountry: CountryCode): string | null {
  const mobile = normalizePhone(value, defaultCountry);
  if (mobile) return mobile;
  const text = typedText(value);
  const possible = text ? readings(text, defaultCountry).find((phone) => phone?.isPossible()) : undefined;
  return possible ? storedForm(possible) : null;
}

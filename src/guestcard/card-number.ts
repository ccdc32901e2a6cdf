// Card numbers the card page gives a guest who has none: the project's prefix, random digits from the CSPRNG
// and a Luhn check digit, so a number typed at the till with one digit wrong is not another guest's.
import { randomInt } from 'node:crypto';

function luhnDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i += 1) {
    let digit = Number(payload[payload.length - 1 - i]);
    // from the right, every other digit starting with the one next to the check digit is doubled
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLuhnValid(number: string): boolean {
  return /^\d{2,}$/.test(number) && luhnDigit(number.slice(0, -1)) === Number(number.at(-1));
}

export function newCardNumber(format: { cardNumberPrefix: string; cardNumberLength: number }): string {
  let payload = format.cardNumberPrefix;
  while (payload.length < format.cardNumberLength - 1) payload += String(randomInt(0, 10));
  return payload + String(luhnDigit(payload));
}

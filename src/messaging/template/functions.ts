// The standard functions of templates, with Quokka's names, argument orders and 1-based indexes
// (decision 0104). Names are matched case-insensitively, as Quokka does.

import { dateFormatProblem, formatDateTime, toDate } from './dates.ts';
import type { Expression, Fail } from './syntax.ts';
import { display, isTrue, plainDigits, toNumber } from './values.ts';

interface TemplateFunction {
  readonly name: string;
  /** how many arguments it takes, or the counts it accepts */
  readonly arity: number | readonly number[];
  readonly returns: 'string' | 'number' | 'boolean' | 'date';
  readonly invoke: (args: readonly unknown[]) => unknown;
  /** refuses literal arguments that cannot work (a bad format, a start index of 0) */
  readonly check?: (args: readonly Expression[], fail: Fail) => void;
  /** the first argument must be a date (or a text holding one) */
  readonly takesDate?: boolean;
}

const DECIMAL_FORMAT = /^([NnFf])(\d{0,2})$/;

const FUNCTIONS = new Map<string, TemplateFunction>(
  (
    [
      { name: 'IsEmpty', arity: 1, returns: 'boolean', invoke: ([value]) => isEmpty(value) },
      {
        name: 'FormatDecimal',
        arity: 2,
        returns: 'string',
        invoke: ([value, format]) => formatDecimal(value, format),
        check: ([, format], fail) => {
          if (format.kind === 'literal' && !(typeof format.value === 'string' && DECIMAL_FORMAT.test(format.value))) {
            fail(`unsupported FormatDecimal format ${JSON.stringify(format.value)}: use N0…N99 (grouped) or F0…F99`, format.start);
          }
        },
      },
      { name: 'Forms', arity: 4, returns: 'string', invoke: ([quantity, one, few, many]) => pluralForm(quantity, one, few, many) },
      {
        name: 'AppendForms',
        arity: 4,
        returns: 'string',
        invoke: ([quantity, one, few, many]) => {
          const form = pluralForm(quantity, one, few, many);
          return form ? `${display(quantity)} ${form}` : '';
        },
      },
      { name: 'ToUpper', arity: 1, returns: 'string', invoke: ([value]) => display(value).toUpperCase() },
      { name: 'ToLower', arity: 1, returns: 'string', invoke: ([value]) => display(value).toLowerCase() },
      { name: 'Capitalize', arity: 1, returns: 'string', invoke: ([value]) => capitalizeWords(value, 1) },
      { name: 'CapitalizeAllWords', arity: 1, returns: 'string', invoke: ([value]) => capitalizeWords(value, Infinity) },
      { name: 'ReplaceIfEmpty', arity: 2, returns: 'string', invoke: ([value, fallback]) => (isEmpty(display(value)) ? display(fallback) : display(value)) },
      { name: 'If', arity: 3, returns: 'string', invoke: ([condition, then, otherwise]) => display(isTrue(condition) ? then : otherwise) },
      { name: 'Length', arity: 1, returns: 'number', invoke: ([value]) => Array.from(display(value)).length },
      {
        name: 'Substring',
        arity: [2, 3],
        returns: 'string',
        invoke: ([value, start, length]) => substring(value, start, length),
        check: ([, start, length], fail) => {
          requireLiteral(start, (n) => Number.isInteger(n) && n >= 1, 'the start of Substring counts from 1', fail);
          if (length) requireLiteral(length, (n) => Number.isInteger(n) && n >= 1, 'the length of Substring is a whole number from 1', fail);
        },
      },
      {
        name: 'Truncate',
        arity: 2,
        returns: 'string',
        invoke: ([value, length]) => truncate(value, length),
        check: ([, length], fail) => requireLiteral(length, (n) => n >= 5, 'Truncate cannot shorten a text to fewer than 5 characters', fail),
      },
      { name: 'Floor', arity: 1, returns: 'number', invoke: ([value]) => mapNumber(value, Math.floor) },
      { name: 'Ceiling', arity: 1, returns: 'number', invoke: ([value]) => mapNumber(value, Math.ceil) },
      {
        name: 'FormatDateTime',
        arity: 2,
        returns: 'string',
        takesDate: true,
        invoke: ([value, format]) => formatDateTime(value, format),
        check: ([, format], fail) => {
          if (format.kind !== 'literal') return;
          const problem = typeof format.value === 'string' ? dateFormatProblem(format.value) : 'a format is a text such as "dd.MM.yyyy"';
          if (problem) fail(`unsupported FormatDateTime format ${JSON.stringify(format.value)}: ${problem}`, format.start);
        },
      },
      { name: 'AddDays', arity: 2, returns: 'date', takesDate: true, invoke: ([value, days]) => addMilliseconds(value, days, 86_400_000) },
      { name: 'AddHours', arity: 2, returns: 'date', takesDate: true, invoke: ([value, hours]) => addMilliseconds(value, hours, 3_600_000) },
      { name: 'GetDay', arity: 1, returns: 'number', takesDate: true, invoke: ([value]) => mapDate(value, (date) => date.getUTCDate()) },
      { name: 'GetMonth', arity: 1, returns: 'number', takesDate: true, invoke: ([value]) => mapDate(value, (date) => date.getUTCMonth() + 1) },
      { name: 'GetYear', arity: 1, returns: 'number', takesDate: true, invoke: ([value]) => mapDate(value, (date) => date.getUTCFullYear()) },
    ] satisfies TemplateFunction[]
  ).map((definition) => [definition.name.toLowerCase(), definition]),
);

/** The standard function of that name, in any case (`IF`, `if` and `If` are one function). */
export function findFunction(name: string): TemplateFunction | undefined {
  return FUNCTIONS.get(name.toLowerCase());
}

function requireLiteral(argument: Expression, valid: (value: number) => boolean, rule: string, fail: Fail): void {
  if (argument.kind === 'literal' && !(typeof argument.value === 'number' && valid(argument.value))) fail(rule, argument.start);
}

function mapNumber(value: unknown, map: (number: number) => number): number | null {
  const number = toNumber(value);
  return number === null ? null : map(number);
}

function mapDate<T>(value: unknown, map: (date: Date) => T): T | null {
  const date = toDate(value);
  return date === null ? null : map(date);
}

/** Upper-cases the first letter of the first `words` words, separated by spaces (repeated spaces collapse, as in Quokka). */
function capitalizeWords(value: unknown, words: number): string {
  return display(value)
    .split(' ')
    .filter((word) => word !== '')
    .map((word, index) => (index < words ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(' ');
}

/** 1-based, in characters (not UTF-16 units); a start or length past the end gives what is there. */
function substring(value: unknown, start: unknown, length: unknown): string {
  const from = toNumber(start);
  const count = length === undefined ? Infinity : toNumber(length);
  if (from === null || count === null || from < 1 || count < 0) return '';
  return Array.from(display(value))
    .slice(Math.floor(from) - 1, Math.floor(from) - 1 + count)
    .join('');
}

/** Quokka's Truncate: a text longer than `length` is cut at a word boundary where it can be, with "..." (the result fits `length`). */
function truncate(value: unknown, length: unknown): string {
  const text = display(value);
  const limit = toNumber(length);
  const characters = Array.from(text);
  if (limit === null || limit < 5 || characters.length <= limit) return text;
  const kept = characters.slice(0, Math.floor(limit) - 3);
  const lastWord = kept.join('').split(' ').filter(Boolean).pop() ?? '';
  if (Array.from(lastWord).length === 1) kept.pop();
  while (kept.length > 0 && !/[\p{L}\p{N}]/u.test(kept[kept.length - 1])) kept.pop();
  return `${kept.join('')}...`;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/**
 * `N<k>`: k decimals, thousands grouped with a plain space, decimal comma (1234.5 → "1 234,50" with N2).
 * `F<k>`: the same without grouping. Halves round away from zero, like .NET decimals. The space is a
 * plain one rather than the no-break space of the Russian culture: the latter is not in the GSM
 * alphabet and would force a whole SMS into UCS-2.
 */
function formatDecimal(value: unknown, format: unknown): string {
  const number = toNumber(value);
  if (number === null) return '';
  const match = typeof format === 'string' ? DECIMAL_FORMAT.exec(format) : null;
  if (!match) return display(number);
  const decimals = match[2] === '' ? 2 : Number(match[2]);
  const { negative, whole, fraction } = roundHalfAwayFromZero(number, decimals);
  const grouped = match[1].toUpperCase() === 'N' ? whole.replace(/\B(?=(\d{3})+$)/g, ' ') : whole;
  const zero = /^0*$/.test(whole + fraction);
  return `${negative && !zero ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
}

function roundHalfAwayFromZero(value: number, decimals: number): { negative: boolean; whole: string; fraction: string } {
  const [whole, fraction] = plainDigits(Math.abs(value));
  const padded = fraction.padEnd(decimals + 1, '0');
  let scaled = BigInt(whole + padded.slice(0, decimals));
  if (padded[decimals] >= '5') scaled += 1n;
  const digits = scaled.toString().padStart(decimals + 1, '0');
  return { negative: value < 0, whole: digits.slice(0, digits.length - decimals), fraction: digits.slice(digits.length - decimals) };
}

/**
 * Russian plural form: 1, 21, 101 → one; 2–4, 22–24 → few; 0, 5–20, 25–30, 111–114 → many.
 * A fractional quantity is first rounded to an integer (half to even, as Quokka's Convert.ToInt32).
 */
function pluralForm(quantity: unknown, one: unknown, few: unknown, many: unknown): string {
  const number = toNumber(quantity);
  if (number === null) return '';
  const rounded = Math.abs(roundHalfToEven(number));
  const lastTwo = rounded % 100;
  const last = rounded % 10;
  if (lastTwo >= 11 && lastTwo <= 14) return display(many);
  if (last === 1) return display(one);
  if (last >= 2 && last <= 4) return display(few);
  return display(many);
}

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function addMilliseconds(value: unknown, amount: unknown, unit: number): Date | null {
  const date = toDate(value);
  const number = toNumber(amount);
  if (date === null || number === null) return null;
  const moved = new Date(date.getTime() + Math.round(number * unit));
  return Number.isNaN(moved.getTime()) ? null : moved;
}

// What the operation log keeps of a request or answer: phones, e-mails, card numbers and one-time codes masked,
// secrets dropped, very large bodies cut down to a summary. A decoded body is written as JSON text by a walk with
// a stack of its own, so no nesting overflows the call stack, and nothing here throws after a call committed. A
// body that could not be decoded is kept as its first characters with every long number and e-mail masked.
import { maskPhone } from '../../shared/mask-phone.ts';

const PHONE_KEY = /phone/i;
const CODE_KEY = /^(code|authentificationCode|authenticationCode|password|secretKey|secret|token)$/i;
const EMAIL_KEY = /e-?mail/i;
const CARD_KEY = /card/i;
/** A status says what happened, never who: it stays readable under any of the names above. */
const STATUS_KEY = /^(processingStatus|status)$/;
const MAX_LOGGED_CHARS = 64 * 1024;
const EXCERPT_CHARS = 2048;
/** Deeper than this the log shows a marker: the decoder refuses such bodies, so only an answer could get there. */
const MAX_LOGGED_DEPTH = 64;

/** A card number or another identifier: its first character and last two. */
function maskIdentifier(value: string): string {
  if (value.length <= 4) return '***';
  return `${value.slice(0, 1)}******${value.slice(-2)}`;
}

/** `anna@example.ru` → `a***@***.ru`: enough to tell two apart in a list, not to write to anyone. */
function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return maskIdentifier(value);
  const domain = value.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${value.slice(0, 1)}***@***${dot < 0 ? '' : domain.slice(dot)}`;
}

/** What a value is, by the nearest name above it that says (`discountCard: {ids: {number}}` is a card). */
type Sensitive = 'phone' | 'email' | 'code' | 'card' | null;

function sensitivityOf(key: string, around: Sensitive): Sensitive {
  if (CODE_KEY.test(key)) return 'code';
  if (PHONE_KEY.test(key)) return 'phone';
  if (EMAIL_KEY.test(key)) return 'email';
  if (CARD_KEY.test(key)) return 'card';
  return around;
}

function masked(value: string, sensitive: Sensitive): string {
  if (sensitive === 'code') return '***';
  if (sensitive === 'phone') return maskPhone(value);
  if (sensitive === 'email') return maskEmail(value);
  if (sensitive === 'card') return maskIdentifier(value);
  return value;
}

/** The JSON text of a value that is not a container, or null for a container. */
function primitiveText(value: unknown, sensitive: Sensitive): string | null {
  if (typeof value === 'string') return JSON.stringify(masked(value, sensitive));
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'null';
    return sensitive ? JSON.stringify(masked(String(value), sensitive)) : String(value);
  }
  if (typeof value === 'bigint') return JSON.stringify(masked(value.toString(), sensitive));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'null' : JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') return null;
  return 'null';
}

const omitted = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

type Step = { close: string } | { value: unknown; prefix: string; sensitive: Sensitive; depth: number };

/** `value` as masked JSON, up to `maxChars` characters: complete false when it was cut there. */
function maskedJson(value: unknown, maxChars: number): { text: string; complete: boolean } {
  const parts: string[] = [];
  let length = 0;
  // each step writes one value with its key and separator, or closes a container
  const steps: Step[] = [{ value, prefix: '', sensitive: null, depth: 0 }];
  while (steps.length > 0) {
    if (length > maxChars) return { text: parts.join('').slice(0, maxChars), complete: false };
    const step = steps.pop()!;
    if ('close' in step) {
      parts.push(step.close);
      length += 1;
      continue;
    }
    const { value: item, prefix, sensitive, depth } = step;
    const simple = primitiveText(item, sensitive);
    const text =
      simple !== null ? simple : depth >= MAX_LOGGED_DEPTH ? `"[nested deeper than ${MAX_LOGGED_DEPTH} levels]"` : null;
    if (text !== null) {
      parts.push(prefix + text);
      length += prefix.length + text.length;
      continue;
    }
    const container = item as object;
    const isList = Array.isArray(container);
    const children: Step[] = [];
    if (isList) {
      for (const child of container) {
        children.push({ value: omitted(child) ? null : child, prefix: children.length ? ',' : '', sensitive, depth: depth + 1 });
      }
    } else {
      for (const [name, child] of Object.entries(container)) {
        if (omitted(child)) continue;
        const childSensitive = STATUS_KEY.test(name) && typeof child === 'string' ? null : sensitivityOf(name, sensitive);
        children.push({ value: child, prefix: `${children.length ? ',' : ''}${JSON.stringify(name)}:`, sensitive: childSensitive, depth: depth + 1 });
      }
    }
    parts.push(prefix + (isList ? '[' : '{'));
    length += prefix.length + 1;
    steps.push({ close: isList ? ']' : '}' });
    for (let index = children.length - 1; index >= 0; index--) steps.push(children[index]);
  }
  return { text: parts.join(''), complete: length <= maxChars };
}

/** The JSON text the operation log stores for a body. It never throws: what cannot be written is said so. */
export function forLog(value: unknown): string {
  try {
    const whole = maskedJson(value ?? null, MAX_LOGGED_CHARS);
    if (whole.complete) return whole.text;
    return JSON.stringify({ truncated: true, moreThanChars: MAX_LOGGED_CHARS, excerpt: whole.text.slice(0, EXCERPT_CHARS) });
  } catch {
    return JSON.stringify({ notLogged: 'the body could not be written for the log' });
  }
}

/** Runs of characters an e-mail is written with; the ones holding an @ are masked (a pattern for the e-mail itself would try every start of a long word to its end). */
const WORD_IN_TEXT = /[^\s"'<>{}()[\],;:]+/g;
/** A run of at least four digits, with the spaces, dashes, dots, brackets and plus signs phones are written with. */
const NUMBER_IN_TEXT = /\+?\d(?:[\s().-]{0,3}\d){3,}/g;
const CODE_NAMES = 'code|authentificationCode|authenticationCode|password|secretKey|secret|token';
const CODE_IN_JSON = new RegExp(`("(?:${CODE_NAMES})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"?|[^,}\\]\\s]*)`, 'gi');
const CODE_IN_XML = new RegExp(`(<(?:${CODE_NAMES})(?:\\s[^>]*)?>)([^<]*)`, 'gi');

/**
 * A text that could not be decoded (or a parser's message about it), as the log may keep it: its first
 * characters, every e-mail masked, every run of four digits or more masked (phones, cards, codes — and dates
 * and amounts with them), and the values of code and password fields hidden.
 */
export function maskRawText(text: string): string {
  return text
    .slice(0, EXCERPT_CHARS)
    .replace(CODE_IN_JSON, '$1"***"')
    .replace(CODE_IN_XML, '$1***')
    .replace(WORD_IN_TEXT, (word) => (word.includes('@') ? maskEmail(word) : word))
    .replace(NUMBER_IN_TEXT, (digits) => (digits.replace(/\D/g, '').length >= 10 ? maskPhone(digits) : '***'));
}

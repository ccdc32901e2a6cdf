// Lexing one instruction of a template (the part between `${` or `@{` and its `}`) into tokens.

import type { Fail } from './syntax.ts';

export interface Token {
  readonly type: 'identifier' | 'number' | 'string' | 'symbol' | 'end';
  readonly text: string;
  readonly value: string | number;
  readonly start: number;
  readonly end: number;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?/y;
const SYMBOLS = ['!=', '<=', '>=', '(', ')', ',', '.', '&', '+', '-', '*', '/', '=', '<', '>', '|'];
/** Words that cannot name a variable. */
export const RESERVED = new Set(['and', 'or', 'not', 'null', 'true', 'false', 'in', 'if', 'else', 'end', 'for', 'set']);

/** The tokens from `from` up to and including the closing `}`, and the offset after it. */
export function tokenizeInstruction(source: string, from: number, opening: number, fail: Fail): { tokens: Token[]; next: number } {
  const tokens: Token[] = [];
  let at = from;
  while (at < source.length) {
    const char = source[at];
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    if (char === '}') {
      tokens.push({ type: 'end', text: '}', value: '}', start: at, end: at + 1 });
      return { tokens, next: at + 1 };
    }
    if (char === '"' || char === "'") {
      const close = source.indexOf(char, at + 1);
      if (close < 0) fail('unterminated string', at);
      tokens.push({ type: 'string', text: source.slice(at, close + 1), value: source.slice(at + 1, close), start: at, end: close + 1 });
      at = close + 1;
      continue;
    }
    const word = matchAt(IDENTIFIER, source, at);
    if (word) {
      tokens.push({ type: 'identifier', text: word, value: word, start: at, end: at + word.length });
      at += word.length;
      continue;
    }
    const digits = matchAt(NUMBER, source, at);
    if (digits) {
      tokens.push({ type: 'number', text: digits, value: Number(digits), start: at, end: at + digits.length });
      at += digits.length;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => source.startsWith(candidate, at));
    if (!symbol) fail(`unexpected character '${String.fromCodePoint(source.codePointAt(at) ?? 0)}'`, at);
    tokens.push({ type: 'symbol', text: symbol, value: symbol, start: at, end: at + symbol.length });
    at += symbol.length;
  }
  return fail(`unclosed ${source.slice(opening, opening + 2)}`, opening);
}

function matchAt(pattern: RegExp, source: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(source)?.[0] ?? null;
}

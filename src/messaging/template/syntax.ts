// The syntax tree every stage of a template shares (parser → checker → renderer), and the error that
// points at a line and a column of the source.

import { AppError } from '../../shared/errors.ts';

/** A syntax error, an unknown parameter or an unknown function; `line` and `column` are 1-based. */
export class TemplateError extends AppError {
  readonly reason: string;
  readonly line: number;
  readonly column: number;

  constructor(reason: string, line: number, column: number) {
    const message = `${reason} at line ${line}, column ${column}`;
    super('validation', message, { validationMessages: [{ message }] });
    this.name = 'TemplateError';
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

export type BinaryOperator = 'or' | 'and' | '=' | '!=' | '<' | '>' | '<=' | '>=' | '&' | '+' | '-' | '*' | '/';

/** `start`/`end` are offsets in the source; errors point at `start`. */
export type Expression = { readonly start: number; readonly end: number } & (
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'member'; readonly target: Expression; readonly name: string }
  | { readonly kind: 'method'; readonly target: Expression; readonly name: string; readonly args: readonly Expression[] }
  | { readonly kind: 'function'; readonly name: string; readonly args: readonly Expression[] }
  | { readonly kind: 'not' | 'negate'; readonly operand: Expression }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: Expression; readonly right: Expression }
);

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly expression: Expression }
  | { readonly kind: 'if'; readonly branches: readonly { condition: Expression; body: readonly TemplateNode[] }[]; readonly otherwise: readonly TemplateNode[] }
  | { readonly kind: 'for'; readonly variable: string; readonly variableAt: number; readonly collection: Expression; readonly body: readonly TemplateNode[] }
  | { readonly kind: 'set'; readonly variable: string; readonly variableAt: number; readonly value: Expression };

export interface CompiledTemplate {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
}

/** Throws a TemplateError pointing at an offset of the source. */
export type Fail = (reason: string, offset: number) => never;

/** The Fail of one source: offsets become 1-based lines and columns (a column counts characters, not UTF-16 units). */
export function failureAt(source: string): Fail {
  return (reason, offset) => {
    const before = source.slice(0, offset);
    const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
    const line = (before.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
    const column = Array.from(before.slice(lineStart)).length + 1;
    throw new TemplateError(reason, line, column);
  };
}

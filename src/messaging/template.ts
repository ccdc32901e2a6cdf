// Message templates in the Mindbox/Quokka language: `${expr}` prints, `@{if}`/`@{for}`/`@{set}` control,
// `@{* … *}` comments. A template is compiled once (syntax, parameter paths and functions are checked
// against a schema, so a typo is refused when the template is saved) and rendered many times; rendering
// never throws, whatever the data: a missing value prints as an empty string.
//
// Dates are wall-clock values, as .NET's DateTime is in Quokka: a `date` parameter holds a JS Date whose
// UTC fields are the local date and time (`wallClockDate` in shared/time-zone.ts makes one from an instant and a time zone), or a
// `YYYY-MM-DD[THH:mm[:ss]]` text. The template never applies a time zone itself.

import { AppError } from '../shared/errors.ts';

// ---------------------------------------------------------------------------------------------------
// Public API

/** What a parameter holds: a scalar, an object with named members, a collection, or a method. */
export type ParameterType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'date'
  | { readonly fields: ParameterSchema }
  | { readonly items: ParameterType }
  | { readonly arguments: readonly string[]; readonly returns: ParameterType };

/** The parameters a template may use, by root name (`Recipient`, `Order`, …). Names are case-sensitive. */
export interface ParameterSchema {
  readonly [name: string]: ParameterType;
}

/** The recipient of a mailing, as Mindbox names it (the misspelling `AuthentificationCode` is the real name). */
export const RECIPIENT_PARAMETERS: ParameterSchema = {
  Recipient: {
    fields: {
      FirstName: 'string',
      LastName: 'string',
      MiddleName: 'string',
      MobilePhone: 'string',
      Email: 'string',
      BirthDate: 'date',
      AuthentificationCode: 'string',
      MobilePhoneConfirmationCode: 'string',
      /** when the code this message carries expires, local to the project (not a Mindbox name) */
      CodeExpiresAt: 'date',
      GetBonusPointsAccount: {
        arguments: ['balanceTypeSystemName'],
        returns: { fields: { Available: 'number', Blocked: 'number', Total: 'number' } },
      },
    },
  },
};

/** A syntax error, an unknown parameter or an unknown function; `line` and `column` are 1-based. */
export class TemplateError extends AppError {
  readonly reason: string;
  readonly line: number;
  readonly column: number;

  constructor(reason: string, line: number, column: number) {
    const message = `${reason} at line ${line}, column ${column}`;
    super('validation', message, [{ message }]);
    this.name = 'TemplateError';
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

export interface CompiledTemplate {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
}

export function compileTemplate(source: string, options: { parameters: ParameterSchema }): CompiledTemplate {
  const fail = failureAt(source);
  const nodes = buildTree(scan(source, fail), fail);
  checkNodes(nodes, new StaticScope(null), options.parameters, source, fail);
  return { source, nodes };
}

export function renderTemplate(template: CompiledTemplate, context: Record<string, unknown>): string {
  const output: string[] = [];
  renderNodes(template.nodes, new Scope(null), context, output);
  return output.join('');
}

// ---------------------------------------------------------------------------------------------------
// Syntax tree

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

type Fail = (reason: string, offset: number) => never;

function failureAt(source: string): Fail {
  return (reason, offset) => {
    const before = source.slice(0, offset);
    const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
    const line = (before.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
    const column = Array.from(before.slice(lineStart)).length + 1;
    throw new TemplateError(reason, line, column);
  };
}

// ---------------------------------------------------------------------------------------------------
// Lexing one instruction (the part between `${` or `@{` and its `}`)

interface Token {
  readonly type: 'identifier' | 'number' | 'string' | 'symbol' | 'end';
  readonly text: string;
  readonly value: string | number;
  readonly start: number;
  readonly end: number;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?/y;
const SYMBOLS = ['!=', '<=', '>=', '(', ')', ',', '.', '&', '+', '-', '*', '/', '=', '<', '>', '|'];
const RESERVED = new Set(['and', 'or', 'not', 'null', 'true', 'false', 'in', 'if', 'else', 'end', 'for', 'set']);

function tokenizeInstruction(source: string, from: number, opening: number, fail: Fail): { tokens: Token[]; next: number } {
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

// ---------------------------------------------------------------------------------------------------
// Parsing expressions. Precedence, lowest first: or; and; not; comparisons; &; + -; * /; unary minus;
// member access and calls. `&` sits below arithmetic as in Visual Basic: `"x" & 1 + 2` is "x3".

class InstructionParser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly fail: Fail,
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  take(): Token {
    const token = this.tokens[this.index];
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  isKeyword(word: string, token = this.peek()): boolean {
    return token.type === 'identifier' && token.text.toLowerCase() === word;
  }

  isSymbol(symbol: string, token = this.peek()): boolean {
    return token.type === 'symbol' && token.text === symbol;
  }

  expectSymbol(symbol: string): Token {
    if (!this.isSymbol(symbol)) this.unexpected(`'${symbol}'`);
    return this.take();
  }

  expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) this.unexpected(`'${word}'`);
    return this.take();
  }

  expectVariableName(): Token {
    const token = this.peek();
    if (token.type !== 'identifier' || RESERVED.has(token.text.toLowerCase())) this.unexpected('a variable name');
    return this.take();
  }

  expectEnd(): number {
    const token = this.peek();
    if (token.type !== 'end') this.fail(`unexpected ${describe(token)}, expected '}'`, token.start);
    return token.end;
  }

  unexpected(expected: string): never {
    const token = this.peek();
    return this.fail(`expected ${expected}, found ${describe(token)}`, token.start);
  }

  parseExpression(): Expression {
    return this.parseOr();
  }

  private parseOr(): Expression {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.take();
      left = binary('or', left, this.parseAnd());
    }
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseNot();
    while (this.isKeyword('and')) {
      this.take();
      left = binary('and', left, this.parseNot());
    }
    return left;
  }

  private parseNot(): Expression {
    if (!this.isKeyword('not')) return this.parseComparison();
    const start = this.take().start;
    const operand = this.parseNot();
    return { kind: 'not', operand, start, end: operand.end };
  }

  private parseComparison(): Expression {
    const left = this.parseConcatenation();
    const token = this.peek();
    const operator = ['=', '!=', '<', '>', '<=', '>='].find((symbol) => this.isSymbol(symbol, token));
    if (!operator) return left;
    this.take();
    return binary(operator as BinaryOperator, left, this.parseConcatenation());
  }

  private parseConcatenation(): Expression {
    let left = this.parseAdditive();
    while (this.isSymbol('&')) {
      this.take();
      left = binary('&', left, this.parseAdditive());
    }
    return left;
  }

  private parseAdditive(): Expression {
    let left = this.parseMultiplicative();
    while (this.isSymbol('+') || this.isSymbol('-')) {
      const operator = this.take().text as BinaryOperator;
      left = binary(operator, left, this.parseMultiplicative());
    }
    return left;
  }

  private parseMultiplicative(): Expression {
    let left = this.parseUnary();
    while (this.isSymbol('*') || this.isSymbol('/')) {
      const operator = this.take().text as BinaryOperator;
      left = binary(operator, left, this.parseUnary());
    }
    return left;
  }

  private parseUnary(): Expression {
    if (!this.isSymbol('-')) return this.parsePostfix();
    const start = this.take().start;
    const operand = this.parseUnary();
    return { kind: 'negate', operand, start, end: operand.end };
  }

  private parsePostfix(): Expression {
    const token = this.peek();
    if (token.type === 'number' || token.type === 'string') {
      this.take();
      return { kind: 'literal', value: token.value, start: token.start, end: token.end };
    }
    let expression: Expression;
    if (this.isSymbol('(')) {
      this.take();
      expression = this.parseExpression();
      this.expectSymbol(')');
    } else if (token.type === 'identifier') {
      const lower = token.text.toLowerCase();
      if (lower === 'null' || lower === 'true' || lower === 'false') {
        this.take();
        const value = lower === 'null' ? null : lower === 'true';
        return { kind: 'literal', value, start: token.start, end: token.end };
      }
      // `if` is a keyword, and also the function If(condition, then, else)
      if (RESERVED.has(lower) && !(lower === 'if' && this.isSymbol('(', this.peek(1)))) this.unexpected('an expression');
      this.take();
      if (this.isSymbol('(')) {
        const { args, end } = this.parseArguments();
        expression = { kind: 'function', name: token.text, args, start: token.start, end };
      } else {
        expression = { kind: 'name', name: token.text, start: token.start, end: token.end };
      }
    } else {
      return this.unexpected('an expression');
    }
    while (this.isSymbol('.')) {
      this.take();
      const member = this.peek();
      if (member.type !== 'identifier') this.unexpected('a member name');
      this.take();
      if (this.isSymbol('(')) {
        const { args, end } = this.parseArguments();
        expression = { kind: 'method', target: expression, name: member.text, args, start: expression.start, end };
      } else {
        expression = { kind: 'member', target: expression, name: member.text, start: expression.start, end: member.end };
      }
    }
    return expression;
  }

  private parseArguments(): { args: Expression[]; end: number } {
    this.expectSymbol('(');
    const args: Expression[] = [];
    if (!this.isSymbol(')')) {
      args.push(this.parseExpression());
      while (this.isSymbol(',')) {
        this.take();
        args.push(this.parseExpression());
      }
    }
    return { args, end: this.expectSymbol(')').end };
  }

  /** `expr | Function(args)` passes the value as the first argument (Quokka filter chain). */
  parseOutput(): Expression {
    let expression = this.parseExpression();
    while (this.isSymbol('|')) {
      this.take();
      const name = this.peek();
      if (name.type !== 'identifier') this.unexpected('a function name');
      this.take();
      const { args, end } = this.isSymbol('(') ? this.parseArguments() : { args: [], end: name.end };
      expression = { kind: 'function', name: name.text, args: [expression, ...args], start: name.start, end };
    }
    return expression;
  }
}

function binary(operator: BinaryOperator, left: Expression, right: Expression): Expression {
  return { kind: 'binary', operator, left, right, start: left.start, end: right.end };
}

function describe(token: Token): string {
  return token.type === 'end' ? "'}'" : `'${token.text}'`;
}

// ---------------------------------------------------------------------------------------------------
// Scanning the template into text, outputs and control instructions, then nesting the blocks

type Instruction =
  | { readonly type: 'text'; text: string }
  | { readonly type: 'output'; readonly expression: Expression }
  | { readonly type: 'if' | 'else if'; readonly condition: Expression; readonly at: number }
  | { readonly type: 'else' | 'end if' | 'end for'; readonly at: number }
  | { readonly type: 'for'; readonly variable: string; readonly variableAt: number; readonly collection: Expression; readonly at: number }
  | { readonly type: 'set'; readonly variable: string; readonly variableAt: number; readonly value: Expression; readonly at: number };

function scan(source: string, fail: Fail): Instruction[] {
  const instructions: Instruction[] = [];
  const addText = (text: string) => {
    if (!text) return;
    const last = instructions[instructions.length - 1];
    if (last?.type === 'text') last.text += text;
    else instructions.push({ type: 'text', text });
  };
  let at = 0;
  while (at < source.length) {
    const opening = findOpening(source, at);
    if (opening < 0) {
      addText(source.slice(at));
      break;
    }
    addText(source.slice(at, opening));
    if (source.startsWith('@{*', opening)) {
      const close = source.indexOf('*}', opening + 3);
      if (close < 0) fail('unclosed comment @{*', opening);
      at = close + 2;
      continue;
    }
    const { tokens, next } = tokenizeInstruction(source, opening + 2, opening, fail);
    const parser = new InstructionParser(tokens, fail);
    if (source[opening] === '$') {
      if (parser.peek().type === 'end') fail('empty ${}', opening);
      const expression = parser.parseOutput();
      parser.expectEnd();
      instructions.push({ type: 'output', expression });
    } else {
      instructions.push(parseControl(parser, opening, fail));
      parser.expectEnd();
    }
    at = next;
  }
  return instructions;
}

function findOpening(source: string, from: number): number {
  for (let at = from; at < source.length - 1; at += 1) {
    if ((source[at] === '$' || source[at] === '@') && source[at + 1] === '{') return at;
  }
  return -1;
}

function parseControl(parser: InstructionParser, at: number, fail: Fail): Instruction {
  const keyword = parser.peek();
  if (keyword.type !== 'identifier') return fail(`expected if, else, end, for or set after @{, found ${describe(keyword)}`, keyword.start);
  switch (keyword.text.toLowerCase()) {
    case 'if':
      parser.take();
      return { type: 'if', condition: parser.parseExpression(), at };
    case 'else':
      parser.take();
      if (!parser.isKeyword('if')) return { type: 'else', at };
      parser.take();
      return { type: 'else if', condition: parser.parseExpression(), at };
    case 'end':
      parser.take();
      if (parser.isKeyword('if')) {
        parser.take();
        return { type: 'end if', at };
      }
      if (parser.isKeyword('for')) {
        parser.take();
        return { type: 'end for', at };
      }
      return parser.unexpected("'if' or 'for' after 'end'");
    case 'for': {
      parser.take();
      const variable = parser.expectVariableName();
      parser.expectKeyword('in');
      return { type: 'for', variable: variable.text, variableAt: variable.start, collection: parser.parseExpression(), at };
    }
    case 'set': {
      parser.take();
      const variable = parser.expectVariableName();
      parser.expectSymbol('=');
      return { type: 'set', variable: variable.text, variableAt: variable.start, value: parser.parseExpression(), at };
    }
    default:
      return fail(`unknown instruction @{${keyword.text}}`, keyword.start);
  }
}

function buildTree(instructions: readonly Instruction[], fail: Fail): TemplateNode[] {
  let index = 0;

  function block(closers: readonly string[]): { nodes: TemplateNode[]; closer: Instruction | null } {
    const nodes: TemplateNode[] = [];
    while (index < instructions.length) {
      const instruction = instructions[index];
      index += 1;
      if (closers.includes(instruction.type)) return { nodes, closer: instruction };
      switch (instruction.type) {
        case 'text':
          nodes.push({ kind: 'text', text: instruction.text });
          break;
        case 'output':
          nodes.push({ kind: 'output', expression: instruction.expression });
          break;
        case 'set':
          nodes.push({ kind: 'set', variable: instruction.variable, variableAt: instruction.variableAt, value: instruction.value });
          break;
        case 'if':
          nodes.push(ifBlock(instruction.condition, instruction.at));
          break;
        case 'for': {
          const body = block(['end for']);
          if (!body.closer) fail('@{for} is not closed with @{end for}', instruction.at);
          nodes.push({ kind: 'for', variable: instruction.variable, variableAt: instruction.variableAt, collection: instruction.collection, body: body.nodes });
          break;
        }
        case 'end for':
          return fail('@{end for} without a matching @{for}', instruction.at);
        default:
          return fail(`@{${instruction.type}} without a matching @{if}`, instruction.at);
      }
    }
    return { nodes, closer: null };
  }

  function ifBlock(firstCondition: Expression, at: number): TemplateNode {
    const branches: { condition: Expression; body: TemplateNode[] }[] = [];
    let condition = firstCondition;
    for (;;) {
      const { nodes, closer } = block(['else if', 'else', 'end if']);
      branches.push({ condition, body: nodes });
      if (!closer) return fail('@{if} is not closed with @{end if}', at);
      if (closer.type === 'end if') return { kind: 'if', branches, otherwise: [] };
      if (closer.type === 'else if') {
        condition = closer.condition;
        continue;
      }
      const rest = block(['else if', 'else', 'end if']);
      if (!rest.closer) return fail('@{if} is not closed with @{end if}', at);
      if (rest.closer.type !== 'end if') return fail(`@{${rest.closer.type}} after @{else}`, 'at' in rest.closer ? rest.closer.at : at);
      return { kind: 'if', branches, otherwise: rest.nodes };
    }
  }

  return block([]).nodes;
}

// ---------------------------------------------------------------------------------------------------
// Checking parameter paths and functions against the schema

type StaticType = ParameterType | 'null' | 'any';

class StaticScope {
  readonly variables = new Map<string, StaticType>();

  constructor(readonly parent: StaticScope | null) {}

  find(name: string): StaticScope | null {
    for (let scope: StaticScope | null = this; scope; scope = scope.parent) {
      if (scope.variables.has(name)) return scope;
    }
    return null;
  }
}

function checkNodes(nodes: readonly TemplateNode[], scope: StaticScope, schema: ParameterSchema, source: string, fail: Fail): void {
  const typeOf = (expression: Expression) => staticType(expression, scope, schema, source, fail);
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        break;
      case 'output':
        typeOf(node.expression);
        break;
      case 'if':
        for (const branch of node.branches) {
          typeOf(branch.condition);
          checkNodes(branch.body, new StaticScope(scope), schema, source, fail);
        }
        checkNodes(node.otherwise, new StaticScope(scope), schema, source, fail);
        break;
      case 'for': {
        const collection = typeOf(node.collection);
        if (collection !== 'any' && !(typeof collection === 'object' && 'items' in collection)) {
          fail(`${pathText(node.collection, source)} is not a collection`, node.collection.start);
        }
        refuseParameterName(node.variable, node.variableAt, schema, fail);
        const body = new StaticScope(scope);
        body.variables.set(node.variable, collection === 'any' ? 'any' : collection.items);
        checkNodes(node.body, body, schema, source, fail);
        break;
      }
      case 'set': {
        refuseParameterName(node.variable, node.variableAt, schema, fail);
        const type = typeOf(node.value);
        const owner = scope.find(node.variable);
        if (owner) {
          const previous = owner.variables.get(node.variable);
          owner.variables.set(node.variable, previous === type ? type : 'any');
        } else {
          scope.variables.set(node.variable, type);
        }
        break;
      }
    }
  }
}

function refuseParameterName(name: string, at: number, schema: ParameterSchema, fail: Fail): void {
  if (Object.hasOwn(schema, name)) fail(`${name} is a parameter and cannot be used as a variable name`, at);
}

function staticType(expression: Expression, scope: StaticScope, schema: ParameterSchema, source: string, fail: Fail): StaticType {
  const typeOf = (inner: Expression) => staticType(inner, scope, schema, source, fail);
  switch (expression.kind) {
    case 'literal':
      if (expression.value === null) return 'null';
      return typeof expression.value as 'string' | 'number' | 'boolean';
    case 'name': {
      const owner = scope.find(expression.name);
      if (owner) return owner.variables.get(expression.name) ?? 'any';
      if (Object.hasOwn(schema, expression.name)) return schema[expression.name];
      return fail(`unknown parameter ${expression.name}`, expression.start);
    }
    case 'member': {
      const target = typeOf(expression.target);
      if (target === 'any') return 'any';
      const member = memberOf(target, expression.name);
      const path = pathText(expression, source);
      if (!member) return fail(`unknown parameter ${path}`, expression.start);
      if (typeof member === 'object' && 'returns' in member) {
        return fail(`${path} is a method taking ${countArguments(member.arguments.length)}: call it as ${path}(…)`, expression.start);
      }
      return member;
    }
    case 'method': {
      const target = typeOf(expression.target);
      expression.args.forEach(typeOf);
      if (target === 'any') return 'any';
      const member = memberOf(target, expression.name);
      const path = `${pathText(expression.target, source)}.${expression.name}`;
      if (!member) return fail(`unknown parameter ${path}`, expression.start);
      if (!(typeof member === 'object' && 'returns' in member)) return fail(`${path} is not a method`, expression.start);
      if (member.arguments.length !== expression.args.length) {
        return fail(`${path} takes ${countArguments(member.arguments.length)}, not ${expression.args.length}`, expression.start);
      }
      return member.returns;
    }
    case 'function': {
      const definition = FUNCTIONS.get(expression.name.toLowerCase());
      if (!definition) return fail(`unknown function ${expression.name}`, expression.start);
      const arities = typeof definition.arity === 'number' ? [definition.arity] : definition.arity;
      if (!arities.includes(expression.args.length)) {
        return fail(`${definition.name} takes ${countArguments(arities)}, not ${expression.args.length}`, expression.start);
      }
      const types = expression.args.map(typeOf);
      if (definition.takesDate && !['date', 'string', 'null', 'any'].includes(types[0] as string)) {
        fail(`${definition.name} takes a date as its first argument, and ${pathText(expression.args[0], source)} is not one`, expression.args[0].start);
      }
      definition.check?.(expression.args, fail);
      return definition.returns;
    }
    case 'not':
      typeOf(expression.operand);
      return 'boolean';
    case 'negate':
      typeOf(expression.operand);
      return 'number';
    case 'binary':
      typeOf(expression.left);
      typeOf(expression.right);
      if (expression.operator === '&') return 'string';
      return ['+', '-', '*', '/'].includes(expression.operator) ? 'number' : 'boolean';
  }
}

function memberOf(type: StaticType, name: string): ParameterType | null {
  if (typeof type !== 'object' || !('fields' in type)) return null;
  return Object.hasOwn(type.fields, name) ? type.fields[name] : null;
}

function pathText(expression: Expression, source: string): string {
  return source.slice(expression.start, expression.end).replace(/\s+/g, ' ');
}

function countArguments(count: number | readonly number[]): string {
  const counts = typeof count === 'number' ? [count] : count;
  return `${counts.join(' or ')} argument${counts.length === 1 && counts[0] === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------------
// Standard functions. Names are matched case-insensitively, as Quokka does.

interface TemplateFunction {
  readonly name: string;
  /** how many arguments it takes, or the counts it accepts */
  readonly arity: number | readonly number[];
  readonly returns: StaticType;
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

/** The shortest decimal digits of a non-negative number, split at the point, without exponent notation. */
function plainDigits(value: number): [string, string] {
  const [mantissa, exponentText] = value.toString().split('e');
  const [integerPart, fractionPart = ''] = mantissa.split('.');
  const digits = integerPart + fractionPart;
  const point = integerPart.length + Number(exponentText ?? 0);
  if (point <= 0) return ['0', '0'.repeat(-point) + digits];
  if (point >= digits.length) return [digits + '0'.repeat(point - digits.length), ''];
  return [digits.slice(0, point), digits.slice(point)];
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

// ---------------------------------------------------------------------------------------------------
// Dates: wall-clock values (see the top of the file) and .NET-style format strings in Russian

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  const match = typeof value === 'string' ? LOCAL_DATE.exec(value.trim()) : null;
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
  // 2026-02-30 is no date
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) ? date : null;
}

function addMilliseconds(value: unknown, amount: unknown, unit: number): Date | null {
  const date = toDate(value);
  const number = toNumber(amount);
  if (date === null || number === null) return null;
  const moved = new Date(date.getTime() + Math.round(number * unit));
  return Number.isNaN(moved.getTime()) ? null : moved;
}

const MONTHS = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'];
const MONTHS_OF = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];
const MONTHS_SHORT = ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'];
const WEEKDAYS = ['воскресенье', 'понедельник', 'вторник', 'среда', 'четверг', 'пятница', 'суббота'];
const WEEKDAYS_SHORT = ['Вс', 'Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб'];

/** .NET's one-letter standard formats, as the Russian culture spells them out. */
const STANDARD_DATE_FORMATS: Record<string, string> = {
  d: 'dd.MM.yyyy',
  D: "d MMMM yyyy 'г.'",
  t: 'H:mm',
  T: 'H:mm:ss',
  g: 'dd.MM.yyyy H:mm',
  G: 'dd.MM.yyyy H:mm:ss',
  M: 'd MMMM',
  m: 'd MMMM',
  Y: 'MMMM yyyy',
  y: 'MMMM yyyy',
};

/** The longest run each part letter may have. */
const DATE_PARTS: Record<string, number> = { d: 4, M: 4, y: 4, H: 2, h: 2, m: 2, s: 2 };

type DateFormatToken = { readonly part: string; readonly count: number } | { readonly text: string };

/** Splits a custom format into parts (`dd`, `MMMM`) and literal text (quoted, escaped with \, or not a letter). */
function tokenizeDateFormat(format: string): { tokens: DateFormatToken[] } | { problem: string } {
  const pattern = STANDARD_DATE_FORMATS[format] ?? format;
  const tokens: DateFormatToken[] = [];
  for (let at = 0; at < pattern.length; ) {
    const char = pattern[at];
    if (char === "'" || char === '"') {
      const close = pattern.indexOf(char, at + 1);
      if (close < 0) return { problem: `the quote at position ${at + 1} is not closed` };
      tokens.push({ text: pattern.slice(at + 1, close) });
      at = close + 1;
    } else if (char === '\\') {
      if (at + 1 >= pattern.length) return { problem: 'it ends with a lone \\' };
      tokens.push({ text: pattern[at + 1] });
      at += 2;
    } else if (Object.hasOwn(DATE_PARTS, char)) {
      let end = at;
      while (pattern[end] === char) end += 1;
      const count = end - at;
      if (count > DATE_PARTS[char] || (char === 'y' && count === 3)) return { problem: `"${char.repeat(count)}" is not a date or time part` };
      tokens.push({ part: char, count });
      at = end;
    } else if (/[A-Za-z]/.test(char)) {
      return { problem: `"${char}" is not a date or time part: use d, dd, ddd, dddd, M, MM, MMM, MMMM, yy, yyyy, H, HH, h, hh, mm, ss, or put text in quotes` };
    } else {
      tokens.push({ text: char });
      at += 1;
    }
  }
  return { tokens };
}

function dateFormatProblem(format: string): string | null {
  if (format === '') return 'a format must not be empty';
  const result = tokenizeDateFormat(format);
  return 'problem' in result ? result.problem : null;
}

/** Months are written in the genitive after a day number ("5 января"), as the Russian culture of .NET does. */
function formatDateTime(value: unknown, format: unknown): string {
  const date = toDate(value);
  const result = typeof format === 'string' && format !== '' ? tokenizeDateFormat(format) : null;
  if (date === null || result === null || 'problem' in result) return '';
  const genitive = result.tokens.some((token) => 'part' in token && token.part === 'd' && token.count <= 2);
  const pad = (number: number, count: number) => String(number).padStart(count, '0');
  return result.tokens
    .map((token) => {
      if ('text' in token) return token.text;
      const { part, count } = token;
      switch (part) {
        case 'd':
          return count === 4 ? WEEKDAYS[date.getUTCDay()] : count === 3 ? WEEKDAYS_SHORT[date.getUTCDay()] : pad(date.getUTCDate(), count);
        case 'M': {
          const month = date.getUTCMonth();
          return count === 4 ? (genitive ? MONTHS_OF : MONTHS)[month] : count === 3 ? MONTHS_SHORT[month] : pad(month + 1, count);
        }
        case 'y':
          return count === 4 ? pad(date.getUTCFullYear(), 4) : pad(date.getUTCFullYear() % 100, count);
        case 'H':
          return pad(date.getUTCHours(), count);
        case 'h':
          return pad(date.getUTCHours() % 12 || 12, count);
        case 'm':
          return pad(date.getUTCMinutes(), count);
        default:
          return pad(date.getUTCSeconds(), count);
      }
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------------
// Rendering. Nothing here throws: missing members, failing methods and bad operands give empty values.

class Scope {
  readonly values = new Map<string, unknown>();

  constructor(readonly parent: Scope | null) {}

  find(name: string): Scope | null {
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      if (scope.values.has(name)) return scope;
    }
    return null;
  }
}

function renderNodes(nodes: readonly TemplateNode[], scope: Scope, context: Record<string, unknown>, output: string[]): void {
  const evaluate = (expression: Expression) => evaluateExpression(expression, scope, context);
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        output.push(node.text);
        break;
      case 'output':
        output.push(display(evaluate(node.expression)));
        break;
      case 'if': {
        const branch = node.branches.find((candidate) => isTrue(evaluate(candidate.condition)));
        renderNodes(branch ? branch.body : node.otherwise, new Scope(scope), context, output);
        break;
      }
      case 'for': {
        const collection = evaluate(node.collection);
        if (!Array.isArray(collection)) break;
        for (const item of collection) {
          const body = new Scope(scope);
          body.values.set(node.variable, item);
          renderNodes(node.body, body, context, output);
        }
        break;
      }
      case 'set':
        (scope.find(node.variable) ?? scope).values.set(node.variable, evaluate(node.value));
        break;
    }
  }
}

function evaluateExpression(expression: Expression, scope: Scope, context: Record<string, unknown>): unknown {
  const evaluate = (inner: Expression) => evaluateExpression(inner, scope, context);
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'name': {
      const owner = scope.find(expression.name);
      return owner ? owner.values.get(expression.name) : readMember(context, expression.name);
    }
    case 'member':
      return readMember(evaluate(expression.target), expression.name);
    case 'method': {
      const target = evaluate(expression.target);
      const method = readMember(target, expression.name);
      if (typeof method !== 'function') return undefined;
      const args = expression.args.map(evaluate);
      try {
        return method.apply(target, args);
      } catch {
        return undefined;
      }
    }
    case 'function': {
      const definition = FUNCTIONS.get(expression.name.toLowerCase());
      return definition ? definition.invoke(expression.args.map(evaluate)) : undefined;
    }
    case 'not':
      return !isTrue(evaluate(expression.operand));
    case 'negate': {
      const operand = toNumber(evaluate(expression.operand));
      return operand === null ? null : -operand;
    }
    case 'binary':
      switch (expression.operator) {
        case 'or':
          return isTrue(evaluate(expression.left)) || isTrue(evaluate(expression.right));
        case 'and':
          return isTrue(evaluate(expression.left)) && isTrue(evaluate(expression.right));
        default:
          return applyOperator(expression.operator, evaluate(expression.left), evaluate(expression.right));
      }
  }
}

/** Only own properties of objects: a template must not reach prototypes (`constructor`, `__proto__`). */
function readMember(target: unknown, name: string): unknown {
  if (target === null || typeof target !== 'object') return undefined;
  try {
    return Object.hasOwn(target, name) ? (target as Record<string, unknown>)[name] : undefined;
  } catch {
    return undefined;
  }
}

function applyOperator(operator: Exclude<BinaryOperator, 'and' | 'or'>, left: unknown, right: unknown): unknown {
  switch (operator) {
    case '&':
      return display(left) + display(right);
    case '=':
      return areEqual(left, right);
    case '!=':
      return !areEqual(left, right);
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const order = compare(left, right);
      if (order === null) return false;
      return operator === '<' ? order < 0 : operator === '>' ? order > 0 : operator === '<=' ? order <= 0 : order >= 0;
    }
    default: {
      const a = toNumber(left);
      const b = toNumber(right);
      if (a === null || b === null) return null;
      const result = operator === '+' ? a + b : operator === '-' ? a - b : operator === '*' ? a * b : a / b;
      return Number.isFinite(result) ? result : null;
    }
  }
}

function areEqual(left: unknown, right: unknown): boolean {
  const leftMissing = left === null || left === undefined;
  const rightMissing = right === null || right === undefined;
  if (leftMissing || rightMissing) return leftMissing && rightMissing;
  if (left instanceof Date || right instanceof Date) return compare(left, right) === 0;
  if (typeof left === 'number' || typeof right === 'number') {
    const a = toNumber(left);
    const b = toNumber(right);
    return a !== null && a === b;
  }
  return left === right;
}

function compare(left: unknown, right: unknown): number | null {
  if (left instanceof Date || right instanceof Date) {
    const a = toDate(left);
    const b = toDate(right);
    return a === null || b === null ? null : a.getTime() - b.getTime();
  }
  if (typeof left === 'string' && typeof right === 'string' && (toNumber(left) === null || toNumber(right) === null)) {
    return left < right ? -1 : left > right ? 1 : 0;
  }
  const a = toNumber(left);
  const b = toNumber(right);
  return a === null || b === null ? null : a - b;
}

/** Numbers, and strings holding a number with a decimal point or comma ("12,5"); anything else is null. */
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(?:[.,]\d+)?\s*$/.test(value)) return Number(value.trim().replace(',', '.'));
  return null;
}

/** Conditions: false, null, missing, "", 0 and empty collections are false; everything else is true. */
function isTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value !== '';
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * How a value prints: numbers with a decimal comma and no grouping; dates as 05.01.2026, or 05.01.2026 9:30
 * when they have a time; objects, functions and missing values as "".
 */
function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    return formatDateTime(value, value.getTime() % 86_400_000 === 0 ? 'dd.MM.yyyy' : 'dd.MM.yyyy H:mm');
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    // 15 significant digits hide binary noise: 0.1 + 0.2 prints as 0,3
    const [whole, fraction] = plainDigits(Math.abs(Number(value.toPrecision(15))));
    return `${value < 0 ? '-' : ''}${whole}${fraction ? `,${fraction}` : ''}`;
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

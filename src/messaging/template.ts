// Message templates in the Mindbox/Quokka language: `${expr}` prints, `@{if}`/`@{for}`/`@{set}` control,
// `@{* … *}` comments. A template is compiled once (syntax, parameter paths and functions are checked
// against a schema, so a typo is refused when the template is saved) and rendered many times; rendering
// never throws, whatever the data: a missing value prints as an empty string.

import { AppError } from '../shared/errors.ts';

// ---------------------------------------------------------------------------------------------------
// Public API

/** What a parameter holds: a scalar, an object with named members, a collection, or a method. */
export type ParameterType =
  | 'string'
  | 'number'
  | 'boolean'
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
      AuthentificationCode: 'string',
      MobilePhoneConfirmationCode: 'string',
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

  peek(): Token {
    return this.tokens[this.index];
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
      if (RESERVED.has(lower)) this.unexpected('an expression');
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
      if (definition.arity !== expression.args.length) {
        return fail(`${definition.name} takes ${countArguments(definition.arity)}, not ${expression.args.length}`, expression.start);
      }
      expression.args.forEach(typeOf);
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

function countArguments(count: number): string {
  return count === 1 ? '1 argument' : `${count} arguments`;
}

// ---------------------------------------------------------------------------------------------------
// Standard functions. Names are matched case-insensitively, as Quokka does.

interface TemplateFunction {
  readonly name: string;
  readonly arity: number;
  readonly returns: StaticType;
  readonly invoke: (args: readonly unknown[]) => unknown;
  readonly check?: (args: readonly Expression[], fail: Fail) => void;
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
    ] satisfies TemplateFunction[]
  ).map((definition) => [definition.name.toLowerCase(), definition]),
);

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
  if (typeof left === 'number' || typeof right === 'number') {
    const a = toNumber(left);
    const b = toNumber(right);
    return a !== null && a === b;
  }
  return left === right;
}

function compare(left: unknown, right: unknown): number | null {
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

/** How a value prints: numbers with a decimal comma and no grouping; objects, functions and missing values as "". */
function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    // 15 significant digits hide binary noise: 0.1 + 0.2 prints as 0,3
    const [whole, fraction] = plainDigits(Math.abs(Number(value.toPrecision(15))));
    return `${value < 0 ? '-' : ''}${whole}${fraction ? `,${fraction}` : ''}`;
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

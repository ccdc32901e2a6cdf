// Parsing a template: scanning it into text, outputs and control instructions, then nesting the blocks.
// Expressions' precedence, lowest first: or; and; not; comparisons; &; + -; * /; unary minus; member
// access and calls. `&` sits below arithmetic as in Visual Basic: `"x" & 1 + 2` is "x3".

import { RESERVED, tokenizeInstruction, type Token } from './lexer.ts';
import type { BinaryOperator, Expression, Fail, TemplateNode } from './syntax.ts';

/** The syntax tree of a template; `fail` throws at the first syntax error. */
export function parseTemplate(source: string, fail: Fail): TemplateNode[] {
  return buildTree(scan(source, fail), fail);
}

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

/** A piece of the template before nesting: text, an output, or one control instruction. */
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

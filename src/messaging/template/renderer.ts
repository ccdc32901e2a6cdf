// Rendering a compiled template with data. Nothing here throws: missing members, failing methods and
// bad operands give empty values.

import { toDate } from './dates.ts';
import { findFunction } from './functions.ts';
import { Scope } from './scope.ts';
import type { BinaryOperator, CompiledTemplate, Expression, TemplateNode } from './syntax.ts';
import { display, isTrue, toNumber } from './values.ts';

export function renderTemplate(template: CompiledTemplate, context: Record<string, unknown>): string {
  const output: string[] = [];
  renderNodes(template.nodes, new Scope<unknown>(null), context, output);
  return output.join('');
}

function renderNodes(nodes: readonly TemplateNode[], scope: Scope<unknown>, context: Record<string, unknown>, output: string[]): void {
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
          body.variables.set(node.variable, item);
          renderNodes(node.body, body, context, output);
        }
        break;
      }
      case 'set':
        (scope.find(node.variable) ?? scope).variables.set(node.variable, evaluate(node.value));
        break;
    }
  }
}

function evaluateExpression(expression: Expression, scope: Scope<unknown>, context: Record<string, unknown>): unknown {
  const evaluate = (inner: Expression) => evaluateExpression(inner, scope, context);
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'name': {
      const owner = scope.find(expression.name);
      return owner ? owner.variables.get(expression.name) : readMember(context, expression.name);
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
      const definition = findFunction(expression.name);
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

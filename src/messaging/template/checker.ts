// Checking a parsed template against the parameters it may use: every parameter path, method call and
// function (name, argument count, literal arguments), so that a typo is refused when the template is
// saved rather than printed as an empty text to guests.

import { findFunction } from './functions.ts';
import { parseTemplate } from './parser.ts';
import { Scope } from './scope.ts';
import { failureAt, type CompiledTemplate, type Expression, type Fail, type TemplateNode } from './syntax.ts';

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
      /** the coupon a scenario's issueCoupon step gave the guest for this message (not a Mindbox name) */
      CouponCode: 'string',
      GetBonusPointsAccount: {
        arguments: ['balanceTypeSystemName'],
        returns: { fields: { Available: 'number', Blocked: 'number', Total: 'number' } },
      },
    },
  },
};

/** A project's customer custom field, as a template reads it under `Recipient.CustomFields`. */
export interface TemplateCustomField {
  systemName: string;
  type: 'String' | 'Integer' | 'Decimal' | 'Boolean' | 'Date' | 'DateTime' | 'Enum' | 'ExternalIdentifier';
  multiValued: boolean;
}

const FIELD_TYPES: Record<TemplateCustomField['type'], ParameterType> = {
  String: 'string',
  Enum: 'string',
  ExternalIdentifier: 'string',
  Integer: 'number',
  Decimal: 'number',
  Boolean: 'boolean',
  Date: 'date',
  DateTime: 'date',
};

/** The recipient with the project's customer fields by system name: `${Recipient.CustomFields.Rank}` prints the level. */
export function recipientParameters(customerFields: readonly TemplateCustomField[]): ParameterSchema {
  const recipient = RECIPIENT_PARAMETERS.Recipient as { fields: ParameterSchema };
  const customFields = Object.fromEntries(
    customerFields.map((field): [string, ParameterType] => [field.systemName, field.multiValued ? { items: FIELD_TYPES[field.type] } : FIELD_TYPES[field.type]]),
  );
  return { Recipient: { fields: { ...recipient.fields, CustomFields: { fields: customFields } } } };
}

/** Parses and checks a template; throws a TemplateError at the first problem. */
export function compileTemplate(source: string, options: { parameters: ParameterSchema }): CompiledTemplate {
  const fail = failureAt(source);
  const nodes = parseTemplate(source, fail);
  checkNodes(nodes, new Scope<StaticType>(null), options.parameters, source, fail);
  return { source, nodes };
}

type StaticType = ParameterType | 'null' | 'any';

function checkNodes(nodes: readonly TemplateNode[], scope: Scope<StaticType>, schema: ParameterSchema, source: string, fail: Fail): void {
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
          checkNodes(branch.body, new Scope(scope), schema, source, fail);
        }
        checkNodes(node.otherwise, new Scope(scope), schema, source, fail);
        break;
      case 'for': {
        const collection = typeOf(node.collection);
        if (collection !== 'any' && !(typeof collection === 'object' && 'items' in collection)) {
          fail(`${pathText(node.collection, source)} is not a collection`, node.collection.start);
        }
        refuseParameterName(node.variable, node.variableAt, schema, fail);
        const body = new Scope(scope);
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

function staticType(expression: Expression, scope: Scope<StaticType>, schema: ParameterSchema, source: string, fail: Fail): StaticType {
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
      const definition = findFunction(expression.name);
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

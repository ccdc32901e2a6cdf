// Branch conditions, one evaluator per condition type of the project schema (the type checker insists
// that a new condition type gets its evaluator here).
import type { ScenarioCondition } from '../project/schemas.ts';
import { isInSegment } from '../segments/segments.service.ts';
import type { ConditionEvaluator, ScenarioContext } from './types.ts';

const sameValue = (actual: unknown, expected: unknown): boolean => {
  if (expected === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (Array.isArray(actual)) return actual.some((item) => sameValue(item, expected));
  return String(actual) === String(expected);
};

export const conditionEvaluators: { [T in ScenarioCondition['type']]: ConditionEvaluator<T> } = {
  fromOperation: async ({ event }, condition) => event.operation === condition.operation,
  fieldEquals: async ({ customer }, condition) => sameValue(customer.custom_fields?.[condition.field], condition.value),
  phoneConfirmed: async ({ customer }, condition) => customer.is_mobile_phone_confirmed === condition.equals,
  inSegment: async ({ db, customer }, condition) => isInSegment(db, customer.id, condition.segment),
  notInSegment: async ({ db, customer }, condition) => !(await isInSegment(db, customer.id, condition.segment)),
};

/** Every condition of a branch holds (a branch without conditions always matches). */
export async function branchMatches(context: ScenarioContext, conditions: ScenarioCondition[]): Promise<boolean> {
  for (const condition of conditions) {
    const evaluate = conditionEvaluators[condition.type] as ConditionEvaluator<typeof condition.type>;
    if (!(await evaluate(context, condition))) return false;
  }
  return true;
}

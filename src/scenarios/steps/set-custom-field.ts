// Step "edit customer data": sets one customer custom field (null removes it).
import { setCustomerCustomField } from '../../customers/customers.service.ts';
import { depthOf, evaluateAfterStep } from '../../segments/segments.service.ts';
import type { StepRunner } from '../types.ts';
import { cascadeNote } from './cascade.ts';

export const setCustomField: StepRunner<'setCustomField'> = async ({ db, project, event, customer, now }, step) => {
  if (!project.customField('Customer', step.field)) return { status: 'failed', detail: `customer field "${step.field}" is not defined` };
  const before = customer.custom_fields?.[step.field] ?? null;
  if (JSON.stringify(before) === JSON.stringify(step.value)) return { status: 'skipped', detail: `${step.field} already ${JSON.stringify(step.value)}` };
  await setCustomerCustomField(db, customer.id, step.field, step.value, now);
  customer.custom_fields = { ...customer.custom_fields, [step.field]: step.value };
  // no customerChanged event: segments reading this field are re-evaluated here, at most MAX_CASCADE_DEPTH deep
  const segments = await evaluateAfterStep(db, project, customer.id, now, { field: step.field, step: 'setCustomField' }, depthOf(event));
  return { status: 'done', detail: `${step.field} = ${JSON.stringify(step.value)}${cascadeNote(segments)}` };
};

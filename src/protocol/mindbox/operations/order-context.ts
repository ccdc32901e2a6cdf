// What the order use cases need to know about the call a handler serves, the operation's settings they take
// as plain values, and the operation log's note on products the catalogue does not know.
import { unknownProductNote } from '../../../catalog/catalog.service.ts';
import type { OrderContext } from '../../../orders/order.types.ts';
import type { BalanceTypeDefinition, OrderLineStatusDefinition } from '../../../project/schemas.ts';
import type { ProjectSnapshot } from '../../../project/snapshot.ts';
import type { OperationCall, OperationDeps } from './types.ts';

export function orderContext(call: OperationCall, deps: OperationDeps): OrderContext {
  return {
    project: deps.project,
    source: { integrationPoint: call.integrationPoint.systemName, operation: call.operation.systemName },
    transactionId: call.transactionId,
    confirmsPhones: call.integrationPoint.phoneConfirmation,
    now: deps.now,
  };
}

/**
 * The balance type an operation works with: its `balanceType` setting, or the project's only balance
 * type when the setting is left out; null when there is none (no points at all).
 */
export function balanceTypeOf(call: OperationCall, project: ProjectSnapshot): BalanceTypeDefinition | null {
  const named = (call.operation.settings as { balanceType?: string }).balanceType;
  if (named) return project.balanceType(named) ?? null;
  const all = project.definition.balanceTypes;
  return all.length === 1 ? all[0] : null;
}

/** The status the operation gives new lines the POS sends without one (its `defaultLineStatus` setting). */
export function defaultLineStatusOf(call: OperationCall, project: ProjectSnapshot): OrderLineStatusDefinition | undefined {
  const configured = (call.operation.settings as { defaultLineStatus?: string }).defaultLineStatus;
  return configured ? project.lineStatus(configured) : undefined;
}

export function noteUnknownProducts(deps: OperationDeps, externalSystem: string, productIds: string[]): void {
  const note = unknownProductNote(externalSystem, productIds);
  if (note) deps.notes.push(note);
}

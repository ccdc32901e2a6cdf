// What the orders service needs to know about the call a handler serves.
import type { OrderCallContext } from '../../../orders/orders.service.ts';
import type { OperationCall, OperationDeps } from './types.ts';

export function orderContext(call: OperationCall, deps: OperationDeps): OrderCallContext {
  return {
    project: deps.project,
    integrationPoint: call.integrationPoint,
    operation: call.operation,
    now: deps.now,
    transactionId: call.transactionId,
    notes: deps.notes,
  };
}

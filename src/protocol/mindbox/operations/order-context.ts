// What the orders service needs to know about the call a handler serves.
import type { OrderCallContext } from '../../../orders/orders.service.ts';
import type { OperationRequest } from './types.ts';

export function orderContext(request: OperationRequest): OrderCallContext {
  return {
    project: request.project,
    integrationPoint: request.integrationPoint,
    operation: request.operation,
    now: request.now,
    transactionId: request.transactionId,
    notes: request.notes,
  };
}

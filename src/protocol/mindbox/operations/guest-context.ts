// What the customers service needs to know about the call a handler serves.
import type { GuestContext } from '../../../customers/customers.service.ts';
import type { OperationRequest } from './types.ts';

export function guestContext(request: OperationRequest): GuestContext {
  return { project: request.project, integrationPoint: request.integrationPoint, operation: request.operation, now: request.now, secrets: request.app.secrets };
}

export const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

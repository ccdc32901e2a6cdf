// What the customers service needs to know about the call a handler serves.
import type { GuestContext } from '../../../customers/customers.service.ts';
import type { OperationCall, OperationDeps } from './types.ts';

export function guestContext(call: OperationCall, deps: OperationDeps): GuestContext {
  return { project: deps.project, integrationPoint: call.integrationPoint, operation: call.operation, now: deps.now, secrets: deps.secrets };
}

export const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

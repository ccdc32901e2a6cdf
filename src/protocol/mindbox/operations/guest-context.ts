// What the customers service needs to know about the call a handler serves, and the code settings of the
// operation as the service takes them.
import type { CodePolicy, GuestContext } from '../../../customers/customers.service.ts';
import type { CODE_LIFETIMES } from '../../../project/schemas.ts';
import type { OperationCall, OperationDeps } from './types.ts';

export function guestContext(call: OperationCall, deps: OperationDeps): GuestContext {
  return {
    project: deps.project,
    source: { integrationPoint: call.integrationPoint.systemName, operation: call.operation.systemName },
    confirmsPhones: call.integrationPoint.phoneConfirmation,
    now: deps.now,
    secrets: deps.secrets,
    defaultSmsUrl: deps.defaultSmsUrl,
  };
}

/** The operation's settings for the codes it issues (its schema gives the defaults: project/schemas.ts). */
export function codePolicyOf(call: OperationCall): CodePolicy {
  const settings = call.operation.settings as { codeLength: number; codeLifetime: keyof typeof CODE_LIFETIMES };
  return { length: settings.codeLength, lifetime: settings.codeLifetime };
}

/** The mailing an operation sends a confirmation code through, when it has one. */
export function confirmationMailingOf(call: OperationCall): string | null {
  return (call.operation.settings as { confirmationMailing?: string }).confirmationMailing ?? null;
}

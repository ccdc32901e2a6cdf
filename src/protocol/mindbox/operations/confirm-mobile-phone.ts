// ConfirmMobilePhone (Offline.ConfirmMobilePhone): root `smsConfirmation.code` → `smsConfirmation.processingStatus`.
import { typedCode } from '../../../customers/codes.ts';
import { confirmMobilePhone as confirm, loadGuestView } from '../../../customers/customers.service.ts';
import { validationError } from '../../../shared/errors.ts';
import { given, isObject } from '../../../wire/decoded.ts';
import { parseGuestIdentifiers, wireCustomer } from '../shapes/customer.ts';
import { guestContext } from './guest-context.ts';
import { operation } from './types.ts';

export const confirmMobilePhone = operation({
  read: (call, { project }) => {
    const node = call.body.smsConfirmation;
    const raw = isObject(node) ? node.code : undefined;
    if (!given(raw)) throw validationError({ location: '/smsConfirmation/code', message: 'give the code the guest received' });
    return { raw, target: parseGuestIdentifiers(project, call.body.customer) };
  },
  run: async (call, deps, { raw, target }) => {
    const result = await confirm(deps.db, guestContext(call, deps), target, typedCode(raw));
    const smsConfirmation: Record<string, unknown> = { processingStatus: result.status === 'Ambiguous' ? 'NotFound' : result.status };
    if ('description' in result && result.description) smsConfirmation.statusDescription = result.description;
    const customer = 'customer' in result ? { processingStatus: 'Found', ...wireCustomer(await loadGuestView(deps.db, result.customer, deps.project)) } : { processingStatus: result.status };
    return { body: { customer, smsConfirmation }, recordTransaction: result.status === 'MobilePhoneConfirmed' };
  },
});

// SendAuthorizationCode (Offline.SendMobilePhoneAuthorizationCode): step "generate authorization code";
// the SMS goes out through the transactional scenario on "customer requested an authorization code".
import { requestAuthorizationCode } from '../../../customers/customers.service.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { codePolicyOf, guestContext } from './guest-context.ts';
import { operation } from './types.ts';

export const sendAuthorizationCode = operation({
  read: (call, { project }) => parseGuestIdentifiers(project, call.body.customer),
  run: async (call, deps, target) => {
    const generate = (call.operation.settings as { generateCode: boolean }).generateCode;
    const result = await requestAuthorizationCode(deps.db, guestContext(call, deps), target, generate ? codePolicyOf(call) : null);
    return { body: { customer: { processingStatus: result.status } }, recordTransaction: result.status === 'Found' };
  },
});

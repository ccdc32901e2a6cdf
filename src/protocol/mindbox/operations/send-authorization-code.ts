// SendAuthorizationCode (Offline.SendMobilePhoneAuthorizationCode): step "generate authorization code";
// the SMS goes out through the transactional scenario on "customer requested an authorization code".
import { requestAuthorizationCode } from '../../../customers/customers.service.ts';
import { guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const sendAuthorizationCode: OperationHandler = async (call, deps) => {
  const result = await requestAuthorizationCode(deps.db, guestContext(call, deps), call.body.customer);
  return { body: { customer: { processingStatus: result.status } }, recordTransaction: result.status === 'Found' };
};

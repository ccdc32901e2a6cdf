// CheckAuthorizationCode (Offline.CheckMobilePhoneAuthorizationCode): root field `authentificationCode`.
// A refusal is a ValidationError that still commits: the wrong try is counted.
import { typedCode } from '../../../customers/codes.ts';
import { checkAuthorizationCode as check } from '../../../customers/customers.service.ts';
import { guestContext } from './guest-context.ts';
import type { OperationHandler } from './types.ts';

export const checkAuthorizationCode: OperationHandler = async (call, deps) => {
  const raw = call.body.authentificationCode;
  const given = raw !== undefined && raw !== null && raw !== '';
  const result = await check(deps.db, guestContext(call, deps), call.body.customer, typedCode(raw), given);
  if (result.status === 'Refused') {
    return { body: {}, validationMessages: [{ location: '/authentificationCode', message: result.message }], recordTransaction: false };
  }
  return { body: { customer: { processingStatus: 'Found', ids: { mindboxId: result.customer.id } } } };
};

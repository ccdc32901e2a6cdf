// CheckAuthorizationCode (Offline.CheckMobilePhoneAuthorizationCode): root field `authentificationCode`.
// A refusal is a ValidationError that still commits: the wrong try is counted.
import { typedCode } from '../../../customers/codes.ts';
import { checkAuthorizationCode as check, findCustomer, hasIdentifiers } from '../../../customers/customers.service.ts';
import { validationError } from '../../../shared/errors.ts';
import { given } from '../../../wire/decoded.ts';
import { parseGuestIdentifiers } from '../shapes/customer.ts';
import { guestContext } from './guest-context.ts';
import { operation } from './types.ts';

const guestRefusal = { NotFound: 'no guest has these identifiers', Ambiguous: 'the identifiers point to different guests' } as const;

export const checkAuthorizationCode = operation({
  read: (call, { project }) => {
    const target = parseGuestIdentifiers(project, call.body.customer);
    if (!hasIdentifiers(target)) throw validationError({ location: '/customer', message: "give the guest's mobilePhone, discountCard.ids.number or ids" });
    return { target, raw: call.body.authentificationCode };
  },
  run: async (call, deps, { target, raw }) => {
    if (!given(raw)) {
      // who the guest is comes first: a call naming nobody is told so before it is told the code is missing
      const lookup = await findCustomer(deps.db, target);
      if (lookup.status === 'NotFound' || lookup.status === 'Ambiguous') throw validationError({ location: '/customer', message: guestRefusal[lookup.status] });
      throw validationError({ location: '/authentificationCode', message: 'give the code the guest received' });
    }
    const result = await check(deps.db, guestContext(call, deps), target, typedCode(raw));
    switch (result.status) {
      case 'Accepted':
        return { body: { customer: { processingStatus: 'Found', ids: { mindboxId: result.customer.id } } } };
      case 'Refused':
        return { body: {}, validationMessages: [{ location: '/authentificationCode', message: result.message }], recordTransaction: false };
      default:
        throw validationError({ location: '/customer', message: guestRefusal[result.status] });
    }
  },
});

// Step "generate an authorization code": issues a code to the guest's phone (under the project's code limits)
// and hands it, sealed, to the steps after it, so a following "send mailing" can put it in the SMS as
// ${Recipient.AuthentificationCode}. The code itself never reaches the run log.
import { issueCode } from '../../customers/codes.service.ts';
import { sealMailingSecrets } from '../../messaging/mailing-secrets.ts';
import { isAppError } from '../../shared/errors.ts';
import type { StepRunner } from '../types.ts';

export const generateAuthorizationCode: StepRunner<'generateAuthorizationCode'> = async (context, step) => {
  const { db, project, secrets, scenario, customer, now } = context;
  const phone = customer.mobile_phone;
  if (!phone) return { status: 'skipped', detail: 'the guest has no mobile phone' };
  let issued;
  try {
    issued = await issueCode(db, project.settings, {
      customerId: customer.id,
      purpose: 'authorization',
      phone,
      length: step.length,
      lifetime: step.lifetime,
      operation: `scenario:${scenario.systemName}`,
      now,
      location: '/customer/mobilePhone',
    });
  } catch (error) {
    // the project's limits on codes to one phone: retrying the event would not help
    if (isAppError(error)) return { status: 'failed', detail: error.message.replace(/^\/customer\/mobilePhone: /, '') };
    throw error;
  }
  const sealed = sealMailingSecrets(secrets, { parameters: { AuthentificationCode: issued.code }, to: phone, validUntil: issued.expiresAt.toISOString() });
  context.event = { ...context.event, data: { ...context.event.data, secrets: sealed } };
  return { status: 'done', detail: `a ${step.length}-digit code valid until ${issued.expiresAt.toISOString()}` };
};

// Step runners by step type. A step type of the project schema without a runner here is recorded in the
// run log as skipped; add a runner in a file of its own and one line below.
import type { ScenarioStep } from '../../project/schemas.ts';
import type { StepRunner } from '../types.ts';
import { callWebhook } from './call-webhook.ts';
import { changeBalance } from './change-balance.ts';
import { generateAuthorizationCode } from './generate-authorization-code.ts';
import { issueCoupon } from './issue-coupon.ts';
import { sendMailing } from './send-mailing.ts';
import { setCustomField } from './set-custom-field.ts';

export const stepRunners: { [T in ScenarioStep['type']]?: StepRunner<T> } = {
  sendMailing,
  setCustomField,
  changeBalance,
  generateAuthorizationCode,
  callWebhook,
  issueCoupon,
};

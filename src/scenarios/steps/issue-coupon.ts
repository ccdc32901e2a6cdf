// Step "issue a coupon": gives the guest a code of the pool that nobody was given nor used, and hands it to the
// steps after it, so a following "send mailing" prints it as ${Recipient.CouponCode}. It commits with the run
// record: a redelivered event gives no second code. A pool with no code left fails the step (and the SMS after it).
import { giveCoupon } from '../../loyalty/coupons.service.ts';
import type { StepRunner } from '../types.ts';

export const issueCoupon: StepRunner<'issueCoupon'> = async (context, step) => {
  const { db, project, customer, now } = context;
  if (!project.definition.couponPools.some((pool) => pool.systemName === step.pool)) return { status: 'failed', detail: `coupon pool "${step.pool}" is not defined` };
  const code = await giveCoupon(db, step.pool, customer.id, now);
  if (!code) return { status: 'failed', detail: `coupon pool "${step.pool}" has no code left: issue more (POST /api/admin/coupon-pools/${step.pool}/codes)` };
  context.event = { ...context.event, data: { ...context.event.data, coupon: code } };
  return { status: 'done', detail: `a code of ${step.pool}` };
};

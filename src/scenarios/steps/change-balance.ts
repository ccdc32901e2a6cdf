// Step "change the points balance": adds points (active at once, expiring after the step's lifetime or the
// balance type's) or takes them (the balance may go negative), as a ledger entry naming the scenario and the
// step's reason. It commits with the run record, so a redelivered event never changes the balance twice.
import { changeBalance as changeLedgerBalance } from '../../loyalty/ledger.service.ts';
import { pointScale } from '../../loyalty/balances.ts';
import { evaluateAfterStep, depthOf } from '../../segments/segments.service.ts';
import { parseMinor, toDecimal } from '../../shared/money.ts';
import type { StepRunner } from '../types.ts';
import { cascadeNote } from './cascade.ts';

export const changeBalance: StepRunner<'changeBalance'> = async ({ db, project, scenario, event, customer, now }, step) => {
  const balanceType = project.balanceType(step.balanceType);
  if (!balanceType) return { status: 'failed', detail: `balance type "${step.balanceType}" is not defined` };
  // a preset's gift starts at 0 (off) until a marketer sets it
  if (step.amount === 0) return { status: 'skipped', detail: 'the amount is 0: no points' };
  const scale = pointScale(balanceType);
  const amount = parseMinor(step.amount, scale);
  if (amount === null || amount === 0) return { status: 'failed', detail: `${step.amount} is not a whole number of ${balanceType.systemName} points` };
  const entryId = await changeLedgerBalance(
    db,
    project,
    { customerId: customer.id, balanceType, amount, reason: step.reason, now, ...(step.lifetimeDays === undefined ? {} : { lifetimeDays: step.lifetimeDays }) },
    { source: 'scenario', actor: scenario.systemName },
  );
  const segments = await evaluateAfterStep(db, project, customer.id, now, { balanceType: balanceType.systemName, step: 'changeBalance' }, depthOf(event));
  const signed = `${amount > 0 ? '+' : ''}${toDecimal(amount, scale)}`;
  return { status: 'done', detail: `${signed} ${balanceType.systemName} (ledger entry ${entryId})${cascadeNote(segments)}` };
};

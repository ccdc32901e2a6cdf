// Date-triggered scenarios (decision 0020): a birthday `daysBefore` days ahead, and a guest with no paid order for
// `days` days (win-back). Each enabled one has a daily pass at its local time `at` (the project's time zone),
// claimed once per scenario and local day whichever worker gets there, over the guests it concerns found by index
// (never a read of every guest). A guest it finds gets a mark and an event for that scenario in the same
// transaction, so a pass that dies is done again whole and a guest gets the scenario once per occurrence: a
// birthday once a year; a win-back once per lapse and not again for `notAgainForDays`. The event runs the
// scenario like any other (steps, run log), for that scenario only.
import type { AppContext } from '../app-context.ts';
import { inTransaction } from '../db/database.ts';
import { emitEvent } from '../jobs/outbox.ts';
import type { PeriodicTask } from '../jobs/types.ts';
import { isDateTrigger, type ScenarioDefinition } from '../project/schemas.ts';
import { localDate, localTime } from '../shared/time-zone.ts';
import * as repository from './daily.repository.ts';

const DAY_MS = 86_400_000;
/** When a date trigger names no time. */
const DEFAULT_PASS_TIME = '10:00';
const DEFAULT_DAYS_BEFORE = 3;
const DEFAULT_NO_PAID_ORDER_DAYS = 60;
const DEFAULT_NOT_AGAIN_DAYS = 60;
/** A win-back pass looks this far back past its cutoff, so guests a missed pass (a server down) would have found are found. */
const WIN_BACK_LOOKBACK_DAYS = 7;

/** The local calendar day `days` after `day` ('YYYY-MM-DD'). */
function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The guests a birthday pass of `day` concerns: born on the day `daysBefore` ahead (29 February on 28 February of a common year). */
function birthdayTarget(day: string, daysBefore: number): { occurrence: string; monthDays: number[] } {
  const occurrence = addDays(day, daysBefore);
  const [year, month, date] = occurrence.split('-').map(Number);
  const monthDays = [month * 100 + date];
  if (month === 2 && date === 28 && !isLeapYear(year)) monthDays.push(229);
  return { occurrence, monthDays };
}

/** Runs the pass of one scenario for a local day, unless it ran already; how many guests it started the scenario for. */
async function runDailyPass(app: AppContext, scenario: ScenarioDefinition, localDay: string): Promise<number | null> {
  const { trigger } = scenario;
  if (!isDateTrigger(trigger.event)) return null;
  const event = trigger.event;
  const now = app.now();
  return inTransaction(app.db, async (trx) => {
    if (!(await repository.claimPass(trx, scenario.systemName, localDay, now))) return null;
    let guests: number[];
    let occurrence: string;
    let notSince: Date | null = null;
    if (event === 'birthday') {
      const target = birthdayTarget(localDay, trigger.daysBefore ?? DEFAULT_DAYS_BEFORE);
      occurrence = target.occurrence;
      guests = await repository.guestsBornOn(trx, target.monthDays);
    } else {
      const cutoff = new Date(now.getTime() - (trigger.days ?? DEFAULT_NO_PAID_ORDER_DAYS) * DAY_MS);
      occurrence = localDay;
      notSince = new Date(now.getTime() - (trigger.notAgainForDays ?? DEFAULT_NOT_AGAIN_DAYS) * DAY_MS);
      guests = await repository.guestsLastPaidBetween(trx, new Date(cutoff.getTime() - WIN_BACK_LOOKBACK_DAYS * DAY_MS), cutoff);
    }
    let started = 0;
    for (const customerId of guests) {
      if (!(await repository.markOccurrence(trx, { scenario: scenario.systemName, customerId, occurrence, notSince, now }))) continue;
      await emitEvent(trx, { type: event, customerId, at: now.toISOString(), data: { scenario: scenario.systemName, occurrence } });
      started += 1;
    }
    await repository.finishPass(trx, scenario.systemName, localDay, started, now);
    return started;
  });
}

/** The passes due now: every enabled date-triggered scenario whose local time has come and whose pass of today has not run. */
export async function runDueDailyPasses(app: AppContext): Promise<{ scenario: string; guests: number }[]> {
  const project = app.project.current;
  const now = app.now();
  const zone = project.settings.timeZone;
  const today = localDate(now, zone);
  const ran = [];
  for (const scenario of project.definition.scenarios) {
    if (!scenario.enabled || !isDateTrigger(scenario.trigger.event)) continue;
    if (localTime(now, zone) < (scenario.trigger.at ?? DEFAULT_PASS_TIME)) continue;
    const guests = await runDailyPass(app, scenario, today);
    if (guests !== null) ran.push({ scenario: scenario.systemName, guests });
  }
  return ran;
}

export const dailyScenariosTask: PeriodicTask = {
  name: 'scenarios-daily',
  everyMs: 60_000,
  run: async (app) => {
    for (const pass of await runDueDailyPasses(app)) app.logger.info(pass, 'daily scenario pass');
  },
};

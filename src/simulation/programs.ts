// The current program and a proposed one side by side, and a guest as each of them would price them: under the
// current program as stored (their segments, their Rank); under the proposed one with the segments whose
// definitions it changes evaluated anew and, when it gives levels differently, the Rank its level scenario would
// set. Nothing is written.
import { getCustomersByIds, type CustomerRow } from '../customers/customers.service.ts';
import type { Db } from '../db/database.ts';
import type { CartCustomer } from '../loyalty/calculate.ts';
import type { BalanceTypeDefinition, SegmentDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { segmentsOfCustomers, wantedSegmentsOf } from '../segments/segments.service.ts';
import { LEVEL_FIELD, levelsDiffer, levelsOf, type Levels } from './levels.ts';

export interface Programs {
  current: ProjectSnapshot;
  proposed: ProjectSnapshot;
  /** the proposed segments whose definitions are new or changed: evaluated for it */
  reevaluated: SegmentDefinition[];
  /** the segments whose stored membership the proposed program does not keep (changed or gone) */
  replaced: ReadonlySet<string>;
  currentLevels: Levels;
  proposedLevels: Levels;
  /** whether the proposed program gives levels differently */
  levelsChanged: boolean;
}

export function comparePrograms(current: ProjectSnapshot, proposed: ProjectSnapshot): Programs {
  const same = (segment: SegmentDefinition) => JSON.stringify(current.segment(segment.systemName)) === JSON.stringify(segment);
  const reevaluated = proposed.definition.segments.filter((segment) => !same(segment));
  const replaced = new Set([
    ...reevaluated.map((segment) => segment.systemName),
    ...current.definition.segments.filter((segment) => !proposed.segment(segment.systemName)).map((segment) => segment.systemName),
  ]);
  return {
    current,
    proposed,
    reevaluated,
    replaced,
    currentLevels: levelsOf(current.definition),
    proposedLevels: levelsOf(proposed.definition),
    levelsChanged: levelsDiffer(current.definition, proposed.definition),
  };
}

/** A guest as the calculation sees them under each program. */
export interface GuestUnderPrograms {
  customer: CustomerRow;
  current: CartCustomer;
  proposed: CartCustomer;
}

/** These guests (those that exist) under both programs, by id. */
export async function guestsUnderPrograms(db: Db, programs: Programs, customerIds: number[], now: Date): Promise<Map<number, GuestUnderPrograms>> {
  const ids = [...new Set(customerIds)];
  const [customers, stored, evaluated] = await Promise.all([
    getCustomersByIds(db, ids),
    segmentsOfCustomers(db, ids),
    wantedSegmentsOf(db, programs.reevaluated, ids, now),
  ]);
  const guests = new Map<number, GuestUnderPrograms>();
  for (const customer of customers) {
    const fields = (customer.custom_fields ?? {}) as Record<string, unknown>;
    const segments = stored.get(customer.id) ?? [];
    const proposedSegments = [...segments.filter((segment) => !programs.replaced.has(segment)), ...(evaluated.get(customer.id) ?? [])];
    guests.set(customer.id, {
      customer,
      current: { isPhoneConfirmed: customer.is_mobile_phone_confirmed, segments, customFields: fields },
      proposed: {
        isPhoneConfirmed: customer.is_mobile_phone_confirmed,
        segments: proposedSegments,
        customFields: programs.levelsChanged ? withLevel(fields, programs.proposedLevels.levelOf(new Set(proposedSegments))) : fields,
      },
    });
  }
  return guests;
}

/** A guest of a level (a level segment) who is no one in particular, as a program sees them. */
export function guestOfLevel(levels: Levels, segment: string): CartCustomer {
  return { isPhoneConfirmed: true, segments: [segment], customFields: withLevel({}, levels.levelOf(new Set([segment]))) };
}

/** The fields with the level a program gives; none (in no level segment) leaves the stored one, as the scenario never clears it. */
function withLevel(fields: Record<string, unknown>, level: string | null): Record<string, unknown> {
  return level === null ? fields : { ...fields, [LEVEL_FIELD]: level };
}

/**
 * What a program's orders are priced with, as its authorized orders are: the balance type and phone confirmation
 * of its CreateAuthorizedOrder operation (the only balance type when the operation names none).
 */
export function orderSettingsOf(project: ProjectSnapshot): { balanceType: BalanceTypeDefinition | null; confirmsPhones: boolean } {
  const operation = project.definition.operations.find((candidate) => candidate.type === 'CreateAuthorizedOrder');
  const named = (operation?.settings as { balanceType?: string } | undefined)?.balanceType;
  const all = project.definition.balanceTypes;
  const balanceType = named ? (project.balanceType(named) ?? null) : all.length === 1 ? all[0] : null;
  const point = operation ? project.integrationPoint(operation.integrationPoints[0]) : undefined;
  return { balanceType, confirmsPhones: point?.phoneConfirmation ?? false };
}

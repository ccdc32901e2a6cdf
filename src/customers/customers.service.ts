// Finding guests by what the POS knows about them, and showing a guest in the protocol's shape.
import type { Db } from '../db/database.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../shared/errors.ts';
import * as repository from './customers.repository.ts';
import { normalizePhone } from './phone.ts';

export type CustomerRow = repository.CustomerRow;

export type CustomerLookup =
  | { status: 'Found'; customer: CustomerRow }
  | { status: 'NotFound' }
  | { status: 'Ambiguous' }
  | { status: 'NoIdentifiers' };

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * Finds the guest a request's `customer` node names: by `ids.mindboxId`, identifier custom fields in `ids`,
 * `mobilePhone` or `discountCard.ids.number`. Identifiers that point to different guests are `Ambiguous`.
 */
export async function findCustomer(db: Db, project: ProjectSnapshot, node: unknown, location = '/customer'): Promise<CustomerLookup> {
  if (!isObject(node)) return { status: 'NoIdentifiers' };
  const problems: ValidationMessage[] = [];
  const candidates: number[][] = [];

  const ids = isObject(node.ids) ? node.ids : {};
  for (const [key, value] of Object.entries(ids)) {
    if (value === null || value === undefined || value === '') continue;
    if (key === 'mindboxId') {
      const id = Number(value);
      if (!Number.isSafeInteger(id) || id <= 0) {
        problems.push({ location: `${location}/ids/mindboxId`, message: 'mindboxId must be a positive whole number' });
        continue;
      }
      candidates.push((await repository.getCustomer(db, id)) ? [id] : []);
    } else if (project.customField('Customer', key)) {
      candidates.push(await repository.findIdsByCustomField(db, key, String(value)));
    } else {
      problems.push({ location: `${location}/ids/${key}`, message: `"${key}" is not a customer identifier of this project` });
    }
  }
  if (node.mobilePhone !== undefined && node.mobilePhone !== null && node.mobilePhone !== '') {
    const phone = normalizePhone(node.mobilePhone);
    if (!phone) problems.push({ location: `${location}/mobilePhone`, message: 'is not a valid mobile phone number' });
    else candidates.push(await repository.findIdsByPhone(db, phone));
  }
  const card = isObject(node.discountCard) && isObject(node.discountCard.ids) ? node.discountCard.ids.number : undefined;
  if (card !== undefined && card !== null && card !== '') {
    candidates.push(await repository.findIdsByDiscountCard(db, String(card).trim()));
  }
  if (problems.length) throw validationError(problems);
  if (candidates.length === 0) return { status: 'NoIdentifiers' };
  const found = new Set(candidates.flat());
  if (found.size > 1 || candidates.some((list) => list.length > 1)) return { status: 'Ambiguous' };
  if (found.size === 0 || candidates.some((list) => list.length === 0)) {
    // every identifier given must point to the same guest; one that finds nobody while another finds a guest is ambiguous
    return found.size === 0 ? { status: 'NotFound' } : { status: 'Ambiguous' };
  }
  const customer = await repository.getCustomer(db, [...found][0]);
  return customer ? { status: 'Found', customer } : { status: 'NotFound' };
}

/** The guest as the protocol shows it: only filled fields. */
export function toWireCustomer(customer: CustomerRow): Record<string, unknown> {
  const wire: Record<string, unknown> = { ids: { mindboxId: customer.id } };
  const put = (key: string, value: unknown) => {
    if (value !== null && value !== undefined && value !== '') wire[key] = value;
  };
  put('mobilePhone', customer.mobile_phone);
  wire.isMobilePhoneConfirmed = customer.is_mobile_phone_confirmed;
  put('pendingMobilePhone', customer.pending_mobile_phone);
  put('email', customer.email);
  put('lastName', customer.last_name);
  put('firstName', customer.first_name);
  put('middleName', customer.middle_name);
  put('birthDate', customer.birth_date);
  put('sex', customer.sex);
  if (customer.discount_card) wire.discountCard = { ids: { number: customer.discount_card } };
  wire.customFields = customer.custom_fields ?? {};
  return wire;
}

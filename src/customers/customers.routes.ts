// Admin API of the guests: GET /api/admin/customers finds them by phone (any format), card or name;
// GET /api/admin/customers/:id is a guest's card with the profile, rank, segments, confirmed phone and balances.
// (A guest's ledger and adjustments are the loyalty module's routes, their scenario runs the scenarios module's.)
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor, idCursor, nextCursor } from '../http/pagination.ts';
import { customerBalancesMinor, toWireBalance } from '../loyalty/balances.ts';
import { segmentsOfCustomer } from '../segments/segments.service.ts';
import { AppError } from '../shared/errors.ts';
import { getCustomerById, searchCustomers, type CustomerRow } from './customers.service.ts';
import { phoneForLookup, type CountryCode } from './phone.ts';

export const customerSearchQuery = z.object({
  q: z.string().trim().max(200).optional().describe('a phone in any format, a discount card number, or the start of a last name (optionally followed by a first name)'),
  before: beforeCursor(idCursor),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const customerSummary = z.object({
  id: z.number(),
  mobilePhone: z.string().nullable(),
  isMobilePhoneConfirmed: z.boolean(),
  pendingMobilePhone: z.string().nullable(),
  lastName: z.string().nullable(),
  firstName: z.string().nullable(),
  middleName: z.string().nullable(),
  discountCard: z.string().nullable(),
  rank: z.string().nullable(),
  createdAt: z.string(),
});

const idParams = z.object({ id: z.coerce.number().int().positive() });

function summary(row: CustomerRow) {
  const rank = row.custom_fields?.Rank;
  return {
    id: row.id,
    mobilePhone: row.mobile_phone,
    isMobilePhoneConfirmed: row.is_mobile_phone_confirmed,
    pendingMobilePhone: row.pending_mobile_phone,
    lastName: row.last_name,
    firstName: row.first_name,
    middleName: row.middle_name,
    discountCard: row.discount_card,
    rank: typeof rank === 'string' ? rank : null,
    createdAt: row.created_at.toISOString(),
  };
}

/** What a typed search means: a phone (read as phones are everywhere, in the project's country unless it has a code), a card number, or a name (last name first). */
export function interpretSearch(text: string, defaultCountry: CountryCode): { phone?: string; discountCard?: string; lastNamePrefix?: string; firstNamePrefix?: string }[] {
  const q = text.trim();
  if (!q) return [{}];
  const ways: ReturnType<typeof interpretSearch> = [];
  const phone = phoneForLookup(q, defaultCountry);
  if (phone) ways.push({ phone });
  if (/^[\p{L}\p{N}\-\s]+$/u.test(q) && /\d/.test(q)) ways.push({ discountCard: q.replace(/\s+/g, '') });
  if (!/\d/.test(q)) {
    const [last, first] = q.toLowerCase().split(/\s+/);
    ways.push({ lastNamePrefix: last, ...(first ? { firstNamePrefix: first } : {}) });
    if (!first) ways.push({ firstNamePrefix: last });
  }
  return ways;
}

export const customersRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/customers',
      tag: 'Guests',
      summary: 'Find guests',
      description: 'Without `q`: the newest guests. A phone matches the confirmed or the pending phone; a name matches from its start.',
      query: customerSearchQuery,
      response: z.object({ items: z.array(customerSummary), next: z.string().nullable() }),
    },
    async ({ query }) => {
      const ways = interpretSearch(query.q ?? '', app.project.current.settings.defaultCountry);
      const found = new Map<number, CustomerRow>();
      for (const way of ways) {
        for (const row of await searchCustomers(app.db, { ...way, beforeId: query.before, limit: query.limit })) found.set(row.id, row);
      }
      const items = [...found.values()].sort((a, b) => b.id - a.id).slice(0, query.limit).map(summary);
      return { items, next: nextCursor(items, query.limit, (last) => String(last.id)) };
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/customers/:id',
      tag: 'Guests',
      summary: "A guest's card: profile, rank, segments, balances",
      params: idParams,
      response: customerSummary.extend({
        email: z.string().nullable(),
        birthDate: z.string().nullable(),
        sex: z.string().nullable(),
        registeredVia: z.string().nullable(),
        customFields: z.record(z.string(), z.unknown()),
        segments: z.array(z.object({ systemName: z.string(), name: z.string(), enteredAt: z.string().nullable() })),
        balances: z.array(z.object({ systemName: z.string(), name: z.string(), total: z.number(), available: z.number(), blocked: z.number() })),
      }),
    },
    async ({ params }) => {
      const row = await getCustomerById(app.db, params.id);
      if (!row) throw new AppError('not_found', `no guest with id ${params.id}`);
      const project = app.project.current;
      const [balances, segments] = await Promise.all([
        customerBalancesMinor(app.db, project, row.id, project.definition.balanceTypes.map((type) => type.systemName), app.now()),
        segmentsOfCustomer(app.db, row.id),
      ]);
      return {
        ...summary(row),
        email: row.email,
        birthDate: row.birth_date,
        sex: row.sex,
        registeredVia: row.registered_via,
        customFields: row.custom_fields ?? {},
        segments: segments.map((segment) => ({
          systemName: segment.segment,
          name: project.definition.segments.find((s) => s.systemName === segment.segment)?.name ?? segment.segment,
          enteredAt: segment.entered_at ? new Date(segment.entered_at).toISOString() : null,
        })),
        balances: balances.map((balance) => ({ ...toWireBalance(balance), name: balance.balanceType.name })),
      };
    },
  );
};

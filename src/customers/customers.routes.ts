// Admin API of the guests: GET /api/admin/customers finds them by phone (any format), card or name;
// GET /api/admin/customers/:id is a guest's card with the profile, rank, segments, confirmed phone, balances and
// subscriptions; a guest's consent changes with a reason (POST …/:id/subscriptions) and keeps its history
// (GET …/:id/subscription-history).
// (A guest's ledger and adjustments are the loyalty module's routes, their scenario runs the scenarios module's.)
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor, idCursor, nextCursor } from '../http/pagination.ts';
import { customerBalancesMinor, toWireBalance } from '../loyalty/balances.ts';
import { segmentsOfCustomer } from '../segments/segments.service.ts';
import { AppError } from '../shared/errors.ts';
import { inTransaction } from '../db/database.ts';
import { getCustomerById, searchCustomers, type CustomerRow } from './customers.service.ts';
import { changeConsent, guestSubscriptions, subscriptionHistory } from './subscriptions.service.ts';
import { MAX_BRAND_OR_TOPIC, MIN_REASON, pointOfContactNamed, POINTS_OF_CONTACT, type Subscription, type SubscriptionHistoryEntry } from './subscriptions.ts';
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

const subscription = z.object({
  pointOfContact: z.enum(POINTS_OF_CONTACT),
  brand: z.string().nullable(),
  topic: z.string().nullable(),
  isSubscribed: z.boolean(),
  changedAt: z.string(),
});

const subscriptionView = (item: Subscription) => ({ ...item, changedAt: item.changedAt.toISOString() });

const consentChange = z.object({
  pointOfContact: z
    .string()
    .transform((name, context) => {
      const channel = pointOfContactNamed(name);
      if (!channel) context.addIssue({ code: 'custom', message: `must be one of ${POINTS_OF_CONTACT.join(', ')}` });
      return channel ?? z.NEVER;
    })
    .describe(`the channel: ${POINTS_OF_CONTACT.join(', ')}`),
  isSubscribed: z.boolean(),
  brand: z.string().trim().min(1).max(MAX_BRAND_OR_TOPIC).nullish().describe('the consent within one brand; leave out for the channel as a whole'),
  topic: z.string().trim().min(1).max(MAX_BRAND_OR_TOPIC).nullish().describe('the consent to one topic; leave out for the channel as a whole'),
  reason: z.string().trim().min(MIN_REASON).max(500).describe('why, as the history will show it: "asked at the counter to get no more SMS"'),
});

const historyEntry = z.object({
  id: z.number(),
  pointOfContact: z.enum(POINTS_OF_CONTACT),
  brand: z.string().nullable(),
  topic: z.string().nullable(),
  wasSubscribed: z.boolean().nullable().describe('null: the guest had given no answer before'),
  isSubscribed: z.boolean(),
  at: z.string(),
  source: z.enum(['operation', 'admin', 'reply']).describe('reply: the guest answered an SMS with STOP; actor is then the SMS connection, reason the word'),
  integrationPoint: z.string().nullable(),
  operation: z.string().nullable(),
  actor: z.string().nullable(),
  reason: z.string().nullable(),
});

function historyView(entry: SubscriptionHistoryEntry) {
  const { source, at, ...rest } = entry;
  return {
    ...rest,
    at: at.toISOString(),
    source: source.kind,
    integrationPoint: source.kind === 'operation' ? source.integrationPoint : null,
    operation: source.kind === 'operation' ? source.operation : null,
    actor: source.kind === 'admin' ? source.actor : source.kind === 'reply' ? source.connection : null,
    reason: source.kind === 'admin' ? source.reason : source.kind === 'reply' ? source.text : null,
  };
}

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
        subscriptions: z.array(subscription),
      }),
    },
    async ({ params }) => {
      const row = await getCustomerById(app.db, params.id);
      if (!row) throw new AppError('not_found', `no guest with id ${params.id}`);
      const project = app.project.current;
      const [balances, segments, subscriptions] = await Promise.all([
        customerBalancesMinor(app.db, project, row.id, project.definition.balanceTypes.map((type) => type.systemName), app.now()),
        segmentsOfCustomer(app.db, row.id),
        guestSubscriptions(app.db, row.id),
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
        subscriptions: subscriptions.map(subscriptionView),
      };
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/customers/:id/subscriptions',
      tag: 'Guests',
      summary: "Changes a guest's consent to be written to on a channel; the reason and who gave it are kept in the history",
      description: 'A guest who never answered on a channel is not subscribed: campaigns write only to those who are.',
      params: idParams,
      body: consentChange,
      response: z.object({ status: z.enum(['Changed', 'NotChanged']), subscriptions: z.array(subscription) }),
    },
    async ({ params, body, principal }) => {
      const { reason, ...change } = body;
      const result = await inTransaction(app.db, (trx) =>
        changeConsent(trx, {
          customerId: params.id,
          change: { ...change, brand: change.brand ?? null, topic: change.topic ?? null },
          actor: principal.name,
          reason,
          now: app.now(),
        }),
      );
      if (result.status === 'NotFound') throw new AppError('not_found', `no guest with id ${params.id}`);
      return { status: result.status, subscriptions: result.subscriptions.map(subscriptionView) };
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/customers/:id/subscription-history',
      tag: 'Guests',
      summary: "Every change of a guest's consents, newest first: when, old and new value, and through which integration point and operation or by whom and why",
      params: idParams,
      query: z.object({ before: beforeCursor(idCursor), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: z.object({ items: z.array(historyEntry), next: z.string().nullable() }),
    },
    async ({ params, query }) => {
      if (!(await getCustomerById(app.db, params.id))) throw new AppError('not_found', `no guest with id ${params.id}`);
      const items = (await subscriptionHistory(app.db, params.id, { beforeId: query.before, limit: query.limit })).map(historyView);
      return { items, next: nextCursor(items, query.limit, (last) => String(last.id)) };
    },
  );
};

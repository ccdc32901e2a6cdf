// Admin API: GET /api/admin/dashboard — how the loyalty program performs over a date range, per local day
// of the project's time zone, each series one grouped query over an indexed time column. Revenue is the sum
// of order totals by the day the order was executed (returns are not subtracted). A venue narrows the series
// made of orders (VENUE_SERIES), the others stay for all venues. It reads the services of several modules,
// so it is the console's own route rather than one module's; no module imports it.
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { countCustomersBefore, customFieldDistribution, newCustomersPerDay } from '../customers/customers.service.ts';
import { adminRoute, invalidInput, type AdminRoutes } from '../http/admin-route.ts';
import { applePassHolders } from '../guestcard/apple-wallet.service.ts';
import { googleWalletHolders } from '../guestcard/google-wallet.service.ts';
import { countParkedWork } from '../jobs/parked-work.ts';
import { pointsPerDay } from '../loyalty/ledger.service.ts';
import { messagesPerDay } from '../messaging/mailings.service.ts';
import { ordersPerDay, pointsOfContact } from '../orders/orders.service.ts';
import { fromNumeric, toDecimal } from '../shared/money.ts';
import { localDate, startOfLocalDay } from '../shared/time-zone.ts';

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const dashboardQuery = z.object({
  from: isoDay.optional().describe('first day (local to the project time zone); default: 29 days before `to`'),
  to: isoDay.optional().describe('last day, included; default: today'),
  pointOfContact: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('a venue: orders, revenue and the points earned, spent and returned on orders made there; guests, ranks, SMS, expiries and adjustments carry no venue'),
});

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The series a venue narrows: those made of orders. Guests, ranks and SMS carry no venue. */
const VENUE_SERIES = ['orders', 'revenue', 'pointsEarned', 'pointsSpent', 'pointsReturned'] as const;

const perDay = <T extends object>(shape: T) => z.array(z.object({ day: z.string(), ...shape }));
const count = z.number();

export const dashboardResponse = z.object({
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  pointOfContact: z.string().nullable(),
  venues: z.array(z.string()),
  guests: z.object({ before: z.number(), perDay: perDay({ new: count, total: count }) }),
  orders: z.object({ perDay: perDay({ orders: count, withGuest: count, anonymous: count, revenue: count, revenueWithGuest: count, revenueAnonymous: count }) }),
  points: z
    .object({ balanceType: z.string(), perDay: perDay({ earned: count, spent: count, expired: count.nullable(), returned: count, adjusted: count.nullable() }) })
    .nullable()
    .describe('with a venue, `expired` and `adjusted` are null: they belong to no order'),
  ranks: z.array(z.object({ rank: z.string().nullable(), guests: count })),
  messages: z.object({ perDay: perDay({ sent: count, delivered: count, failed: count, pending: count }) }),
  narrowedByVenue: z.array(z.enum(VENUE_SERIES)).describe('the series the venue filter narrowed; empty without a venue'),
  parkedWork: count.describe('jobs and async calls parked now, whatever the dates (GET /api/admin/jobs lists them)'),
  walletPasses: count.nullable().describe('guests whose card is in Apple Wallet on some device now, whatever the dates; null: Apple Wallet is not configured'),
  googleWalletPasses: count
    .nullable()
    .describe("guests who took the card's Google Wallet save link, whatever the dates (Google does not tell whether they saved it); null: Google Wallet is not configured"),
});

export const dashboardRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/dashboard',
      tag: 'Dashboard',
      summary: 'Guests, orders, points, ranks and SMS per day',
      description: 'Days are local to the project time zone; `to` is included. At most 366 days.',
      query: dashboardQuery,
      response: dashboardResponse,
    },
    async ({ query }): Promise<z.infer<typeof dashboardResponse>> => {
      const project = app.project.current;
      const timeZone = project.settings.timeZone;
      const to = query.to ?? localDate(app.now(), timeZone);
      const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
      const days = daysBetween(from, to);
      if (days.length === 0) throw invalidInput('query', [{ location: '/from', message: 'is after `to`' }]);
      if (days.length > MAX_DAYS) throw invalidInput('query', [{ location: '/from', message: `at most ${MAX_DAYS} days before \`to\`` }]);
      const start = startOfLocalDay(from, timeZone);
      const end = startOfLocalDay(new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10), timeZone);
      const balanceType = project.definition.balanceTypes[0];
      const rankField = project.customField('Customer', 'Rank') ? 'Rank' : null;

      const [before, newGuests, orders, venues, points, ranks, messages, parkedWork, walletPasses, googleWalletPasses] = await Promise.all([
        countCustomersBefore(app.db, start),
        newCustomersPerDay(app.db, start, end, timeZone),
        ordersPerDay(app.db, { from: start, to: end, timeZone, pointOfContact: query.pointOfContact }),
        pointsOfContact(app.db),
        balanceType ? pointsPerDay(app.db, { from: start, to: end, timeZone, balanceType: balanceType.systemName, pointOfContact: query.pointOfContact }) : Promise.resolve(null),
        rankField ? customFieldDistribution(app.db, rankField) : Promise.resolve([]),
        messagesPerDay(app.db, start, end, timeZone),
        countParkedWork(app.db),
        app.config.guestCard.apple ? applePassHolders(app.db) : Promise.resolve(null),
        app.config.guestCard.google ? googleWalletHolders(app.db) : Promise.resolve(null),
      ]);

      let total = before;
      const newByDay = new Map(newGuests.map((row) => [row.day, Number(row.count)]));
      const guests = days.map((day) => {
        const fresh = newByDay.get(day) ?? 0;
        total += fresh;
        return { day, new: fresh, total };
      });

      const pointsByDay = new Map<string, Record<string, number>>();
      for (const row of points ?? []) (pointsByDay.get(row.day) ?? pointsByDay.set(row.day, {}).get(row.day)!)[row.kind] = Number(row.amount);
      const messagesByDay = new Map<string, Record<string, number>>();
      for (const row of messages) (messagesByDay.get(row.day) ?? messagesByDay.set(row.day, {}).get(row.day)!)[row.status] = Number(row.count);
      // revenue in kopecks until it is shown
      const ordersByDay = new Map<string, { guest: { orders: number; revenue: number }; anonymous: { orders: number; revenue: number } }>();
      for (const row of orders) {
        const day = ordersByDay.get(row.day) ?? ordersByDay.set(row.day, { guest: { orders: 0, revenue: 0 }, anonymous: { orders: 0, revenue: 0 } }).get(row.day)!;
        day[row.with_guest ? 'guest' : 'anonymous'] = { orders: Number(row.orders), revenue: fromNumeric(row.revenue) };
      }

      return {
        from,
        to,
        timeZone,
        pointOfContact: query.pointOfContact ?? null,
        venues: [...new Set([...venues, ...project.definition.integrationPoints.map((point) => point.pointOfContact).filter((v): v is string => !!v)])].sort(),
        guests: { before, perDay: guests },
        orders: {
          perDay: days.map((day) => {
            const { guest, anonymous } = ordersByDay.get(day) ?? { guest: { orders: 0, revenue: 0 }, anonymous: { orders: 0, revenue: 0 } };
            return {
              day,
              orders: guest.orders + anonymous.orders,
              withGuest: guest.orders,
              anonymous: anonymous.orders,
              revenue: toDecimal(guest.revenue + anonymous.revenue),
              revenueWithGuest: toDecimal(guest.revenue),
              revenueAnonymous: toDecimal(anonymous.revenue),
            };
          }),
        },
        points: balanceType
          ? {
              balanceType: balanceType.systemName,
              perDay: days.map((day) => {
                const kinds = pointsByDay.get(day) ?? {};
                return {
                  day,
                  earned: kinds.accrual ?? 0,
                  spent: -(kinds.spend ?? 0),
                  expired: query.pointOfContact ? null : -(kinds.expiry ?? 0),
                  returned: (kinds.accrualReversal ?? 0) + (kinds.spendRefund ?? 0),
                  adjusted: query.pointOfContact ? null : (kinds.adjustment ?? 0),
                };
              }),
            }
          : null,
        ranks: ranks.map((row) => ({ rank: row.value, guests: Number(row.count) })),
        messages: {
          perDay: days.map((day) => {
            const statuses = messagesByDay.get(day) ?? {};
            return { day, sent: (statuses.sent ?? 0) + (statuses.delivered ?? 0), delivered: statuses.delivered ?? 0, failed: statuses.failed ?? 0, pending: (statuses.queued ?? 0) + (statuses.sending ?? 0) };
          }),
        },
        narrowedByVenue: query.pointOfContact ? [...VENUE_SERIES] : [],
        parkedWork,
        walletPasses,
        googleWalletPasses,
      };
    },
  );
};

// Admin API of the points and coupons: a guest's ledger (every change of every balance, explained), manual
// adjustments with a required reason, and issuing coupon codes in a pool.
//   GET  /api/admin/customers/:id/ledger?balanceType=&before=&limit=
//   POST /api/admin/customers/:id/adjustments   {balanceType, amount, reason}
//   POST /api/admin/coupon-pools/:pool/codes     {count}
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { getCustomerById } from '../customers/customers.service.ts';
import { inTransaction } from '../db/database.ts';
import { adminRoute, invalidInput, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor, idCursor, nextCursor } from '../http/pagination.ts';
import { AppError } from '../shared/errors.ts';
import { customerBalances } from './balances.ts';
import { couponPoolStatistics, issueCoupons, MAX_CODES_PER_CALL } from './coupons.service.ts';
import { adjustBalance, customerLedger } from './ledger.service.ts';

const customerParams = z.object({ id: z.coerce.number().int().positive() });

export const loyaltyRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/customers/:id/ledger',
      summary: "A guest's points ledger: every change of every balance with its reason and source, newest first",
      tag: 'Points',
      params: customerParams,
      query: z.object({
        balanceType: z.string().optional(),
        before: beforeCursor(idCursor),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    async ({ params, query: { before, ...filters } }) => {
      const project = app.project.current;
      if (!(await getCustomerById(app.db, params.id))) throw new AppError('not_found', `there is no guest ${params.id}`);
      const balanceTypes = project.definition.balanceTypes.map((type) => type.systemName);
      const [balances, items] = await Promise.all([
        customerBalances(app.db, project, params.id, balanceTypes, app.now()),
        customerLedger(app.db, project, params.id, { ...filters, beforeId: before }),
      ]);
      return { balances, items, next: nextCursor(items, filters.limit, (last) => String(last.id)) };
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/customers/:id/adjustments',
      summary: "Changes a guest's balance by hand; the reason is kept in the ledger",
      tag: 'Points',
      params: customerParams,
      body: z.object({
        balanceType: z.string().min(1),
        amount: z.union([z.number(), z.string()]).describe('points, negative to take: 100, -50, 12.5 for fractional types'),
        reason: z.string().describe('why, in words the guest can be told'),
      }),
    },
    async ({ params, body, principal }) => {
      const project = app.project.current;
      const balanceType = project.balanceType(body.balanceType);
      if (!balanceType) throw invalidInput('body', [{ location: '/balanceType', message: `"${body.balanceType}" is not a balance type of this project` }]);
      if (!(await getCustomerById(app.db, params.id))) throw new AppError('not_found', `there is no guest ${params.id}`);
      const now = app.now();
      const { entryId } = await inTransaction(app.db, (trx) =>
        adjustBalance(trx, project, { customerId: params.id, balanceType, amount: body.amount, reason: body.reason, actor: principal.name, now }),
      );
      const [balance] = await customerBalances(app.db, project, params.id, [balanceType.systemName], now);
      return { entryId, balance };
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/coupon-pools/:pool/codes',
      summary: 'Generates new coupon codes in a pool of the project',
      tag: 'Points',
      params: z.object({ pool: z.string().min(1) }),
      body: z.object({ count: z.number().int().min(1).max(MAX_CODES_PER_CALL) }),
    },
    async ({ params, body }) => {
      const codes = await inTransaction(app.db, (trx) => issueCoupons(trx, app.project.current, params.pool, body.count, app.now()));
      return { pool: params.pool, codes, ...(await couponPoolStatistics(app.db, params.pool)) };
    },
  );
};

// The admin console's own routes: who is signed in, and the people who may sign in (owners see them).
import { z } from 'zod';
import { adminRoute } from './api.ts';
import { dashboardRoutes } from './dashboard.routes.ts';
import { guestsRoutes } from './guests.routes.ts';
import { operationLogRoutes } from './operation-log.routes.ts';
import { ordersListRoutes } from './orders-list.routes.ts';
import { projectRoutes } from './project.routes.ts';
import { smsLogRoutes } from './sms-log.routes.ts';
import type { AdminRoutes } from './routes.ts';
import { listUsers } from './users.service.ts';

const meRoutes: AdminRoutes = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/me',
      tag: 'Console',
      summary: 'Who is calling, with which role, and what the project is',
      response: z.object({
        name: z.string(),
        role: z.enum(['owner', 'marketer', 'viewer']),
        via: z.enum(['session', 'token']),
        project: z.object({ version: z.number(), timeZone: z.string(), balanceTypes: z.array(z.object({ systemName: z.string(), name: z.string(), fractional: z.boolean() })) }),
      }),
    },
    async ({ principal }) => {
      const project = app.project.current;
      return {
        ...principal,
        project: {
          version: project.version,
          timeZone: project.settings.timeZone,
          balanceTypes: project.definition.balanceTypes.map(({ systemName, name, fractional }) => ({ systemName, name, fractional })),
        },
      };
    },
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/users',
      tag: 'Console',
      summary: 'People who may sign in to the console',
      description: 'Users are added with `regulars users add NAME --role owner|marketer|viewer`.',
      role: 'owner',
      response: z.object({ items: z.array(z.object({ name: z.string(), role: z.string(), createdAt: z.string(), disabled: z.boolean() })) }),
    },
    async () => ({ items: await listUsers(app.db) }),
  );
};

/** Every route set of the console, in one list for routes.ts. */
export const consoleRoutes: AdminRoutes = async (admin, app) => {
  for (const routes of [meRoutes, guestsRoutes, dashboardRoutes, ordersListRoutes, operationLogRoutes, projectRoutes, smsLogRoutes]) await routes(admin, app);
};

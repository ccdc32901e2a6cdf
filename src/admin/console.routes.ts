// The admin console's own routes: who is signed in, and the people who may sign in (owners see them).
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { listUsers } from './users.service.ts';

export const consoleRoutes: AdminRoutes<AppContext> = (admin, app) => {
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

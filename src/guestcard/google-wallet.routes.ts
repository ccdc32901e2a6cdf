// Google Wallet (decision 0024), when configured:
//   GET /card/wallet/google   the signed-in guest's card saved to Google Wallet: a redirect to Google's save link
// The link is made when asked for, so the JWT in it carries the card as it is now and is nowhere in the page.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { googleSaveLinkOfGuest, googleWalletOf } from './google-wallet.service.ts';
import { guestOfRequest } from './session-cookie.ts';

export function registerGoogleWalletRoutes(server: FastifyInstance, app: AppContext): void {
  const wallet = googleWalletOf(app);
  if (!wallet) return;

  server.get('/card/wallet/google', async (request, reply) => {
    const customerId = await guestOfRequest(app, request);
    const link = customerId === null ? null : await googleSaveLinkOfGuest(app.db, wallet, app.project.current, customerId, app.now());
    return reply.status(303).header('cache-control', 'no-store').header('location', link ?? '/card').send();
  });
}

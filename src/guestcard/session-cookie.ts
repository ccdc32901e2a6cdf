// The guest session's cookie of the card page (decision 0023), read by the card's routes and the Wallet downloads.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { sessionGuest } from './guestcard.service.ts';

export const SESSION_COOKIE = 'regulars_guest';

export function cookieOf(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim() || null;
  }
  return null;
}

/** The signed-in guest of the request, or null. */
export async function guestOfRequest(app: Pick<AppContext, 'db' | 'now'>, request: FastifyRequest): Promise<number | null> {
  const sessionId = cookieOf(request, SESSION_COOKIE);
  return sessionId ? sessionGuest(app.db, sessionId, app.now()) : null;
}

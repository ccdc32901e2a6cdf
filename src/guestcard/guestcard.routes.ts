// The guest's card page at /card (decision 0023), apart from the console and its sessions:
//   GET  /card                 the card, or the sign-in form        (?lang=en|ru switches the language)
//   POST /card/code            phone → an SMS code (same answer for every phone)
//   POST /card/sign-in         phone + code → the guest session cookie
//   POST /card/consent         channel + subscribe → the consent switched
//   POST /card/sign-out
// Forms only (application/x-www-form-urlencoded), from this server's own pages (Origin), with a SameSite=Strict
// cookie limited to /card; answers are never cached.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { overHttps } from '../http/https.ts';
import { AppError } from '../shared/errors.ts';
import { appleWalletOf } from './apple-wallet.service.ts';
import { googleWalletOf } from './google-wallet.service.ts';
import { cardPage, codePage, messages, phonePage, type Language, type PageStyle } from './guestcard.page.ts';
import {
  CARD_CHANNELS,
  cardSettings,
  GUEST_SESSION_LIFETIME_MS,
  guestCard,
  requestSignInCode,
  signIn,
  signOut,
  switchConsent,
  type CardDeps,
} from './guestcard.service.ts';
import { cookieOf, guestOfRequest, SESSION_COOKIE } from './session-cookie.ts';

const LANGUAGE_COOKIE = 'regulars_guest_lang';
/** a phone and a code, or a channel: a form of a few dozen bytes */
const FORM_BODY_LIMIT_BYTES = 2048;

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // not no-referrer: with it a browser posts forms with `Origin: null`, which the forms' check refuses
  'referrer-policy': 'same-origin',
} as const;

function languageOf(request: FastifyRequest): Language {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (asked === 'en' || asked === 'ru') return asked;
  return cookieOf(request, LANGUAGE_COOKIE) === 'en' ? 'en' : 'ru';
}

/** A form posted by this server's own page: anything else (another site's form, a script's JSON) is refused. */
function formOf(request: FastifyRequest): URLSearchParams {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') throw new AppError('bad_request', 'send the form of the card page');
  const origin = request.headers.origin;
  if (origin !== undefined) {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      // "null" or no URL: not our page
    }
    if (host !== request.host) throw new AppError('forbidden', "the card page's forms are accepted from its own pages only");
  }
  return new URLSearchParams(typeof request.body === 'string' ? request.body : '');
}

export function registerGuestCardRoutes(server: FastifyInstance, app: AppContext): void {
  const deps = (): CardDeps => ({ project: app.project.current, now: app.now(), secrets: app.secrets, defaultSmsUrl: app.config.smsUrl });
  const style = (): PageStyle => cardSettings(app.project.current);
  const title = () => cardSettings(app.project.current).title;
  const cookie = (request: FastifyRequest, name: string, value: string, maxAgeSeconds: number, httpOnly = true) =>
    `${name}=${value}; Path=/card; ${httpOnly ? 'HttpOnly; ' : ''}SameSite=Strict; Max-Age=${maxAgeSeconds}${overHttps(request, app.config.trustProxy) ? '; Secure' : ''}`;
  const html = (reply: FastifyReply, status: number, body: string) => reply.status(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(body);
  const back = (reply: FastifyReply) => reply.status(303).headers(PAGE_HEADERS).header('location', '/card').send();
  const signedIn = (request: FastifyRequest) => guestOfRequest(app, request);
  const waitSeconds = (error: unknown) => (error instanceof AppError && error.code === 'rate_limited' ? (error.retryAfterSeconds ?? 60) : null);

  server.get('/card', async (request, reply) => {
    const language = languageOf(request);
    const asked = (request.query as Record<string, unknown>).lang;
    if (asked === 'en' || asked === 'ru') reply.header('set-cookie', cookie(request, LANGUAGE_COOKIE, language, 365 * 86_400, false));
    const customerId = await signedIn(request);
    if (customerId === null) return html(reply, 200, phonePage(language, title(), style(), null));
    const project = app.project.current;
    const card = await guestCard(app.db, project, customerId, app.now());
    if (!card) return html(reply, 200, phonePage(language, title(), style(), null));
    return html(reply, 200, cardPage(language, style(), card, { timeZone: project.settings.timeZone, appleWallet: appleWalletOf(app) !== null, googleWallet: googleWalletOf(app) !== null }));
  });

  server.post('/card/code', { bodyLimit: FORM_BODY_LIMIT_BYTES }, async (request, reply) => {
    const language = languageOf(request);
    const form = formOf(request);
    const typedPhone = (form.get('phone') ?? '').slice(0, 40);
    try {
      const result = await requestSignInCode(app.db, deps(), { phone: typedPhone, address: request.ip }, (reason) =>
        request.log.info({ reason }, 'the card page sent no sign-in code'),
      );
      if (result.status === 'invalidPhone') return html(reply, 400, phonePage(language, title(), style(), messages(language).invalidPhone, typedPhone));
      return html(reply, 200, codePage(language, title(), style(), result.phone, null));
    } catch (error) {
      const wait = waitSeconds(error);
      if (wait === null) throw error;
      return html(reply.header('retry-after', String(wait)), 429, phonePage(language, title(), style(), messages(language).wait(wait), typedPhone));
    }
  });

  server.post('/card/sign-in', { bodyLimit: FORM_BODY_LIMIT_BYTES }, async (request, reply) => {
    const language = languageOf(request);
    const form = formOf(request);
    const phone = (form.get('phone') ?? '').slice(0, 40);
    try {
      const sessionId = await signIn(app.db, deps(), { phone, code: (form.get('code') ?? '').slice(0, 20), address: request.ip });
      if (!sessionId) return html(reply, 401, codePage(language, title(), style(), phone, messages(language).wrongCode));
      return back(reply.header('set-cookie', cookie(request, SESSION_COOKIE, sessionId, GUEST_SESSION_LIFETIME_MS / 1000)));
    } catch (error) {
      const wait = waitSeconds(error);
      if (wait === null) throw error;
      return html(reply.header('retry-after', String(wait)), 429, codePage(language, title(), style(), phone, messages(language).wait(wait)));
    }
  });

  server.post('/card/consent', { bodyLimit: FORM_BODY_LIMIT_BYTES }, async (request, reply) => {
    const form = formOf(request);
    const customerId = await signedIn(request);
    const channel = CARD_CHANNELS.find((name) => name === form.get('channel'));
    const subscribe = form.get('subscribe');
    if (customerId !== null && channel && (subscribe === 'yes' || subscribe === 'no')) await switchConsent(app.db, customerId, channel, subscribe === 'yes', app.now());
    return back(reply);
  });

  server.post('/card/sign-out', { bodyLimit: FORM_BODY_LIMIT_BYTES }, async (request, reply) => {
    formOf(request);
    const sessionId = cookieOf(request, SESSION_COOKIE);
    if (sessionId) await signOut(app.db, sessionId);
    return back(reply.header('set-cookie', cookie(request, SESSION_COOKIE, '', 0)));
  });
}

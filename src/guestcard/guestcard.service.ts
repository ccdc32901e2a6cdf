// The guest's own card (issue 17, decision 0023): signing in with the phone and an SMS code, the guest session,
// and what the card shows: the card number, the balance, the level and the way to the next one, the points
// history and the guest's consents. A phone nobody has and a phone of a guest get the same answers; the codes'
// limits per phone apply as at the till, and the card page counts requests and failures per address as well.
import { createHash, randomBytes } from 'node:crypto';
import {
  assignDiscountCard,
  checkAuthorizationCode,
  findCustomer,
  getCustomerById,
  sendAuthorizationCodeSms,
  type CustomerRow,
  type GuestContext,
} from '../customers/customers.service.ts';
import { normalizePhone } from '../customers/phone.ts';
import { changeOwnConsent, guestSubscriptions } from '../customers/subscriptions.service.ts';
import type { PointOfContact } from '../customers/subscriptions.ts';
import { inTransaction, type Db } from '../db/database.ts';
import { customerBalancesMinor, pointScale } from '../loyalty/balances.ts';
import { customerLedger } from '../loyalty/ledger.service.ts';
import { customerPaidTotal } from '../orders/orders.service.ts';
import { guestCardSettingsSchema, type GuestCardSettings } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { AppError } from '../shared/errors.ts';
import { addressCounter, addressRequestCounter, countRequest, countThenCheck, credentialCounter } from '../shared/failed-attempts.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { newCardNumber } from './card-number.ts';
import * as sessions from './guest-sessions.repository.ts';
import { levelLadder, levelProgress, type LevelProgress } from './levels.ts';

/** Short: a phone left on a table signed in is not an open card for long. */
export const GUEST_SESSION_LIFETIME_MS = 60 * 60_000;
const SIGN_IN_CODE = { length: 6, lifetime: '5m' } as const;
const HISTORY_ENTRIES = 20;
/** the channels a guest can switch on the page; the others belong to apps the venue may not have */
export const CARD_CHANNELS = ['Sms', 'Email'] as const satisfies readonly PointOfContact[];
const SOURCE = { integrationPoint: 'card', operation: 'GuestCard.SignIn' } as const;
const DAY_MS = 86_400_000;

export interface CardDeps {
  project: ProjectSnapshot;
  now: Date;
  secrets: SecretBox;
  defaultSmsUrl: string;
}

export type SignInRequest = { status: 'invalidPhone' } | { status: 'sent'; phone: string };

/** The card's settings of the project, with the defaults when it has none. */
export function cardSettings(project: ProjectSnapshot): GuestCardSettings {
  return project.settings.guestCard ?? guestCardSettingsSchema.parse({});
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
/** the failures of codes typed for one phone; keyed by a hash so the table holds no phone */
const phoneCounter = (phone: string) => credentialCounter(`card-phone:${hashOf(phone)}`);

function guestContext(deps: CardDeps): GuestContext {
  return { project: deps.project, source: SOURCE, confirmsPhones: false, now: deps.now, secrets: deps.secrets, defaultSmsUrl: deps.defaultSmsUrl };
}

/**
 * Sends a sign-in code when the phone is a guest's. The answer is the same whoever the phone is, and also when the
 * phone's limits hold the code back (the page tells when another one can be asked for); only the address's own
 * count of requests refuses, with the wait.
 */
export async function requestSignInCode(db: Db, deps: CardDeps, request: { phone: string; address: string }, onHeldBack: (reason: string) => void): Promise<SignInRequest> {
  const phone = normalizePhone(request.phone, deps.project.settings.defaultCountry);
  if (!phone) return { status: 'invalidPhone' };
  await countRequest(db, [addressRequestCounter(request.address, 'card-code')], deps.now);
  await inTransaction(db, async (trx) => {
    const lookup = await findCustomer(trx, { mobilePhone: phone });
    if (lookup.status !== 'Found') return;
    try {
      const sms = await sendAuthorizationCodeSms(trx, guestContext(deps), lookup.customer, SIGN_IN_CODE, cardSettings(deps.project).codeMailing);
      if (sms.status === 'notSent') onHeldBack(sms.reason);
    } catch (error) {
      // the phone's limits: said to nobody, or the answer would tell a guest's phone from a stranger's
      if (error instanceof AppError && error.code === 'validation') onHeldBack(error.message);
      else throw error;
    }
  });
  return { status: 'sent', phone };
}

/**
 * Checks the code typed for the phone and opens a session (its id, for the cookie; null: refused, the same for an
 * unknown phone). A guest without a card number gets one here.
 */
export async function signIn(db: Db, deps: CardDeps, request: { phone: string; code: string; address: string }): Promise<string | null> {
  const phone = normalizePhone(request.phone, deps.project.settings.defaultCountry);
  const typed = /^\d{4,8}$/.test(request.code.trim()) ? request.code.trim() : null;
  const counters = [addressCounter(request.address), ...(phone ? [phoneCounter(phone)] : [])];
  return countThenCheck(db, counters, deps.now, async () => {
    if (!phone || !typed) return null;
    return inTransaction(db, async (trx) => {
      const check = await checkAuthorizationCode(trx, guestContext(deps), { mobilePhone: phone }, typed);
      if (check.status !== 'Accepted') return null;
      await ensureCardNumber(trx, deps, check.customer);
      const sessionId = randomBytes(32).toString('base64url');
      await sessions.insertSession(trx, { idHash: hashOf(sessionId), customerId: check.customer.id, createdAt: deps.now, expiresAt: new Date(deps.now.getTime() + GUEST_SESSION_LIFETIME_MS) });
      return sessionId;
    });
  });
}

async function ensureCardNumber(db: Db, deps: CardDeps, customer: CustomerRow): Promise<void> {
  if (customer.discount_card) return;
  const settings = cardSettings(deps.project);
  // ten random digits at least: a clash is rare, and a second number settles it
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (await assignDiscountCard(db, guestContext(deps), customer.id, newCardNumber(settings))) return;
  }
  throw new Error('no free card number after 5 attempts: the card number format leaves too few numbers');
}

/** The guest a session cookie belongs to, while it lives. */
export async function sessionGuest(db: Db, sessionId: string, now: Date): Promise<number | null> {
  return (await sessions.liveSession(db, hashOf(sessionId), now))?.customer_id ?? null;
}

export async function signOut(db: Db, sessionId: string): Promise<void> {
  await sessions.deleteSession(db, hashOf(sessionId));
}

export async function deleteExpiredGuestSessions(db: Db, now: Date, limit: number): Promise<number> {
  return sessions.deleteExpiredSessions(db, now, limit);
}

export interface CardBalance {
  name: string;
  /** decimal places of the points */
  scale: 0 | 2;
  /** in the balance type's minor units */
  available: number;
  blocked: number;
  nearestExpiration: { total: number; date: string } | null;
}

export interface GuestCardView {
  title: string;
  firstName: string | null;
  cardNumber: string | null;
  balance: CardBalance | null;
  level: LevelProgress;
  history: { at: Date; amount: number; reason: string }[];
  subscriptions: { pointOfContact: (typeof CARD_CHANNELS)[number]; isSubscribed: boolean }[];
}

/** What the guest's card shows. */
export async function guestCard(db: Db, project: ProjectSnapshot, customerId: number, now: Date): Promise<GuestCardView | null> {
  const customer = await getCustomerById(db, customerId);
  if (!customer) return null;
  const settings = cardSettings(project);
  const balanceType = settings.balanceType ? project.balanceType(settings.balanceType) : project.definition.balanceTypes[0];
  const ladder = levelLadder(project.definition, settings.levelField);
  const windowDays = Math.max(0, ...ladder.map((level) => level.windowDays));
  const [balances, history, subscriptions, paid] = await Promise.all([
    balanceType ? customerBalancesMinor(db, project, customerId, [balanceType.systemName], now) : Promise.resolve([]),
    balanceType ? customerLedger(db, project, customerId, { balanceType: balanceType.systemName, limit: HISTORY_ENTRIES }) : Promise.resolve([]),
    guestSubscriptions(db, customerId),
    ladder.length ? customerPaidTotal(db, customerId, new Date(now.getTime() - windowDays * DAY_MS), now) : Promise.resolve(0),
  ]);
  const level = customer.custom_fields?.[settings.levelField];
  const balance = balances[0];
  return {
    title: settings.title,
    firstName: customer.first_name,
    cardNumber: customer.discount_card,
    balance: balance
      ? {
          name: balance.balanceType.name,
          scale: pointScale(balance.balanceType),
          available: balance.available,
          blocked: balance.blocked,
          nearestExpiration: balance.nearestExpiration && { total: balance.nearestExpiration.total, date: balance.nearestExpiration.date },
        }
      : null,
    level: levelProgress(ladder, typeof level === 'string' ? level : null, paid),
    history: history.map((entry) => ({ at: new Date(entry.at), amount: entry.amount, reason: entry.reason })),
    subscriptions: CARD_CHANNELS.map((pointOfContact) => ({
      pointOfContact,
      isSubscribed: subscriptions.some((s) => s.pointOfContact === pointOfContact && s.brand === null && s.topic === null && s.isSubscribed),
    })),
  };
}

/** The guest switches a channel on or off; the history records it as the card page's. */
export async function switchConsent(db: Db, customerId: number, pointOfContact: (typeof CARD_CHANNELS)[number], isSubscribed: boolean, now: Date): Promise<void> {
  await inTransaction(db, (trx) => changeOwnConsent(trx, { customerId, change: { pointOfContact, brand: null, topic: null, isSubscribed }, now }));
}

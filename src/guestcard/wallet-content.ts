// What a Wallet card of the guest shows (decision 0023), the same in Apple's and Google's wallets: the card page's
// view as text. Its fingerprint is what the updates compare: a card is sent again only when it changed.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { toDecimal } from '../shared/money.ts';
import { guestCard, type GuestCardView } from './guestcard.service.ts';

export interface PassContent {
  title: string;
  name: string | null;
  balanceLabel: string;
  balance: string;
  level: string | null;
  nextLevel: string | null;
  cardNumber: string;
}

const rub = (minor: number) => `${new Intl.NumberFormat('ru-RU').format(Math.ceil(minor / 100))} ₽`;

function passContent(card: GuestCardView & { cardNumber: string }): PassContent {
  const balance = card.balance;
  return {
    title: card.title,
    name: card.firstName,
    balanceLabel: balance?.name ?? 'Баллы',
    balance: balance ? new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2 }).format(toDecimal(balance.available, balance.scale)) : '0',
    level: card.level.current,
    nextLevel: card.level.next ? `ещё ${rub(card.level.next.missingMinor)} до ${card.level.next.value}` : null,
    cardNumber: card.cardNumber,
  };
}

export function fingerprintOf(content: PassContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** What the guest's Wallet card shows now; null: the guest has no card number yet (or no longer exists). */
export async function passContentOf(db: Db, project: ProjectSnapshot, customerId: number, now: Date): Promise<PassContent | null> {
  const card = await guestCard(db, project, customerId, now);
  return card?.cardNumber ? passContent({ ...card, cardNumber: card.cardNumber }) : null;
}

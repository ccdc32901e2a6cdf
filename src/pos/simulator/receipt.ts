// Plain-text screens of the simulator: amounts, the bill, the guest card and the receipt iiko prints
// (guest phone masked, points spent and earned, final balance).

import { toDecimal } from '../../wire/money.ts';
import type { Balance, Calculation, Guest, Sale, SaleRecord } from '../cashier.ts';

const WIDTH = 56;

/** kopecks → `1 090.00` */
export function money(kopecks: number): string {
  const [whole, fraction] = toDecimal(Math.abs(kopecks)).toFixed(2).split('.');
  return `${kopecks < 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')}.${fraction}`;
}

/** hundredths of a point → `50` or `50.25` */
export function points(hundredths: number): string {
  const value = toDecimal(hundredths);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** `79001234567` → `+7 900 ***-**-67`; other lengths keep the first 4 and last 2 digits. */
export function maskPhone(phone: string | null): string {
  if (!phone) return '—';
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('7')) return `+7 ${digits.slice(1, 4)} ***-**-${digits.slice(9)}`;
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `+${digits.slice(0, 4)}${'*'.repeat(digits.length - 6)}${digits.slice(-2)}`;
}

/** `1234 5678` → `**** 5678` */
export function maskCard(card: string | null): string {
  if (!card) return '—';
  return card.length <= 4 ? card : `${'*'.repeat(card.length - 4)}${card.slice(-4)}`;
}

function row(left: string, right: string): string {
  const space = Math.max(1, WIDTH - left.length - right.length);
  return `${left}${' '.repeat(space)}${right}`;
}

function cut(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function balanceText(balance: Balance | null): string {
  if (!balance) return 'unknown';
  return balance.blocked > 0 ? `${points(balance.available)} (+${points(balance.blocked)} not yet active)` : points(balance.available);
}

export function guestCard(guest: Guest): string[] {
  const name = [guest.firstName, guest.lastName].filter(Boolean).join(' ') || '(no name)';
  return [
    `Guest: ${name}`,
    `  phone ${maskPhone(guest.mobilePhone)}${guest.isPhoneConfirmed ? ' (confirmed)' : ' (not confirmed)'}${guest.pendingMobilePhone ? `, new phone ${maskPhone(guest.pendingMobilePhone)} awaits confirmation` : ''}`,
    ...(guest.discountCard ? [`  card ${maskCard(guest.discountCard)}`] : []),
    ...(guest.birthDate ? [`  born ${guest.birthDate}`] : []),
    `  rank ${guest.rank ?? '—'}, points ${balanceText(guest.balance)}`,
  ];
}

export function billLines(sale: Sale): string[] {
  const calculation: Calculation | null = sale.calculation;
  const lines = sale.lines.map((line, index) => {
    const calculated = calculation?.lines.find((candidate) => candidate.lineNumber === index + 1);
    const full = line.priceMinor * line.quantity;
    const after = calculated && calculated.discountedPriceOfLine !== full ? ` → ${money(calculated.discountedPriceOfLine)}` : '';
    return row(`${String(index + 1).padStart(2)}. ${cut(line.name, 28)} ${line.quantity} x ${money(line.priceMinor)}`, `${money(full)}${after}`);
  });
  if (lines.length === 0) lines.push('   (the bill is empty)');
  const summary = [row('Subtotal', money(sale.subtotal))];
  if (calculation) {
    if (calculation.discount > 0) summary.push(row('Discounts', `-${money(calculation.discount)}`));
    if (calculation.paidByPoints > 0) summary.push(row('Paid with points', `-${money(calculation.paidByPoints)}`));
    summary.push(row('To pay', money(calculation.totalPrice)));
    if (calculation.points) {
      summary.push(
        `Points: may spend up to ${points(calculation.points.availableForOrder)}, spending ${points(calculation.points.spent)}, will earn ${points(calculation.points.earned)}`,
      );
    }
    if (calculation.message) summary.push(...calculation.message.split('\n').map((message) => `» ${message}`));
  }
  return [...lines, '-'.repeat(WIDTH), ...summary];
}

export function receipt(record: SaleRecord): string[] {
  const out = ['='.repeat(WIDTH), row('RECEIPT', new Date(record.at).toLocaleString('ru-RU')), `Order ${record.orderId}`, '-'.repeat(WIDTH)];
  for (const line of record.lines) {
    const full = line.price * line.quantity;
    out.push(row(`${String(line.lineNumber).padStart(2)}. ${cut(line.name, 30)} ${line.quantity} x ${money(line.price)}`, money(full)));
  }
  out.push('-'.repeat(WIDTH), row('Subtotal', money(record.subtotal)));
  if (record.discount > 0) out.push(row('Discounts', `-${money(record.discount)}`));
  const byPoints = record.subtotal - record.discount - record.totalPrice;
  if (byPoints > 0) out.push(row('Paid with points', `-${money(byPoints)}`));
  out.push(row('TOTAL', money(record.totalPrice)));
  if (record.guest) {
    out.push(
      `Guest ${maskPhone(record.guest.mobilePhone)}${record.guest.discountCard ? `, card ${maskCard(record.guest.discountCard)}` : ''}${record.guest.rank ? `, rank ${record.guest.rank}` : ''}`,
    );
  }
  if (record.mode === 'offline') {
    out.push('Loyalty server unreachable: sold at full price, no points spent.', 'The order is queued; points will be credited when it is delivered.');
  } else if (record.guest) {
    out.push(`Points spent ${points(record.pointsSpent)}, earned ${points(record.pointsEarned)}`);
    if (record.paymentQueued) out.push('Payment status queued: points will be credited when the server is back.');
    else out.push(`Balance ${balanceText(record.balanceAfter)}`);
  }
  out.push('='.repeat(WIDTH));
  return out;
}

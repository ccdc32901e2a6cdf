// The card page's HTML, rendered on the server: plain forms and inline SVG, no script at all, so it works on any
// phone and its Content-Security-Policy forbids every script. Russian by default, English on request.
import bwipjs from 'bwip-js';
import { toDecimal } from '../shared/money.ts';
import type { GuestCardView } from './guestcard.service.ts';

export type Language = 'ru' | 'en';

const TEXT = {
  ru: {
    signInTitle: 'Вход в карту гостя',
    phoneLabel: 'Номер телефона',
    sendCode: 'Получить код по SMS',
    codeSent: 'Если номер есть в программе, на него отправлен код. Он действует 5 минут.',
    codeLabel: 'Код из SMS',
    signIn: 'Войти',
    otherPhone: 'Другой номер',
    invalidPhone: 'Проверьте номер: нужен мобильный телефон.',
    wrongCode: 'Код не подошёл или уже не действует. Проверьте его или запросите новый.',
    wait: (seconds: number) => `Слишком много попыток. Попробуйте через ${waitText(seconds, 'ru')}.`,
    hello: (name: string | null) => (name ? `Здравствуйте, ${name}!` : 'Здравствуйте!'),
    available: 'доступно',
    blocked: 'станут доступны позже',
    expires: (date: string) => `сгорят ${date}`,
    level: 'Уровень',
    toNext: (money: string, level: string) => `Ещё ${money} до уровня ${level}`,
    top: 'Это высший уровень программы',
    card: 'Покажите кассиру',
    cardNumber: 'Номер карты',
    history: 'История баллов',
    noHistory: 'Баллов ещё не было.',
    consents: 'Сообщения от нас',
    channel: { Sms: 'SMS', Email: 'Электронная почта' },
    on: 'включены',
    off: 'выключены',
    turnOn: 'Включить',
    turnOff: 'Выключить',
    signOut: 'Выйти',
    other: 'English',
    noCard: 'Карта не найдена.',
    addToAppleWallet: 'Добавить в Apple Wallet',
    addToGoogleWallet: 'Добавить в Google Wallet',
  },
  en: {
    signInTitle: 'Sign in to your guest card',
    phoneLabel: 'Phone number',
    sendCode: 'Get a code by SMS',
    codeSent: 'If the number is in the programme, a code was sent to it. It works for 5 minutes.',
    codeLabel: 'Code from the SMS',
    signIn: 'Sign in',
    otherPhone: 'Another number',
    invalidPhone: 'Check the number: a mobile phone is needed.',
    wrongCode: 'The code did not match or no longer works. Check it or ask for a new one.',
    wait: (seconds: number) => `Too many attempts. Try again in ${waitText(seconds, 'en')}.`,
    hello: (name: string | null) => (name ? `Hello, ${name}!` : 'Hello!'),
    available: 'available',
    blocked: 'become available later',
    expires: (date: string) => `expire on ${date}`,
    level: 'Level',
    toNext: (money: string, level: string) => `${money} more to ${level}`,
    top: 'The top level of the programme',
    card: 'Show this to the cashier',
    cardNumber: 'Card number',
    history: 'Points history',
    noHistory: 'No points yet.',
    consents: 'Messages from us',
    channel: { Sms: 'SMS', Email: 'E-mail' },
    on: 'on',
    off: 'off',
    turnOn: 'Turn on',
    turnOff: 'Turn off',
    signOut: 'Sign out',
    other: 'Русский',
    noCard: 'No card found.',
    addToAppleWallet: 'Add to Apple Wallet',
    addToGoogleWallet: 'Add to Google Wallet',
  },
} as const;

function waitText(seconds: number, language: Language): string {
  if (seconds < 90) return language === 'ru' ? `${seconds} с` : `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return language === 'ru' ? `${minutes} мин` : `${minutes} min`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface PageStyle {
  backgroundColor: string;
  foregroundColor: string;
  labelColor: string;
}

function layout(language: Language, title: string, style: PageStyle, body: string): string {
  const other: Language = language === 'ru' ? 'en' : 'ru';
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
*{box-sizing:border-box}body{margin:0;font:16px/1.4 system-ui,-apple-system,sans-serif;background:#f2f3f5;color:#1f2430}
main{max-width:480px;margin:0 auto;padding:16px}
header{display:flex;justify-content:space-between;align-items:center;margin-bottom:12px}header h1{font-size:20px;margin:0}
a{color:inherit}.lang{font-size:14px}
.hero{background:${style.backgroundColor};color:${style.foregroundColor};border-radius:16px;padding:20px;margin-bottom:16px}
.hero .label{color:${style.labelColor};font-size:13px;text-transform:uppercase;letter-spacing:.05em}
.points{font-size:44px;font-weight:700;line-height:1.1}.small{font-size:14px;opacity:.85}
.bar{height:8px;border-radius:4px;background:rgba(255,255,255,.25);margin:8px 0 4px}.bar span{display:block;height:100%;border-radius:4px;background:${style.labelColor}}
section{background:#fff;border-radius:16px;padding:16px;margin-bottom:16px}section h2{font-size:17px;margin:0 0 12px}
.codes{text-align:center}.codes svg{display:block;margin:0 auto 12px;max-width:100%}.codes .qr svg{width:180px;height:180px}.codes .bar128 svg{width:100%;height:70px}
.number{font:600 20px ui-monospace,monospace;letter-spacing:.1em}
table{width:100%;border-collapse:collapse}td{padding:6px 0;border-top:1px solid #eee;vertical-align:top}td.amount{text-align:right;white-space:nowrap;font-weight:600}
.plus{color:#1a7f37}.minus{color:#b42318}.muted{color:#6b7280;font-size:13px}
label{display:block;font-size:14px;margin-bottom:6px}input{width:100%;font-size:20px;padding:12px;border:1px solid #c8ccd2;border-radius:10px;margin-bottom:12px}
button{width:100%;font-size:17px;padding:12px;border:0;border-radius:10px;background:${style.backgroundColor};color:${style.foregroundColor}}
button.secondary{background:#e7e9ed;color:#1f2430}.consent{display:flex;justify-content:space-between;align-items:center;gap:12px;padding:6px 0}.consent button{width:auto;padding:8px 14px;font-size:15px}
.wallet{display:block;padding:12px;border-radius:10px;background:#000;color:#fff;text-decoration:none;font-weight:600}
.error{background:#fde8e8;color:#8a1c1c;border-radius:10px;padding:10px;margin-bottom:12px}.note{background:#eef6ee;border-radius:10px;padding:10px;margin-bottom:12px}
</style></head><body><main>
<header><h1>${escapeHtml(title)}</h1><a class="lang" href="/card?lang=${other}">${TEXT[language].other}</a></header>
${body}
</main></body></html>`;
}

export function phonePage(language: Language, title: string, style: PageStyle, error: string | null, phone = ''): string {
  const t = TEXT[language];
  return layout(
    language,
    title,
    style,
    `<section><h2>${t.signInTitle}</h2>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/card/code"><label for="phone">${t.phoneLabel}</label>
<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required value="${escapeHtml(phone)}" placeholder="+7 900 000-00-00">
<button type="submit">${t.sendCode}</button></form></section>`,
  );
}

export function codePage(language: Language, title: string, style: PageStyle, phone: string, error: string | null): string {
  const t = TEXT[language];
  return layout(
    language,
    title,
    style,
    `<section><h2>${t.signInTitle}</h2>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : `<p class="note">${t.codeSent}</p>`}
<form method="post" action="/card/sign-in"><input type="hidden" name="phone" value="${escapeHtml(phone)}">
<label for="code">${t.codeLabel}</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" required>
<button type="submit">${t.signIn}</button></form>
<p><a href="/card">${t.otherPhone}</a></p></section>`,
  );
}

export const messages = (language: Language) => ({ invalidPhone: TEXT[language].invalidPhone, wrongCode: TEXT[language].wrongCode, wait: TEXT[language].wait });

function svgOf(bcid: 'qrcode' | 'code128', text: string): string {
  return bwipjs.toSVG({ bcid, text, scale: 3, ...(bcid === 'code128' ? { height: 12, includetext: false } : { eclevel: 'M' }) });
}

export function cardPage(language: Language, style: PageStyle, card: GuestCardView, options: { timeZone: string; appleWallet: boolean; googleWallet: boolean }): string {
  const { timeZone } = options;
  const t = TEXT[language];
  const locale = language === 'ru' ? 'ru-RU' : 'en-GB';
  const number = (value: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
  const money = (minor: number) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'RUB', maximumFractionDigits: 0 }).format(Math.ceil(minor / 100));
  const date = (value: Date | string) => new Intl.DateTimeFormat(locale, { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }).format(typeof value === 'string' ? new Date(`${value}T12:00:00Z`) : value);
  const balance = card.balance;
  const points = (minor: number) => number(toDecimal(minor, balance?.scale ?? 0));

  const hero = `<div class="hero"><div>${escapeHtml(t.hello(card.firstName))}</div>
${
  balance
    ? `<div class="label">${escapeHtml(balance.name)}</div><div class="points" data-testid="available">${points(balance.available)}</div><div class="small">${t.available}</div>
${balance.blocked > 0 ? `<div class="small" data-testid="blocked">${points(balance.blocked)} ${t.blocked}</div>` : ''}
${balance.nearestExpiration ? `<div class="small" data-testid="expiry">${points(balance.nearestExpiration.total)} ${t.expires(date(balance.nearestExpiration.date))}</div>` : ''}`
    : ''
}
${
  card.level.current || card.level.next
    ? `<div class="label" style="margin-top:14px">${t.level}</div><div data-testid="level"><b>${escapeHtml(card.level.current ?? '—')}</b></div>
<div class="bar"><span style="width:${Math.round(card.level.share * 100)}%"></span></div>
<div class="small" data-testid="next-level">${card.level.next ? escapeHtml(t.toNext(money(card.level.next.missingMinor), card.level.next.value)) : t.top}</div>`
    : ''
}</div>`;

  const codes = card.cardNumber
    ? `<section class="codes"><h2>${t.card}</h2><div class="qr" data-testid="qr">${svgOf('qrcode', card.cardNumber)}</div>
<div class="bar128" data-testid="barcode">${svgOf('code128', card.cardNumber)}</div>
<div class="muted">${t.cardNumber}</div><div class="number" data-testid="card-number">${escapeHtml(card.cardNumber)}</div>
${options.appleWallet ? `<p><a class="wallet" href="/card/wallet/apple.pkpass" data-testid="apple-wallet">${t.addToAppleWallet}</a></p>` : ''}
${options.googleWallet ? `<p><a class="wallet" href="/card/wallet/google" data-testid="google-wallet">${t.addToGoogleWallet}</a></p>` : ''}</section>`
    : '';

  const history = `<section><h2>${t.history}</h2>${
    card.history.length
      ? `<table data-testid="history"><tbody>${card.history
          .map(
            (entry) =>
              `<tr><td><div>${escapeHtml(entry.reason)}</div><div class="muted">${date(entry.at)}</div></td><td class="amount ${entry.amount >= 0 ? 'plus' : 'minus'}">${entry.amount > 0 ? '+' : ''}${number(entry.amount)}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : `<p class="muted">${t.noHistory}</p>`
  }</section>`;

  const consents = `<section><h2>${t.consents}</h2>${card.subscriptions
    .map(
      (s) => `<form class="consent" method="post" action="/card/consent" data-testid="consent-${s.pointOfContact}"><span>${t.channel[s.pointOfContact]}: <b>${s.isSubscribed ? t.on : t.off}</b></span>
<input type="hidden" name="channel" value="${s.pointOfContact}"><input type="hidden" name="subscribe" value="${s.isSubscribed ? 'no' : 'yes'}">
<button type="submit" class="secondary">${s.isSubscribed ? t.turnOff : t.turnOn}</button></form>`,
    )
    .join('')}</section>`;

  const signOut = `<form method="post" action="/card/sign-out"><button type="submit" class="secondary">${t.signOut}</button></form>`;
  return layout(language, card.title, style, hero + codes + history + consents + signOut);
}

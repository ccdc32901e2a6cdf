// The iiko preset (product.md §2): every entity the iiko integration needs, with the exact system
// names the POS plugin configuration refers to.
import type { ProjectInput, OperationType } from '../schemas.ts';

export interface IikoPresetOptions {
  phoneConfirmation: boolean;
  /** the venue's IANA time zone (REGULARS_TIMEZONE); Moscow when not given */
  timeZone?: string | null;
}

const IIKO = 'iiko';
/** the integration point the preset defines, whose key REGULARS_SECRET_KEY sets */
export const PRESET_INTEGRATION_POINT = IIKO;

const OPERATIONS: Array<[string, OperationType, Record<string, unknown>]> = [
  ['Offline.RegisterCustomer', 'RegisterCustomer', {}],
  ['Offline.SendMobilePhoneAuthorizationCode', 'SendAuthorizationCode', { generateCode: true, codeLifetime: '5m' }],
  ['Offline.ResendMobilePhoneConfirmationCode', 'ResendConfirmationCode', { confirmationMailing: 'PhoneConfirmationSms' }],
  ['Offline.CheckCustomer', 'GetCustomer', { balanceTypes: ['Bonus'] }],
  ['Offline.CheckMobilePhoneAuthorizationCode', 'CheckAuthorizationCode', {}],
  ['Offline.ConfirmMobilePhone', 'ConfirmMobilePhone', {}],
  ['Offline.AuthorizedPreorder', 'CalculateAuthorizedCart', { balanceType: 'Bonus' }],
  ['Offline.CreateAuthorizedOrder', 'CreateAuthorizedOrder', { balanceType: 'Bonus', defaultLineStatus: 'iikoCheckedOut' }],
  ['Offline.AnonymousPreorder', 'CalculateAnonymousCart', {}],
  ['Offline.CreateAnonymousOrder', 'CreateAnonymousOrder', { defaultLineStatus: 'iikoCheckedOut' }],
  ['Offline.SaveOfflineOrder', 'SaveOfflineOrder', { balanceType: 'Bonus', defaultLineStatus: 'iikoPaid' }],
  ['Offline.ChangeStatus', 'ChangeOrderStatus', {}],
  ['Offline.Return', 'ReturnOrder', {}],
  ['Offline.EditCustomer', 'EditCustomer', { confirmationMailing: 'PhoneConfirmationSms' }],
  ['Offline.SendProductCatalog', 'ImportProductCatalog', { externalSystem: IIKO }],
];

const RANKS: Array<{ segment: string; rank: string; name: string; atLeast?: number; below?: number; percent: number }> = [
  { segment: 'RankGold', rank: 'Gold', name: 'Ранг Gold', atLeast: 50000, percent: 10 },
  { segment: 'RankSilver', rank: 'Silver', name: 'Ранг Silver', atLeast: 10000, below: 50000, percent: 7 },
  { segment: 'RankBronze', rank: 'Bronze', name: 'Ранг Bronze', below: 10000, percent: 5 },
];

export function iikoPreset(options: IikoPresetOptions): ProjectInput {
  return {
    version: 1,
    settings: { timeZone: options.timeZone ?? 'Europe/Moscow', codeMaxAttempts: 5, codeMinIntervalSeconds: 30, codesPerPhonePerHour: 5, segmentRecalculationTime: '03:00' },
    integrationPoints: [{ systemName: IIKO, name: 'Касса iiko', preset: 'Other', phoneConfirmation: options.phoneConfirmation }],
    orderLineStatuses: [
      { externalId: 'iikoCheckedOut', name: 'Оформлен', category: 'CheckedOut' },
      { externalId: 'iikoPaid', name: 'Оплачен', category: 'Paid' },
      { externalId: 'iikoReturn', name: 'Возврат', category: 'Return' },
    ],
    externalSystems: [{ systemName: IIKO, name: 'iiko' }],
    customFields: [
      { entity: 'Order', systemName: 'iikoOrderId', name: 'Идентификатор заказа iiko', type: 'ExternalIdentifier' },
      { entity: 'Order', systemName: 'Waiter', name: 'Официант', type: 'String' },
      { entity: 'Customer', systemName: 'Rank', name: 'Уровень программы лояльности', type: 'String' },
    ],
    balanceTypes: [
      {
        systemName: 'Bonus',
        name: 'Бонусные баллы',
        fractional: false,
        activationDelayHours: 0,
        lifetimeDays: 365,
        refundSpentOnReturn: true,
      },
    ],
    smsConnections: [{ systemName: 'default' }],
    mailings: [
      {
        systemName: 'AuthorizationCodeSms',
        name: 'SMS с кодом авторизации',
        channel: 'sms',
        connection: 'default',
        template: 'Код авторизации: ${Recipient.AuthentificationCode}',
      },
      {
        systemName: 'PhoneConfirmationSms',
        name: 'SMS с кодом подтверждения номера',
        channel: 'sms',
        connection: 'default',
        template: 'Код подтверждения: ${Recipient.MobilePhoneConfirmationCode}',
      },
      // the marketing scenarios' texts (scenarios BirthdayGift, NewGuestWelcome, WinBack: off until a marketer switches them on)
      {
        systemName: 'BirthdaySms',
        name: 'SMS ко дню рождения',
        channel: 'sms',
        connection: 'default',
        template: '${ReplaceIfEmpty(Recipient.FirstName, "Дорогой гость")}, с наступающим днём рождения! Дарим вам бонусы: ждём в гости.',
      },
      {
        systemName: 'WelcomeSms',
        name: 'SMS после регистрации',
        channel: 'sms',
        connection: 'default',
        template: '${ReplaceIfEmpty(Recipient.FirstName, "Добро пожаловать")}, спасибо, что вы с нами! Копите бонусы с каждого заказа.',
      },
      {
        systemName: 'WinBackSms',
        name: 'SMS тем, кто давно не заходил',
        channel: 'sms',
        connection: 'default',
        template: 'Мы соскучились! Ваш промокод ${Recipient.CouponCode} — покажите его при заказе.',
      },
    ],
    operations: OPERATIONS.map(([systemName, type, settings]) => ({
      systemName,
      type,
      integrationPoints: [IIKO],
      mode: 'both' as const,
      settings,
    })),
    segments: RANKS.map((rank) => ({
      systemName: rank.segment,
      name: rank.name,
      match: 'all' as const,
      conditions: [{ type: 'paidTotal' as const, windowDays: 365, atLeast: rank.atLeast, below: rank.below }],
    })),
    scenarios: [
      {
        systemName: 'Rank',
        name: 'Запись уровня программы лояльности в поле Rank',
        transactional: false,
        trigger: { event: 'enteredSegment', segments: RANKS.map((rank) => rank.segment) },
        branches: RANKS.map((rank) => ({
          name: rank.rank,
          conditions: [{ type: 'inSegment' as const, segment: rank.segment }],
          steps: [{ type: 'setCustomField' as const, field: 'Rank', value: rank.rank }],
        })),
      },
      {
        systemName: 'AuthorizationCodeSms',
        name: 'Отправка кода авторизации',
        transactional: true,
        trigger: { event: 'authorizationCodeRequested' },
        branches: [
          {
            conditions: [{ type: 'fromOperation', operation: 'Offline.SendMobilePhoneAuthorizationCode' }],
            steps: [{ type: 'sendMailing', mailing: 'AuthorizationCodeSms' }],
          },
        ],
      },
      {
        systemName: 'PhoneConfirmationSms',
        name: 'Отправка кода подтверждения номера',
        transactional: true,
        trigger: { event: 'customerRegistered' },
        branches: [
          {
            conditions: [{ type: 'fromOperation', operation: 'Offline.RegisterCustomer' }],
            steps: [{ type: 'sendMailing', mailing: 'PhoneConfirmationSms' }],
          },
        ],
      },
      {
        systemName: 'BirthdayGift',
        name: 'День рождения: бонусы и SMS за 3 дня',
        enabled: false,
        trigger: { event: 'birthday' as const, daysBefore: 3, at: '10:00' },
        branches: [
          {
            steps: [
              { type: 'changeBalance' as const, balanceType: 'Bonus', amount: 300, lifetimeDays: 14, reason: 'Подарок ко дню рождения' },
              { type: 'sendMailing' as const, mailing: 'BirthdaySms' },
            ],
          },
        ],
      },
      {
        systemName: 'NewGuestWelcome',
        name: 'Приветствие после регистрации',
        enabled: false,
        trigger: { event: 'customerRegistered' as const },
        branches: [
          {
            steps: [
              // 0: no gift until a marketer sets one
              { type: 'changeBalance' as const, balanceType: 'Bonus', amount: 0, reason: 'Подарок за регистрацию' },
              { type: 'sendMailing' as const, mailing: 'WelcomeSms' },
            ],
          },
        ],
      },
      {
        systemName: 'WinBack',
        name: 'Возврат гостей: 60 дней без оплаченного заказа',
        enabled: false,
        trigger: { event: 'noPaidOrder' as const, days: 60, notAgainForDays: 60, at: '12:00' },
        branches: [
          {
            steps: [
              { type: 'issueCoupon' as const, pool: 'WinBack' },
              { type: 'sendMailing' as const, mailing: 'WinBackSms' },
            ],
          },
        ],
      },
    ],
    // the win-back scenario's codes: issue them (POST /api/admin/coupon-pools/WinBack/codes) before switching it on
    couponPools: [{ systemName: 'WinBack', name: 'Промокоды для вернувшихся гостей', usage: 'single' as const }],
    promotions: [
      ...RANKS.map((rank) => ({
        systemName: `Earn${rank.rank}`,
        name: `Начисление ${rank.percent} % (${rank.rank})`,
        kind: 'earnPoints' as const,
        percent: rank.percent,
        balanceType: 'Bonus',
        // Bronze is the base rate for every identified guest; Silver and Gold outrank it in the group.
        ...(rank.rank === 'Bronze' ? {} : { customField: { name: 'Rank', equals: rank.rank } }),
        exclusivityGroup: 'earning',
        priority: rank.percent,
      })),
      {
        systemName: 'PointsPaymentLimit',
        name: 'Оплата баллами до 50 % чека',
        kind: 'pointsPaymentLimit' as const,
        percent: 50,
        balanceType: 'Bonus',
      },
    ],
  };
}

// The project as code: every entity kind of the product, as an operator writes it in a project file.
// Behaviour of kinds that later modules own (segments, scenarios, promotions) is validated here too,
// so `regulars apply` refuses a bad file before anything is written.
import { getCountries, type CountryCode } from 'libphonenumber-js/mobile';
import { z } from 'zod';
import { couponPoolSchema, promotionSchema } from '../loyalty/promotions.schemas.ts';
import { secretField } from './secret-values.ts';
import { isTimeZone } from '../shared/time-zone.ts';

/** The countries whose phone numbers libphonenumber knows (RU, KZ, BY, UZ, KG, AM, GE, …). */
const PHONE_COUNTRIES = getCountries() as [CountryCode, ...CountryCode[]];

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
export const systemName = z
  .string({ error: 'must be a text' })
  .regex(SYSTEM_NAME, 'a system name starts with a Latin letter and has only Latin letters, digits, ".", "_" and "-"')
  .max(100, 'a system name has at most 100 characters');
const label = z.string({ error: 'must be a text' }).trim().min(1, 'must not be empty').max(250);

export const integrationPointSchema = z
  .object({
    systemName,
    name: label,
    preset: z.enum(['Other', 'Website', 'MobileApp']).default('Other'),
    brand: systemName.optional(),
    pointOfContact: z.string().min(1).optional(),
    phoneConfirmation: z.boolean().default(false),
  })
  .strict();

export const LINE_STATUS_CATEGORIES = ['CheckedOut', 'Paid', 'Delivered', 'Cancelled', 'Return'] as const;
export const orderLineStatusSchema = z
  .object({ externalId: systemName, name: label, category: z.enum(LINE_STATUS_CATEGORIES) })
  .strict();

export const externalSystemSchema = z.object({ systemName, name: label }).strict();

export const CUSTOM_FIELD_TYPES = ['String', 'Integer', 'Decimal', 'Boolean', 'Date', 'DateTime', 'Enum', 'ExternalIdentifier'] as const;
export const CUSTOM_FIELD_ENTITIES = ['Customer', 'Order', 'OrderLine', 'Product'] as const;
export const customFieldSchema = z
  .object({
    entity: z.enum(CUSTOM_FIELD_ENTITIES),
    systemName,
    name: label.optional(),
    type: z.enum(CUSTOM_FIELD_TYPES),
    multiValued: z.boolean().default(false),
    enumValues: z.array(z.string().min(1).max(250)).optional(),
  })
  .strict()
  .superRefine((field, ctx) => {
    if (field.type === 'Enum' && !field.enumValues?.length)
      ctx.addIssue({ code: 'custom', path: ['enumValues'], message: 'an Enum field lists its values' });
    if (field.type !== 'Enum' && field.enumValues)
      ctx.addIssue({ code: 'custom', path: ['enumValues'], message: 'only Enum fields have values' });
    if (field.type === 'ExternalIdentifier' && field.entity !== 'Order' && field.entity !== 'Customer')
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'ExternalIdentifier fields belong to Order or Customer' });
  });

export const balanceTypeSchema = z
  .object({
    systemName,
    name: label,
    description: z.string().max(1000).optional(),
    fractional: z.boolean().default(false),
    activationDelayHours: z.number().int().min(0).max(24 * 366).default(0),
    lifetimeDays: z.number().int().positive().max(36600).nullable().default(365),
    refundSpentOnReturn: z.boolean().default(true),
  })
  .strict();

export const smsConnectionSchema = z
  .object({
    systemName,
    /** outbox:, smpp://… or http(s)://…, credentials included (a secret: decision 0008); absent means REGULARS_SMS_URL */
    url: secretField(z.string().regex(/^(outbox:|smpp:\/\/|https?:\/\/)/, 'must be outbox:, smpp://… or http(s)://…')).optional(),
    sender: z.string().min(1).max(11).optional(),
    /** http(s) only: where the gateway's answer holds its message id, dot-separated (`result.0.id`); `id` or `messageId` when absent */
    messageIdPath: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a dot-separated path of keys and indexes, e.g. result.0.id').max(200).optional(),
    /** http(s) only: the secret the gateway's delivery reports carry; without it the connection takes no reports */
    statusSecret: secretField(z.string().min(16, 'a delivery-report secret has at least 16 characters')).optional(),
    /** messages per second the gateway takes; campaigns keep to it and leave room for codes (decision 0020); 10 when absent */
    ratePerSecond: z.number().positive('a rate is above 0').max(10_000).optional(),
    /** what one SMS part costs, for a campaign's estimate (in the currency the gateway bills) */
    pricePerPart: z.number().min(0).max(1_000_000).optional(),
    statusSecretHash: z
      .never({ error: 'statusSecretHash is no longer accepted (an unsalted hash of a weak secret can be reversed): give statusSecret, the secret itself or ${env:NAME}; it is stored encrypted' })
      .optional(),
  })
  .strict();

export const mailingSchema = z
  .object({
    systemName,
    name: label,
    channel: z.literal('sms').default('sms'),
    connection: systemName,
    template: z.string().min(1, 'a template must not be empty').max(2000),
  })
  .strict();

export const OPERATION_TYPES = [
  'RegisterCustomer',
  'SendAuthorizationCode',
  'ResendConfirmationCode',
  'GetCustomer',
  'CheckAuthorizationCode',
  'ConfirmMobilePhone',
  'CalculateAuthorizedCart',
  'CreateAuthorizedOrder',
  'CalculateAnonymousCart',
  'CreateAnonymousOrder',
  'SaveOfflineOrder',
  'ChangeOrderStatus',
  'ReturnOrder',
  'EditCustomer',
  'ImportProductCatalog',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const CODE_LIFETIMES = { '5m': 5 * 60, '1h': 3600, '1d': 86400, '30d': 30 * 86400 } as const;
const codeLifetime = z.enum(Object.keys(CODE_LIFETIMES) as [keyof typeof CODE_LIFETIMES]);
const codeLength = z.number().int().min(4).max(8);

/** Settings each operation type understands, with their defaults. */
export const operationSettingsSchemas = {
  RegisterCustomer: z.object({ codeLength: codeLength.default(4), codeLifetime: codeLifetime.default('1d') }).strict(),
  SendAuthorizationCode: z
    .object({ generateCode: z.boolean().default(true), codeLength: codeLength.default(4), codeLifetime: codeLifetime.default('5m') })
    .strict(),
  ResendConfirmationCode: z
    .object({
      sendSms: z.boolean().optional(),
      codeLength: codeLength.default(4),
      codeLifetime: codeLifetime.default('1d'),
      confirmationMailing: systemName.optional(),
    })
    .strict(),
  GetCustomer: z.object({ balanceTypes: z.array(systemName).default([]) }).strict(),
  CheckAuthorizationCode: z.object({}).strict(),
  ConfirmMobilePhone: z.object({}).strict(),
  CalculateAuthorizedCart: z.object({ balanceType: systemName.optional() }).strict(),
  CreateAuthorizedOrder: z.object({ balanceType: systemName.optional(), defaultLineStatus: systemName.optional() }).strict(),
  CalculateAnonymousCart: z.object({}).strict(),
  CreateAnonymousOrder: z.object({ defaultLineStatus: systemName.optional() }).strict(),
  SaveOfflineOrder: z.object({ balanceType: systemName.optional(), defaultLineStatus: systemName.optional() }).strict(),
  ChangeOrderStatus: z.object({}).strict(),
  ReturnOrder: z.object({}).strict(),
  EditCustomer: z
    .object({ codeLength: codeLength.default(4), codeLifetime: codeLifetime.default('1d'), confirmationMailing: systemName.optional() })
    .strict(),
  ImportProductCatalog: z.object({ externalSystem: systemName.optional() }).strict(),
} satisfies Record<OperationType, z.ZodType>;

export const operationSchema = z
  .object({
    systemName,
    type: z.enum(OPERATION_TYPES),
    integrationPoints: z.array(systemName).min(1, 'an operation is allowed on at least one integration point'),
    mode: z.enum(['sync', 'async', 'both']).default('both'),
    rateLimitPerMinute: z.number().int().positive().optional(),
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .transform((operation, ctx) => {
    const parsed = operationSettingsSchemas[operation.type].safeParse(operation.settings);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', path: ['settings', ...issue.path.map(String)], message: issue.message });
      return z.NEVER;
    }
    return { ...operation, settings: parsed.data as Record<string, unknown> };
  });

const amountRange = { atLeast: z.number().min(0).optional(), below: z.number().min(0).optional() };
export const segmentConditionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('paidTotal'), windowDays: z.number().int().positive(), ...amountRange }).strict(),
  z.object({ type: z.literal('orderCount'), windowDays: z.number().int().positive(), ...amountRange }).strict(),
  z.object({ type: z.literal('customField'), field: systemName, equals: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
  z.object({ type: z.literal('phoneConfirmed'), equals: z.boolean().default(true) }).strict(),
  z.object({ type: z.literal('registeredWithinDays'), days: z.number().int().positive() }).strict(),
  z.object({ type: z.literal('pointsAvailable'), balanceType: systemName, ...amountRange }).strict(),
  z.object({ type: z.literal('visitedVenue'), pointOfContact: z.string().min(1), windowDays: z.number().int().positive() }).strict(),
]);
export const segmentSchema = z
  .object({
    systemName,
    name: label,
    match: z.enum(['all', 'any']).default('all'),
    conditions: z.array(segmentConditionSchema).min(1, 'a segment has at least one condition'),
  })
  .strict();

export const SCENARIO_EVENTS = [
  'customerRegistered',
  'authorizationCodeRequested',
  'phoneConfirmed',
  'customerChanged',
  'orderCreated',
  'orderPaid',
  'orderReturned',
  'enteredSegment',
  'leftSegment',
  'birthday',
  'noPaidOrder',
] as const;
export type ScenarioEvent = (typeof SCENARIO_EVENTS)[number];

/** Triggers of a daily pass over the guests they concern (src/scenarios/daily.ts), rather than of something a guest did. */
export const DATE_TRIGGER_EVENTS = ['birthday', 'noPaidOrder'] as const satisfies readonly ScenarioEvent[];
export type DateTriggerEvent = (typeof DATE_TRIGGER_EVENTS)[number];
export const isDateTrigger = (event: ScenarioEvent): event is DateTriggerEvent => (DATE_TRIGGER_EVENTS as readonly string[]).includes(event);

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, e.g. 10:00');
/** What each date trigger may say besides its event, with the defaults a preset starts from. */
const DATE_TRIGGER_FIELDS: Record<DateTriggerEvent, readonly string[]> = {
  birthday: ['daysBefore', 'at'],
  noPaidOrder: ['days', 'notAgainForDays', 'at'],
};

export const scenarioConditionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('inSegment'), segment: systemName }).strict(),
  z.object({ type: z.literal('notInSegment'), segment: systemName }).strict(),
  z.object({ type: z.literal('fromOperation'), operation: systemName }).strict(),
  z.object({ type: z.literal('fieldEquals'), field: systemName, value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict(),
  z.object({ type: z.literal('phoneConfirmed'), equals: z.boolean().default(true) }).strict(),
]);
export const scenarioStepSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sendMailing'), mailing: systemName }).strict(),
  z.object({ type: z.literal('setCustomField'), field: systemName, value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict(),
  z
    .object({
      type: z.literal('changeBalance'),
      balanceType: systemName,
      /** 0: no points (the step is skipped), so a preset's gift can be off until a marketer sets it */
      amount: z.number(),
      lifetimeDays: z.number().int().positive().optional(),
      reason: z.string().min(1, 'a balance change gives a reason a person can read'),
    })
    .strict(),
  z.object({ type: z.literal('generateAuthorizationCode'), lifetime: codeLifetime.default('5m'), length: codeLength.default(4) }).strict(),
  /** gives the guest a code of the pool no one has been given, for the next sendMailing (`Recipient.CouponCode`) */
  z.object({ type: z.literal('issueCoupon'), pool: systemName }).strict(),
  z
    .object({
      type: z.literal('callWebhook'),
      url: secretField(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
      secret: secretField(z.string().min(16, 'a webhook secret has at least 16 characters')),
      maxAttempts: z.number().int().min(1).max(20).default(5),
      timeoutSeconds: z.number().int().min(1).max(60).default(10),
    })
    .strict(),
]);
export const scenarioSchema = z
  .object({
    systemName,
    name: label,
    transactional: z.boolean().default(false),
    /** a switched-off scenario starts no run; the presets' marketing scenarios start off */
    enabled: z.boolean().default(true),
    trigger: z
      .object({
        event: z.enum(SCENARIO_EVENTS),
        segments: z.array(systemName).optional(),
        /** birthday: how many days before the birthday the guest gets it (0: on the day) */
        daysBefore: z.number().int().min(0).max(60).optional(),
        /** noPaidOrder: days since the guest's last paid order */
        days: z.number().int().min(1).max(3650).optional(),
        /** noPaidOrder: a guest who got it does not get it again for this many days */
        notAgainForDays: z.number().int().min(1).max(3650).optional(),
        /** date triggers: the local time (project time zone) of the daily pass */
        at: timeOfDay.optional(),
      })
      .strict()
      .superRefine((trigger, ctx) => {
        const allowed: readonly string[] = isDateTrigger(trigger.event) ? DATE_TRIGGER_FIELDS[trigger.event] : [];
        for (const field of ['daysBefore', 'days', 'notAgainForDays', 'at'] as const) {
          if (trigger[field] !== undefined && !allowed.includes(field))
            ctx.addIssue({ code: 'custom', path: [field], message: `a ${trigger.event} trigger has no ${field}` });
        }
        const segmentEvent = trigger.event === 'enteredSegment' || trigger.event === 'leftSegment';
        if (segmentEvent && !trigger.segments?.length)
          ctx.addIssue({ code: 'custom', path: ['segments'], message: 'a segment trigger names its segments' });
        if (!segmentEvent && trigger.segments)
          ctx.addIssue({ code: 'custom', path: ['segments'], message: 'only segment triggers name segments' });
      }),
    branches: z
      .array(
        z
          .object({
            name: z.string().optional(),
            conditions: z.array(scenarioConditionSchema).default([]),
            steps: z.array(scenarioStepSchema).min(1, 'a branch has at least one step'),
          })
          .strict(),
      )
      .min(1, 'a scenario has at least one branch'),
  })
  .strict();

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #RRGGBB');

/** The guest's card page and Wallet passes (decision 0023); a project without it gets these defaults. */
export const guestCardSettingsSchema = z
  .object({
    /** the card's name on the page and the pass: the venue's or the programme's */
    title: z.string().trim().min(1).max(40).default('Карта гостя'),
    /** the SMS mailing that takes the sign-in code (its template gets `${Recipient.AuthentificationCode}`) */
    codeMailing: z.string().min(1).default('AuthorizationCodeSms'),
    /** the balance shown; none: the project's first balance type */
    balanceType: z.string().min(1).optional(),
    /** the guest's custom field that holds the level (a scenario writes it on entering a level's segment) */
    levelField: z.string().min(1).default('Rank'),
    /** card numbers given on the first sign-in: this prefix, random digits and a Luhn check digit */
    cardNumberPrefix: z.string().regex(/^\d{0,8}$/, 'must be up to 8 digits').default('29'),
    cardNumberLength: z.number().int().min(8).max(19).default(13),
    backgroundColor: colour.default('#1f2430'),
    foregroundColor: colour.default('#ffffff'),
    labelColor: colour.default('#e0b84c'),
  })
  .strict()
  .refine((card) => card.cardNumberPrefix.length + 6 <= card.cardNumberLength, { message: 'a card number has at least 5 random digits after the prefix', path: ['cardNumberLength'] });

export type GuestCardSettings = z.output<typeof guestCardSettingsSchema>;

export const projectSettingsSchema = z
  .object({
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Moscow').default('Europe/Moscow'),
    /** the country of phone numbers given without their country code (phones: src/customers/phone.ts) */
    defaultCountry: z.enum(PHONE_COUNTRIES, { error: 'must be a country code as in ISO 3166, e.g. RU, KZ, BY, UZ, KG, AM, GE' }).default('RU'),
    codeMaxAttempts: z.number().int().min(1).max(20).default(5),
    codeMinIntervalSeconds: z.number().int().min(0).default(30),
    codesPerPhonePerHour: z.number().int().min(1).default(5),
    /** local time (in `timeZone`) of the daily full recalculation of segments, which catches rolling windows that aged */
    segmentRecalculationTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, e.g. 03:00')
      .default('03:00'),
    /** marketing SMS go out from this local time … (outside the window they wait: quiet hours) */
    marketingSmsFrom: timeOfDay.default('09:00'),
    /** … until this one */
    marketingSmsTo: timeOfDay.default('21:00'),
    /** at most this many marketing SMS per guest in any 7 days (the frequency cap) */
    marketingSmsPer7Days: z.number().int().min(1).max(100).default(2),
    guestCard: guestCardSettingsSchema.optional(),
  })
  .strict();

export const projectSchema = z
  .object({
    version: z.literal(1).default(1),
    settings: projectSettingsSchema.default(projectSettingsSchema.parse({})),
    integrationPoints: z.array(integrationPointSchema).default([]),
    orderLineStatuses: z.array(orderLineStatusSchema).default([]),
    externalSystems: z.array(externalSystemSchema).default([]),
    customFields: z.array(customFieldSchema).default([]),
    balanceTypes: z.array(balanceTypeSchema).default([]),
    smsConnections: z.array(smsConnectionSchema).default([]),
    mailings: z.array(mailingSchema).default([]),
    operations: z.array(operationSchema).default([]),
    segments: z.array(segmentSchema).default([]),
    scenarios: z.array(scenarioSchema).default([]),
    couponPools: z.array(couponPoolSchema).default([]),
    promotions: z.array(promotionSchema).default([]),
  })
  .strict();

export type ProjectDefinition = z.output<typeof projectSchema>;
export type ProjectInput = z.input<typeof projectSchema>;
export type ProjectSettings = ProjectDefinition['settings'];
export type IntegrationPointDefinition = ProjectDefinition['integrationPoints'][number];
export type OrderLineStatusDefinition = ProjectDefinition['orderLineStatuses'][number];
export type ExternalSystemDefinition = ProjectDefinition['externalSystems'][number];
export type CustomFieldDefinition = ProjectDefinition['customFields'][number];
export type BalanceTypeDefinition = ProjectDefinition['balanceTypes'][number];
export type SmsConnectionDefinition = ProjectDefinition['smsConnections'][number];
export type MailingDefinition = ProjectDefinition['mailings'][number];
export type OperationDefinition = ProjectDefinition['operations'][number];
export type SegmentDefinition = ProjectDefinition['segments'][number];
export type SegmentCondition = SegmentDefinition['conditions'][number];
export type ScenarioDefinition = ProjectDefinition['scenarios'][number];
export type ScenarioCondition = z.output<typeof scenarioConditionSchema>;
export type ScenarioStep = z.output<typeof scenarioStepSchema>;

/** The entity kinds stored one row each, with the key that names an entity within its kind. */
export const ENTITY_KINDS = {
  integrationPoints: (e: IntegrationPointDefinition) => e.systemName,
  orderLineStatuses: (e: OrderLineStatusDefinition) => e.externalId,
  externalSystems: (e: ExternalSystemDefinition) => e.systemName,
  customFields: (e: CustomFieldDefinition) => `${e.entity}.${e.systemName}`,
  balanceTypes: (e: BalanceTypeDefinition) => e.systemName,
  smsConnections: (e: SmsConnectionDefinition) => e.systemName,
  mailings: (e: MailingDefinition) => e.systemName,
  operations: (e: OperationDefinition) => e.systemName,
  segments: (e: SegmentDefinition) => e.systemName,
  scenarios: (e: ScenarioDefinition) => e.systemName,
  couponPools: (e: { systemName: string }) => e.systemName,
  promotions: (e: { systemName: string }) => e.systemName,
} as const;
export type EntityKind = keyof typeof ENTITY_KINDS;
export const ENTITY_KIND_NAMES = Object.keys(ENTITY_KINDS) as EntityKind[];

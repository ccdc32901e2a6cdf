// A guest's consent to be written to (decision 0016): per channel — Mindbox's points of contact — and, when a
// request says so, per brand and topic within it. A guest who never answered on a channel is not subscribed to it.
// What a request may give and the rules of its values; storing, history and the questions campaigns ask are
// subscriptions.service.ts.

export const POINTS_OF_CONTACT = ['Sms', 'Email', 'Viber', 'Mobilepush', 'Webpush'] as const;
export type PointOfContact = (typeof POINTS_OF_CONTACT)[number];

/** Which consent: a channel as a whole (no brand, no topic) or narrowed to a brand and/or a topic. */
export interface SubscriptionKey {
  pointOfContact: PointOfContact;
  brand: string | null;
  topic: string | null;
}

export interface SubscriptionChange extends SubscriptionKey {
  isSubscribed: boolean;
}

export interface Subscription extends SubscriptionChange {
  changedAt: Date;
}

/**
 * Where a change of consent came from: a protocol call, a person in the console with the reason they gave, or the
 * guest's own reply (STOP) to an SMS, with the connection it came through and the word as the guest wrote it.
 */
export type SubscriptionSource =
  | { kind: 'operation'; integrationPoint: string; operation: string }
  | { kind: 'admin'; actor: string; reason: string }
  | { kind: 'reply'; connection: string; text: string };

export interface SubscriptionHistoryEntry extends SubscriptionKey {
  id: number;
  /** null: the guest had given no answer on this channel before */
  wasSubscribed: boolean | null;
  isSubscribed: boolean;
  at: Date;
  source: SubscriptionSource;
}

export const MAX_BRAND_OR_TOPIC = 100;
export const MIN_REASON = 3;

/** The words of a reply that withdraws SMS consent, in any case, with spaces around them. */
const OPT_OUT_WORDS = new Set(['STOP', 'СТОП']);

export function isOptOutReply(text: string): boolean {
  return OPT_OUT_WORDS.has(text.trim().toUpperCase());
}

/** The channel a name means, in any case (`SMS`, `sms`, `MobilePush` too). */
export function pointOfContactNamed(name: unknown): PointOfContact | undefined {
  if (typeof name !== 'string') return undefined;
  const wanted = name.trim().toLowerCase();
  return POINTS_OF_CONTACT.find((channel) => channel.toLowerCase() === wanted);
}

export function sameSubscription(a: SubscriptionKey, b: SubscriptionKey): boolean {
  return a.pointOfContact === b.pointOfContact && (a.brand ?? null) === (b.brand ?? null) && (a.topic ?? null) === (b.topic ?? null);
}

/** How a changed consent is named among a `customerChanged` event's fields. */
export function changedFieldName(key: SubscriptionKey): string {
  return `subscriptions.${key.pointOfContact}`;
}

// The guest as the Mindbox protocol shows one (the `customer` node of CheckCustomer and the other answers): only
// filled fields, Regulars' id and the identifier fields under `ids`, the subscriptions, custom fields keyed in
// camel case as Mindbox keys them (`Rank` → `rank`, field-keys.ts). Written by the server's answers and by the
// body of a scenario's webhook, which shows the guest as CheckCustomer does.
import { withAnswerKeys } from './field-keys.ts';

/** A guest's fields as the node needs them. */
export interface GuestFields {
  id: number;
  /** identifier custom fields (ExternalIdentifier) by system name, shown under `ids` */
  identifierFields: Record<string, unknown>;
  /** the other custom fields by system name */
  customFields: Record<string, unknown>;
  mobilePhone: string | null;
  isMobilePhoneConfirmed: boolean;
  pendingMobilePhone: string | null;
  email: string | null;
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
  birthDate: string | null;
  sex: string | null;
  discountCard: string | null;
  /** the guest's consents, when the answer shows them */
  subscriptions?: GuestSubscription[];
}

/** One consent as the `subscriptions` list shows it. */
export interface GuestSubscription {
  pointOfContact: string;
  brand: string | null;
  topic: string | null;
  isSubscribed: boolean;
}

function subscriptionNode(subscription: GuestSubscription): Record<string, unknown> {
  return {
    pointOfContact: subscription.pointOfContact,
    ...(subscription.brand === null ? {} : { brand: subscription.brand }),
    ...(subscription.topic === null ? {} : { topic: subscription.topic }),
    isSubscribed: subscription.isSubscribed,
  };
}

export function customerNode(guest: GuestFields): Record<string, unknown> {
  const node: Record<string, unknown> = { ids: { mindboxId: guest.id, ...withAnswerKeys(guest.identifierFields) } };
  const put = (key: string, value: unknown) => {
    if (value !== null && value !== undefined && value !== '') node[key] = value;
  };
  put('mobilePhone', guest.mobilePhone);
  node.isMobilePhoneConfirmed = guest.isMobilePhoneConfirmed;
  put('pendingMobilePhone', guest.pendingMobilePhone);
  put('email', guest.email);
  put('lastName', guest.lastName);
  put('firstName', guest.firstName);
  put('middleName', guest.middleName);
  put('birthDate', guest.birthDate);
  put('sex', guest.sex);
  if (guest.discountCard) node.discountCard = { ids: { number: guest.discountCard } };
  if (guest.subscriptions?.length) node.subscriptions = guest.subscriptions.map(subscriptionNode);
  // only filled fields are answered, as Mindbox does
  if (Object.keys(guest.customFields).length) node.customFields = withAnswerKeys(guest.customFields);
  return node;
}

// The request bodies a POS sends (JSON), as the iiko plugin sends them. Money and points are decimal numbers
// (`toDecimal` from ./money.ts); ids of orders and products sit under the name of their external system or
// identifier field (`{ iikoOrderId: "…" }`, `{ iiko: "…" }`).

/** The guest a call is about: by phone, by discount card, or by the server's id. */
export type CustomerKey =
  | { mobilePhone: string }
  | { discountCard: { ids: { number: string } } }
  | { ids: { mindboxId: string | null } };

/** The guest's own fields, named the same in requests and answers. */
export interface ProfileFields {
  mobilePhone?: string;
  firstName?: string;
  lastName?: string;
  middleName?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  email?: string;
  /** `male` or `female` (the server also takes `m`, `f`, `w`) */
  sex?: string;
}

/** Profile fields of RegisterCustomer and EditCustomer; only the fields given are sent. */
export interface CustomerProfile extends ProfileFields {
  discountCard?: { ids: { number: string } };
}

/** CheckCustomer, ResendMobilePhoneConfirmationCode, SendMobilePhoneAuthorizationCode. */
export interface CustomerRequest {
  customer: CustomerKey;
}

export interface RegisterCustomerRequest {
  customer: CustomerProfile;
}

/** The guest by their id (so phone and card are new values), or by phone or card when the id is unknown. */
export interface EditCustomerRequest {
  customer: CustomerKey & CustomerProfile;
}

export interface ConfirmMobilePhoneRequest {
  customer: { mobilePhone: string };
  smsConfirmation: { code: string };
}

/** The root name is the plugin's spelling. */
export interface CheckAuthorizationCodeRequest {
  customer: CustomerKey;
  authentificationCode: string;
}

/** A line status by its external id (`iikoCheckedOut`, `iikoPaid`). */
export interface LineStatus {
  ids: { externalId: string };
}

export interface OrderLineRequest {
  lineNumber: number;
  lineId?: string;
  quantity: number;
  /** roubles */
  basePricePerItem: number;
  product: { ids: Record<string, string> };
  status?: LineStatus;
}

/** AuthorizedPreorder and AnonymousPreorder (lines without status), CreateAuthorizedOrder and CreateAnonymousOrder. */
export interface OrderRequest {
  customer?: CustomerKey;
  order: {
    ids: Record<string, string>;
    lines: OrderLineRequest[];
    /** points the guest asks to spend */
    bonusPoints?: Array<{ amount: number }>;
    /** roubles the POS will charge: the create says the calculation it agreed to */
    totalPrice?: number;
  };
}

/** A sale made while the server was unreachable, at full price, its lines already paid. */
export interface OfflineOrderRequest {
  customer?: CustomerKey;
  executionDateTimeUtc: string;
  order: { ids: Record<string, string>; totalPrice: number; lines: OrderLineRequest[] };
}

/** ChangeStatus of every line; a queued one carries the time it happened. */
export interface ChangeStatusRequest {
  order: { ids: Record<string, string> };
  orderLinesStatus: string;
  executionDateTimeUtc?: string;
}

export interface ReturnLineRequest {
  lineNumber: number;
  quantity: number;
  status: string;
}

/** Return of named lines, or of the whole order (`orderLinesStatus` for every line still holding a quantity). */
export type ReturnRequest =
  | { order: { ids: Record<string, string>; lines: ReturnLineRequest[] }; executionDateTimeUtc?: string }
  | { order: { ids: Record<string, string> }; orderLinesStatus: string; executionDateTimeUtc?: string };

export interface CatalogCategoryRequest {
  ids: Record<string, string>;
  name: string;
  parentCategory?: { ids: Record<string, string> };
}

export interface CatalogProductRequest {
  ids: Record<string, string>;
  name: string;
  description?: string;
  /** roubles */
  price?: number;
  oldPrice?: number;
  isAvailable: boolean;
  categories: Array<{ ids: Record<string, string> }>;
  customFields?: Record<string, unknown>;
}

/** SendProductCatalog in JSON: the whole menu. */
export interface ProductCatalogRequest {
  productCatalog: { categories: CatalogCategoryRequest[]; products: CatalogProductRequest[] };
}

// Kysely table types. Each module's tables are declared here so queries stay typed end to end.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, T | string, T | string>;
/** numeric columns come back as text; write them with toNumericString */
export type Numeric = ColumnType<string, string | number, string | number>;

export interface ProjectEntitiesTable {
  kind: string;
  system_name: string;
  definition: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface ProjectStateTable {
  id: number;
  version: number;
  preset: string | null;
  initialized_at: Timestamp;
  updated_at: Timestamp;
}

/** How a version of the project was applied (decision 0019). */
export type ProjectVersionVia = 'console' | 'token' | 'cli' | 'preset' | 'upgrade' | 'unrecorded';

export interface ProjectVersionsTable {
  version: number;
  /** the whole project as stored after this version, secrets sealed */
  definition: Json<Record<string, unknown>>;
  /** what this version changed against the one before; null for the first version of an upgraded installation */
  changes: Json<unknown[]> | null;
  applied_via: ProjectVersionVia;
  /** the console user's name, or `user@host` on the command line; null when nobody is named */
  applied_by: string | null;
  /** the version a restore brought back */
  restored_from: number | null;
  applied_at: Timestamp;
}

export interface IntegrationPointKeysTable {
  id: string;
  integration_point: string;
  key_hash: string;
  label: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface AdminTokensTable {
  id: string;
  token_hash: string;
  label: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ProtocolTransactionsTable {
  transaction_id: string;
  integration_point: string;
  operation: string;
  response: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface AsyncOperationsTable {
  id: string;
  integration_point: string;
  operation: string;
  transaction_id: string | null;
  device_uuid: string | null;
  /** the request as received; null once the call has run (done or failed), a parked call keeps it */
  body: Json<unknown> | null;
  status: 'pending' | 'done' | 'failed' | 'parked';
  attempts: Generated<number>;
  available_at: Timestamp;
  result: Json<Record<string, unknown>> | null;
  last_error: string | null;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

export interface OperationLogTable {
  id: Generated<number>;
  at: Timestamp;
  integration_point: string | null;
  operation: string | null;
  mode: string;
  status: string;
  http_status: number;
  duration_ms: number;
  transaction_id: string | null;
  request_id: string;
  error_id: string | null;
  request: Json<unknown> | null;
  response: Json<unknown> | null;
  notes: Json<unknown> | null;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  payload: Json<Record<string, unknown>>;
  status: Generated<'pending' | 'done' | 'parked'>;
  attempts: Generated<number>;
  available_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  processed_at: Timestamp | null;
}

export interface CustomersTable {
  id: Generated<number>;
  mobile_phone: string | null;
  is_mobile_phone_confirmed: Generated<boolean>;
  pending_mobile_phone: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  middle_name: string | null;
  birth_date: string | null;
  sex: string | null;
  discount_card: string | null;
  custom_fields: Json<Record<string, unknown>>;
  registered_via: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type SubscriptionChangeSource = 'operation' | 'admin' | 'reply';

/** A guest's consent on one channel, optionally narrowed to a brand and a topic ('' when not). */
export interface CustomerSubscriptionsTable {
  customer_id: number;
  point_of_contact: string;
  brand: Generated<string>;
  topic: Generated<string>;
  is_subscribed: boolean;
  changed_at: Timestamp;
}

export interface CustomerSubscriptionChangesTable {
  id: Generated<number>;
  customer_id: number;
  point_of_contact: string;
  brand: string;
  topic: string;
  /** null: no answer was recorded before */
  was_subscribed: boolean | null;
  is_subscribed: boolean;
  source: SubscriptionChangeSource;
  integration_point: string | null;
  operation: string | null;
  actor: string | null;
  reason: string | null;
  at: Timestamp;
}

export interface CatalogCategoriesTable {
  external_system: string;
  id: string;
  name: string;
  parent_id: string | null;
  is_available: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One row: the version of the category trees, a new random value whenever a statement writes categories (a trigger). */
export interface CatalogTreeVersionTable {
  version: string;
}

export interface CatalogProductsTable {
  external_system: string;
  id: string;
  name: string;
  description: string | null;
  price: Numeric | null;
  old_price: Numeric | null;
  is_available: Generated<boolean>;
  category_ids: ColumnType<string[], string[] | undefined, string[]>;
  custom_fields: Json<Record<string, unknown>>;
  sku: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type LedgerEntryKind = 'accrual' | 'spend' | 'accrualReversal' | 'spendRefund' | 'expiry' | 'adjustment';
export type LedgerSource = 'operation' | 'scenario' | 'admin' | 'system';

export interface LedgerEntriesTable {
  id: Generated<number>;
  customer_id: number;
  balance_type: string;
  kind: LedgerEntryKind;
  /** signed points in the balance type's units (whole points, or points with 2 decimals) */
  amount: Numeric;
  active_from: Timestamp | null;
  expires_at: Timestamp | null;
  order_id: number | null;
  source: LedgerSource;
  operation: string | null;
  actor: string | null;
  reason: string;
  related_entry_id: number | null;
  at: Timestamp;
}

export interface PointLotsTable {
  id: Generated<number>;
  customer_id: number;
  balance_type: string;
  entry_id: number;
  order_id: number | null;
  active_from: Timestamp;
  expires_at: Timestamp | null;
  amount: Numeric;
  remaining: Numeric;
}

export interface PointLotMovesTable {
  id: Generated<number>;
  lot_id: number;
  entry_id: number;
  /** negative: taken from the lot; positive: given back to it */
  amount: Numeric;
}

export interface PointBalancesTable {
  customer_id: number;
  balance_type: string;
  total: Numeric;
  updated_at: Timestamp;
}

export interface CustomerCodesTable {
  id: Generated<number>;
  customer_id: number;
  purpose: 'confirmation' | 'authorization';
  phone: string;
  code_hash: string;
  salt: string;
  status: Generated<'active' | 'used' | 'void' | 'replaced'>;
  attempts: Generated<number>;
  operation: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  closed_at: Timestamp | null;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: Generated<Date>;
}

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';

export interface MessagesTable {
  id: string;
  customer_id: number | null;
  phone: string;
  /** the text as an operator may see it, one-time codes masked; null for messages stored before 0.2 */
  text_encrypted: string | null;
  /** the text the gateway gets, codes included: kept only until the message is sent or has failed */
  outgoing_text_encrypted: string | null;
  mailing: string | null;
  connection: string;
  source: string | null;
  status: MessageStatus;
  attempts: Generated<number>;
  provider_message_id: string | null;
  last_error: string | null;
  created_at: Timestamp;
  valid_until: Timestamp;
  sending_until: Timestamp | null;
  sent_at: Timestamp | null;
  delivered_at: Timestamp | null;
  failed_at: Timestamp | null;
  updated_at: Timestamp;
  /** marketing: only with consent, within the project's hours, under the cap, at the connection's rate (decision 0020) */
  kind: Generated<MessageKind>;
}

export type MessageKind = 'transactional' | 'marketing';

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'finished' | 'cancelled';

/** A campaign as it was written: its audience, the SMS parts of its text and the cost (src/campaigns). */
export interface CampaignEstimate {
  audience: { total: number; recipients: number; skipped: { noConsent: number; invalidPhone: number; frequencyCap: number } };
  sms: { encoding: 'GSM-7' | 'UCS-2'; minParts: number; maxParts: number; sampled: number };
  cost: { pricePerPart: number; estimate: number } | null;
}

export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  /** the template, in the mailing language */
  text: string;
  connection: string;
  segments: ColumnType<string[], string[], string[]>;
  exclude_segments: ColumnType<string[], string[], string[]>;
  status: CampaignStatus;
  send_at: Timestamp | null;
  estimate: Json<CampaignEstimate>;
  created_by: string;
  created_at: Timestamp;
  started_at: Timestamp | null;
  resolved_through: number | null;
  resolved_at: Timestamp | null;
  finished_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  cancelled_by: string | null;
}

export type CampaignRecipientStatus = 'pending' | 'messaged' | 'skipped';

export interface CampaignRecipientsTable {
  campaign_id: number;
  customer_id: number;
  status: CampaignRecipientStatus;
  skip_reason: string | null;
  message_id: string | null;
  updated_at: Timestamp;
}

export interface ScenarioDailyPassesTable {
  scenario: string;
  local_day: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  guests: number | null;
}

export interface ScenarioDateMarksTable {
  scenario: string;
  customer_id: number;
  /** a birthday: its date that year; otherwise the local day the guest got it */
  occurrence: string;
  at: Timestamp;
}

export interface ScenarioRunsTable {
  id: Generated<number>;
  scenario: string;
  event_key: string;
  customer_id: number | null;
  event_type: string;
  operation: string | null;
  /** retrying: a step threw and the event will be delivered again; parked: it kept throwing */
  status: 'running' | 'completed' | 'noBranchMatched' | 'failed' | 'retrying' | 'parked';
  branch: string | null;
  steps: Json<Array<{ type: string; status: string; detail?: string }>>;
  created_at: Timestamp;
}

export interface CustomerSegmentsTable {
  customer_id: number;
  segment: string;
  entered_at: Timestamp;
}

export interface SegmentRecalculationsTable {
  id: Generated<number>;
  reason: 'daily' | 'definitions' | 'manual';
  /** 'YYYY-MM-DD' in the project time zone */
  local_day: string;
  definitions_hash: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  entered: number | null;
  left: number | null;
  duration_ms: number | null;
}

export type AdminRole = 'owner' | 'marketer' | 'viewer';

export interface AdminUsersTable {
  id: Generated<number>;
  name: string;
  role: AdminRole;
  password_hash: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  disabled_at: Timestamp | null;
  /** moves on when the password changes or the user is disabled: sessions opened under an older one are over */
  session_generation: Generated<number>;
}

/** A guest's session of the card page (decision 0023): the SHA-256 of the cookie's id. */
export interface GuestSessionsTable {
  id_hash: string;
  customer_id: number;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** An Apple Wallet pass of a guest's card: what it showed when last built, and since when (decision 0023). */
export interface ApplePassesTable {
  serial_number: string;
  customer_id: number;
  fingerprint: string;
  updated_at: Timestamp;
  created_at: Timestamp;
}

/** A device that registered a pass for updates (PassKit web service), with its push token. */
export interface ApplePassRegistrationsTable {
  device_library_id: string;
  serial_number: string;
  push_token: string;
  created_at: Timestamp;
}

/** A Google Wallet loyalty object of a guest's card: its id at Google, what it showed when last sent (decision 0024). */
export interface GoogleWalletObjectsTable {
  object_id: string;
  customer_id: number;
  fingerprint: string;
  updated_at: Timestamp;
  created_at: Timestamp;
}

/** How far the Wallet update task has looked: ledger entries after this id, guests changed since then (one row). */
export interface WalletSyncTable {
  id: number;
  ledger_entry_id: number;
  customers_since: Timestamp;
}

export interface AdminSessionsTable {
  id_hash: string;
  /** null: a session opened with the admin token */
  user_id: number | null;
  /** the user's session_generation when the session was opened (null with the admin token) */
  user_generation: number | null;
  /** the admin token that opened the session (null for a user's session) */
  admin_token_id: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  user_agent: string | null;
}

/** Failed guesses of a credential or from an address, counted before each check (decision 0502). */
export interface FailedAttemptsTable {
  key: string;
  failures: number;
  last_failure_at: Timestamp;
  blocked_until: Timestamp;
}

/** numeric columns with a default: may be left out on insert */
export type NumericWithDefault = ColumnType<string, string | number | undefined, string | number>;

export type OrderKind = 'authorized' | 'anonymous' | 'offline';

export interface OrdersTable {
  id: Generated<number>;
  customer_id: number | null;
  kind: OrderKind;
  balance_type: string | null;
  point_of_contact: string | null;
  cashdesk: string | null;
  integration_point: string;
  operation: string;
  custom_fields: Json<Record<string, unknown>>;
  payments: Json<Array<{ type: string; amount: number }>>;
  /** coupon codes the order used */
  coupons: ColumnType<string[], string[] | string | undefined, string[] | string>;
  subtotal: Numeric;
  discount_total: Numeric;
  total_price: Numeric;
  /** when the POS rang the order up (an offline order's own time) */
  executed_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** when an offline order reached the server; null for an order created online */
  received_at: Timestamp | null;
}

export interface OrderIdentifiersTable {
  field: string;
  value: string;
  order_id: number;
}

export interface OrderLinesTable {
  id: Generated<number>;
  order_id: number;
  line_number: number;
  line_id: string | null;
  product_id: string | null;
  /** quantities have 3 decimals; money 2; points the balance type's decimals */
  quantity: Numeric;
  base_price_per_item: Numeric;
  min_price_per_item: Numeric | null;
  line_total: Numeric;
  discounted_price: Numeric;
  status: string;
  quantity_returned: NumericWithDefault;
  quantity_refunded: NumericWithDefault;
  amount_returned: NumericWithDefault;
  points_spent: NumericWithDefault;
  points_spent_net: NumericWithDefault;
  points_earned: NumericWithDefault;
  points_earned_net: NumericWithDefault;
  earnings: Json<Array<{ promotion: string; name: string; points: number; lifetimeDays: number | null }>>;
  applied_promotions: Json<unknown[]>;
  custom_fields: Json<Record<string, unknown>>;
  paid_at: Timestamp | null;
}

export interface OrderLineHistoryTable {
  id: Generated<number>;
  order_id: number;
  line_number: number;
  status: string;
  quantity: Numeric;
  operation: string;
  transaction_id: string | null;
  at: Timestamp;
}

/** Money a POS gave back with a return or a status change (`order.returnedPayments`). */
export interface OrderReturnedPaymentsTable {
  id: Generated<number>;
  order_id: number;
  type: string;
  amount: Numeric;
  operation: string;
  transaction_id: string | null;
  at: Timestamp;
}

export interface CouponsTable {
  code: string;
  pool: string;
  uses: Generated<number>;
  used_by: number | null;
  used_at: Timestamp | null;
  created_at: Timestamp;
  /** the guest a scenario gave the code to (issueCoupon) */
  issued_to: number | null;
  issued_at: Timestamp | null;
}

export interface CouponUsesTable {
  id: Generated<number>;
  code: string;
  customer_id: number | null;
  order_id: number;
  at: Timestamp;
}

export interface Database {
  project_entities: ProjectEntitiesTable;
  project_state: ProjectStateTable;
  project_versions: ProjectVersionsTable;
  integration_point_keys: IntegrationPointKeysTable;
  admin_tokens: AdminTokensTable;
  admin_users: AdminUsersTable;
  admin_sessions: AdminSessionsTable;
  guest_sessions: GuestSessionsTable;
  apple_passes: ApplePassesTable;
  apple_pass_registrations: ApplePassRegistrationsTable;
  google_wallet_objects: GoogleWalletObjectsTable;
  wallet_sync: WalletSyncTable;
  failed_attempts: FailedAttemptsTable;
  protocol_transactions: ProtocolTransactionsTable;
  async_operations: AsyncOperationsTable;
  operation_log: OperationLogTable;
  outbox: OutboxTable;
  customers: CustomersTable;
  customer_codes: CustomerCodesTable;
  customer_subscriptions: CustomerSubscriptionsTable;
  customer_subscription_changes: CustomerSubscriptionChangesTable;
  server_secrets: ServerSecretsTable;
  messages: MessagesTable;
  campaigns: CampaignsTable;
  campaign_recipients: CampaignRecipientsTable;
  scenario_daily_passes: ScenarioDailyPassesTable;
  scenario_date_marks: ScenarioDateMarksTable;
  scenario_runs: ScenarioRunsTable;
  customer_segments: CustomerSegmentsTable;
  segment_recalculations: SegmentRecalculationsTable;
  catalog_categories: CatalogCategoriesTable;
  catalog_tree_version: CatalogTreeVersionTable;
  catalog_products: CatalogProductsTable;
  ledger_entries: LedgerEntriesTable;
  point_lots: PointLotsTable;
  point_lot_moves: PointLotMovesTable;
  point_balances: PointBalancesTable;
  orders: OrdersTable;
  order_identifiers: OrderIdentifiersTable;
  order_lines: OrderLinesTable;
  order_line_history: OrderLineHistoryTable;
  order_returned_payments: OrderReturnedPaymentsTable;
  coupons: CouponsTable;
  coupon_uses: CouponUsesTable;
}

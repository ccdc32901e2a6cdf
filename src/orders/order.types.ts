// What the order use cases take: an order as a POS describes it (every amount in minor units), how a saved
// order is named, what a status change asks, and where a call comes from. The Mindbox protocol reads its
// request bodies into these (src/protocol/mindbox/shapes/order.ts, order-status.ts); the domain names its
// fields as the Mindbox order node does, so the paths of its refusals are the protocol's locations too
// (`/order/lines/2/status`; decision 0010).
import type { RequestedPromotion } from '../loyalty/calculate.ts';
import type { OrderLineStatusDefinition } from '../project/schemas.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';

export interface OrderLineInput {
  lineNumber: number;
  lineId?: string;
  productId: string;
  /** thousandths */
  quantity: number;
  /** kopecks */
  basePricePerItem: number;
  minPricePerItem?: number;
  /** line status external id, when the caller gave one */
  status?: string;
  requestedPromotions: RequestedPromotion[];
  customFields: Record<string, unknown>;
}

/** How a caller names a saved order: its identifier fields (`iikoOrderId`), Regulars' own id, or both. */
export interface OrderRef {
  ids: Record<string, string>;
  mindboxId?: number;
}

export interface OrderInput extends OrderRef {
  /** kopecks, when given */
  totalPrice?: number;
  /** the external system the lines' product ids belong to */
  externalSystem: string;
  pointOfContact?: string;
  cashdesk?: string;
  /** balance type minor units the POS asks to spend */
  pointsRequested: number;
  coupons: string[];
  payments: OrderPayment[];
  customFields: Record<string, unknown>;
  lines: OrderLineInput[];
}

/** A payment of an order, or money given back with a return. */
export interface OrderPayment {
  /** the POS's payment type: "cash", "card", … */
  type: string;
  /** kopecks */
  amount: number;
}

/** A status asked for some lines of a saved order. */
export interface LineStatusChange {
  /** the change's position in the request's `order.lines`, where its refusals point */
  index: number;
  status: OrderLineStatusDefinition;
  /** the order's lines it names (one lineId may name several) */
  lineNumbers: number[];
  /** thousandths to return, taken from the named lines in turn; all that is left when absent */
  quantity?: number;
}

/** What a status change asks of a saved order. */
export interface StatusChangeRequest {
  /** one status for every line that still holds a quantity (`orderLinesStatus`), or a change per line */
  lines: { wholeOrder: OrderLineStatusDefinition } | { changes: LineStatusChange[] };
  /** custom field values to set on the order, as given (checked against the project's order fields with the changes), or none */
  customFields: Record<string, unknown> | null;
  /** money the POS gave back with this change (`order.returnedPayments`), kept with the order's history */
  returnedPayments: OrderPayment[];
}

/** Where an order call comes from and what it may use besides the transaction. */
export interface OrderContext {
  project: ProjectSnapshot;
  /** recorded on the order, its lines' history, its ledger entries and its events */
  source: { integrationPoint: string; operation: string };
  /** the caller's idempotency key, recorded in the lines' history */
  transactionId: string | null;
  /** the caller's integration point confirms phones: personal promotions are for confirmed phones only */
  confirmsPhones: boolean;
  now: Date;
}

// One handler per operation type. A type without a handler answers a ProtocolError naming it. Every handler
// notes the request fields it did not use in the operation log (ignored-fields.ts).
import type { OperationType } from '../../../project/schemas.ts';
import { checkAuthorizationCode } from './check-authorization-code.ts';
import { confirmMobilePhone } from './confirm-mobile-phone.ts';
import { editCustomer } from './edit-customer.ts';
import { getCustomer } from './get-customer.ts';
import { importProductCatalog } from './import-product-catalog.ts';
import { registerCustomer } from './register-customer.ts';
import { resendConfirmationCode } from './resend-confirmation-code.ts';
import { sendAuthorizationCode } from './send-authorization-code.ts';
import { calculateAnonymousCart, calculateAuthorizedCart } from './calculate-cart.ts';
import { changeOrderStatus } from './change-order-status.ts';
import { createAnonymousOrder, createAuthorizedOrder } from './create-order.ts';
import { saveOfflineOrder } from './save-offline-order.ts';
import type { OperationHandler } from './types.ts';

// any: each handler's input is its own; the pipeline only passes what `read` gave to `run`
export const operationHandlers: Partial<Record<OperationType, OperationHandler<any>>> = {
  GetCustomer: getCustomer,
  RegisterCustomer: registerCustomer,
  EditCustomer: editCustomer,
  SendAuthorizationCode: sendAuthorizationCode,
  CheckAuthorizationCode: checkAuthorizationCode,
  ResendConfirmationCode: resendConfirmationCode,
  ConfirmMobilePhone: confirmMobilePhone,
  ImportProductCatalog: importProductCatalog,
  CalculateAuthorizedCart: calculateAuthorizedCart,
  CalculateAnonymousCart: calculateAnonymousCart,
  CreateAuthorizedOrder: createAuthorizedOrder,
  CreateAnonymousOrder: createAnonymousOrder,
  SaveOfflineOrder: saveOfflineOrder,
  ChangeOrderStatus: changeOrderStatus,
  ReturnOrder: changeOrderStatus,
};

/**
 * Types whose handlers only read: called without a transactionId to record, they run outside a transaction
 * (a preorder is recalculated on every change of the bill; it needs no BEGIN/COMMIT).
 */
export const readOnlyOperationTypes: ReadonlySet<OperationType> = new Set(['GetCustomer', 'CalculateAuthorizedCart', 'CalculateAnonymousCart']);

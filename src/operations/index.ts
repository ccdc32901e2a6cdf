// One handler per operation type. A type without a handler answers a ProtocolError naming it.
import type { OperationType } from '../project/schemas.ts';
import { getCustomer } from './get-customer.ts';
import { importProductCatalog } from './import-product-catalog.ts';
import type { OperationHandler } from './types.ts';

export const operationHandlers: Partial<Record<OperationType, OperationHandler>> = {
  GetCustomer: getCustomer,
  ImportProductCatalog: importProductCatalog,
};

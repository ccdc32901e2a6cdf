// The protocol's limits on what one call may bring, in one place (decision 0014 says each value and why).
import type { Config } from '../../config.ts';
import type { OperationType } from '../../project/schemas.ts';
import type { FailureThrottleLimits } from '../../http/failure-throttle.ts';

/** Levels of objects and arrays (XML: elements) a body may nest; a real request nests 5 or 6. */
export const MAX_BODY_DEPTH = 64;

/** A call's body must have arrived this long after its headers: the POS sends it at once and gives up after 3 s. */
export const CALL_BODY_TIME_MS = 10_000;

/** Failed authentications from one address that shut it out for a minute: a mistyped key is not a flood. */
export const FAILED_AUTHENTICATION: FailureThrottleLimits = { maxFailures: 20, windowMs: 60_000, blockMs: 60_000, maxAddresses: 50_000 };

/** Bills: a preorder, an order, an offline order, a status change or return, with up to some thousand lines. */
const ORDER_TYPES: ReadonlySet<OperationType> = new Set([
  'CalculateAuthorizedCart',
  'CalculateAnonymousCart',
  'CreateAuthorizedOrder',
  'CreateAnonymousOrder',
  'SaveOfflineOrder',
  'ChangeOrderStatus',
  'ReturnOrder',
]);

/** The largest body an operation of this type takes: the whole menu, a bill, or a guest's few fields. */
export function bodyLimitOf(type: OperationType, config: Config): number {
  if (type === 'ImportProductCatalog') return config.bodyLimitBytes;
  if (ORDER_TYPES.has(type)) return config.orderBodyLimitBytes;
  return config.callBodyLimitBytes;
}

/** The setting that raises `bodyLimitOf(type)`, for the refusal to name. */
export function bodyLimitSettingOf(type: OperationType): string {
  if (type === 'ImportProductCatalog') return 'REGULARS_BODY_LIMIT_MB';
  return ORDER_TYPES.has(type) ? 'REGULARS_ORDER_BODY_LIMIT_KB' : 'REGULARS_CALL_BODY_LIMIT_KB';
}

/** How long the body of an operation of this type may take to arrive: the menu may come over a slow line. */
export function bodyTimeOf(type: OperationType, config: Config): number {
  return type === 'ImportProductCatalog' ? config.uploadTimeoutMs : CALL_BODY_TIME_MS;
}

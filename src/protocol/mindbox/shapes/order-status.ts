// What Offline.ChangeStatus and Offline.Return ask: the order (`order.ids`), then one status for the whole order
// (`orderLinesStatus`, at the root or in `order`) or a status per line (`order.lines[]`, each named by
// `lineNumber` or `lineId`, a return with its `quantity`), custom fields to set on the order (whose values
// the orders domain checks together with the changes, so both are refused in one answer), and the money given back
// (`order.returnedPayments[{type, amount}]`).
import type { LineStatusChange, OrderRef, StatusChangeRequest } from '../../../orders/order.types.ts';
import type { OrderLineStatusDefinition } from '../../../project/schemas.ts';
import type { ProjectSnapshot } from '../../../project/snapshot.ts';
import { validationError, type ValidationMessage } from '../../../shared/errors.ts';
import { parseMinor } from '../../../shared/money.ts';
import { given, isObject } from '../../../wire/decoded.ts';
import { customFieldsNode, listOf, parseOrderIds, parsePayments, statusText } from './order.ts';

/** The order a status change names. */
export function parseOrderToChange(project: ProjectSnapshot, body: Record<string, unknown>): OrderRef {
  if (!isObject(body.order)) throw validationError({ location: '/order', message: 'name the order: {"order": {"ids": {…}}}' });
  const problems: ValidationMessage[] = [];
  const ref = parseOrderIds(project, body.order.ids, '/order/ids', problems);
  if (problems.length > 0) throw validationError(problems);
  if (Object.keys(ref.ids).length === 0 && ref.mindboxId === undefined) throw validationError({ location: '/order/ids', message: 'name the order by its ids' });
  return ref;
}

/**
 * What the request asks of the order `parseOrderToChange` named, once it is found: the lines are named by what
 * the order has, and an unknown order is answered before anything else in the request is looked at.
 */
export function parseStatusChange(
  project: ProjectSnapshot,
  body: Record<string, unknown>,
  orderLines: readonly { lineNumber: number; lineId: string | null }[],
): StatusChangeRequest {
  const problems: ValidationMessage[] = [];
  const statusOf = (value: unknown, location: string): OrderLineStatusDefinition | undefined => {
    const text = statusText(value);
    if (text === null) {
      problems.push({ location, message: 'a status is "iikoPaid" or {"ids": {"externalId": "iikoPaid"}}' });
      return undefined;
    }
    const status = project.lineStatus(text);
    if (!status) problems.push({ location, message: `"${text}" is not an order line status of this project` });
    return status;
  };
  const order = body.order as Record<string, unknown>;
  let lines: StatusChangeRequest['lines'];
  const whole = body.orderLinesStatus ?? order.orderLinesStatus;
  if (given(whole)) {
    const status = statusOf(whole, '/orderLinesStatus');
    if (problems.length > 0) throw validationError(problems);
    lines = { wholeOrder: status! };
  } else {
    const nodes = listOf(order.lines);
    if (nodes === null || nodes.length === 0) {
      throw validationError({ location: '/order/lines', message: 'give orderLinesStatus for the whole order, or order.lines with a status each' });
    }
    const changes: LineStatusChange[] = [];
    nodes.forEach((node, index) => {
      const at = `/order/lines/${index}`;
      if (!isObject(node)) return problems.push({ location: at, message: 'a line is an object with lineNumber or lineId and a status' });
      const status = statusOf(node.status, `${at}/status`);
      let lineNumbers: number[] = [];
      if (given(node.lineNumber)) {
        const number = Number(node.lineNumber);
        if (!orderLines.some((line) => line.lineNumber === number)) problems.push({ location: `${at}/lineNumber`, message: `the order has no line ${String(node.lineNumber)}` });
        else lineNumbers = [number];
      } else if (given(node.lineId)) {
        const wanted = String(node.lineId);
        lineNumbers = orderLines.filter((line) => line.lineId === wanted).map((line) => line.lineNumber);
        if (lineNumbers.length === 0) problems.push({ location: `${at}/lineId`, message: `the order has no line "${wanted}"` });
      } else {
        problems.push({ location: at, message: 'name the line by lineNumber or lineId' });
      }
      let quantity: number | undefined;
      if (given(node.quantity)) {
        const parsed = parseMinor(node.quantity, 3);
        if (parsed === null || parsed <= 0) problems.push({ location: `${at}/quantity`, message: 'quantity is a positive number with at most 3 decimals' });
        else quantity = parsed;
      }
      if (status && lineNumbers.length > 0) changes.push({ index, status, lineNumbers, ...(quantity === undefined ? {} : { quantity }) });
    });
    if (problems.length > 0) throw validationError(problems);
    lines = { changes };
  }
  const customFields = order.customFields === undefined ? null : customFieldsNode(order.customFields, '/order/customFields', problems);
  const returnedPayments = parsePayments(order.returnedPayments, '/order/returnedPayments', problems);
  if (problems.length > 0) throw validationError(problems);
  return { lines, customFields, returnedPayments };
}

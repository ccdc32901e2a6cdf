import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iikoPreset } from '../../../project/presets/iiko.ts';
import { projectSchema } from '../../../project/schemas.ts';
import { ProjectSnapshot } from '../../../project/snapshot.ts';
import type { AppError } from '../../../shared/errors.ts';
import { parseDateTime } from '../../../orders/field-values.ts';
import { parseOrderToChange, parseStatusChange } from './order-status.ts';
import { executionTimeOf, offlineOrderTimeOf, parseOrderInput } from './order.ts';

const project = new ProjectSnapshot(projectSchema.parse(iikoPreset({ phoneConfirmation: true })), 1);
const OPTIONS = { pointScale: 0 as const, requireTotalPrice: true, requireIdentifier: false };

function refusedAt(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    return (error as AppError).validationMessages.map((message) => message.location ?? '');
  }
  return [];
}

const locations = (body: Record<string, unknown>, options = OPTIONS) => refusedAt(() => parseOrderInput(project, body, options));

describe('order node', () => {
  it('reads amounts as numbers or numeric strings into minor units', () => {
    const order = parseOrderInput(
      project,
      {
        pointOfContact: 'cafe-1',
        order: {
          ids: { iikoOrderId: 1234 },
          totalPrice: '1 000'.replace(' ', ''),
          cashdesk: { ids: { externalId: 'desk' } },
          bonusPoints: [{ amount: '150' }, { amount: 50 }],
          coupons: [{ ids: { code: 'A1' } }, { ids: { code: 'A1' } }],
          payments: [{ type: 'card', amount: '999,99' }],
          customFields: { Waiter: 'Анна' },
          lines: [
            {
              lineNumber: '2',
              lineId: 7,
              quantity: '1.5',
              basePricePerItem: '250.50',
              minPricePerItem: 100,
              product: { ids: { iiko: 'guid-1' } },
              status: { ids: { externalId: 'iikoPaid' } },
              requestedPromotions: [{ type: 'discount', promotion: { ids: { externalId: 'iikoHappyHour' } }, amount: '10' }],
            },
          ],
        },
      },
      OPTIONS,
    );
    assert.deepEqual(order.ids, { iikoOrderId: '1234' });
    assert.equal(order.totalPrice, 100000);
    assert.equal(order.pointsRequested, 200);
    assert.deepEqual(order.coupons, ['A1']);
    assert.deepEqual(order.payments, [{ type: 'card', amount: 99999 }]);
    assert.equal(order.pointOfContact, 'cafe-1');
    assert.equal(order.cashdesk, 'desk');
    assert.equal(order.externalSystem, 'iiko');
    assert.deepEqual(order.lines[0], {
      lineNumber: 2,
      lineId: '7',
      productId: 'guid-1',
      quantity: 1500,
      basePricePerItem: 25050,
      minPricePerItem: 10000,
      status: 'iikoPaid',
      requestedPromotions: [{ externalId: 'iikoHappyHour', amount: 1000 }],
      customFields: {},
    });
  });

  it('reports every bad value with its location at once', () => {
    assert.deepEqual(
      locations({
        order: {
          ids: { orderNumber: '1' },
          bonusPoints: [{ amount: 1.5 }],
          lines: [
            { quantity: 0, basePricePerItem: 10, product: { ids: { iiko: 'a' } } },
            { quantity: 1, basePricePerItem: -1, product: { ids: { unknownSystem: 'b' } } },
            { lineNumber: 4, quantity: 1, basePricePerItem: 1, product: { ids: { iiko: 'c' } } },
            { lineNumber: 4, quantity: 1, basePricePerItem: 1, product: { ids: { iiko: 'd' } } },
          ],
        },
      }),
      [
        '/order/ids/orderNumber',
        '/order/totalPrice',
        '/order/bonusPoints/0/amount',
        '/order/lines/0/quantity',
        '/order/lines/1/product/ids/unknownSystem',
        '/order/lines/1/basePricePerItem',
        '/order/lines/3/lineNumber',
      ],
    );
    assert.deepEqual(locations({ order: { lines: [] } }, { ...OPTIONS, requireIdentifier: true }), ['/order/ids', '/order/totalPrice', '/order/lines']);
    assert.deepEqual(locations({}), ['/order']);
  });

  it('takes back-dated times in the forms POS plugins send and refuses the future and what is more than a year ago', () => {
    assert.equal(parseDateTime('2018-12-19 20:01:58.095')?.toISOString(), '2018-12-19T20:01:58.095Z');
    assert.equal(parseDateTime('2017-11-14T09:31:41.33Z')?.toISOString(), '2017-11-14T09:31:41.330Z');
    assert.equal(parseDateTime('2026-01-31T15:00:00+03:00')?.toISOString(), '2026-01-31T12:00:00.000Z');
    assert.equal(parseDateTime('yesterday'), null);
    const now = new Date('2026-03-01T12:00:00Z');
    assert.equal(executionTimeOf({}, now), now);
    assert.throws(() => executionTimeOf({ executionDateTimeUtc: '2026-03-01T12:05:00Z' }, now), /future/);
    assert.equal(executionTimeOf({ executionDateTimeUtc: '2025-03-02T12:00:00Z' }, now).toISOString(), '2025-03-02T12:00:00.000Z');
    assert.deepEqual(refusedAt(() => executionTimeOf({ executionDateTimeUtc: '2025-03-01T11:59:00Z' }, now)), ['/executionDateTimeUtc']);
  });

  it("dates an offline order by its own createdDateTimeUtc, else the execution time, else now, checking both", () => {
    const now = new Date('2026-03-04T07:00:00Z');
    const order = (createdDateTimeUtc?: string) => ({ ids: { iikoOrderId: 'A-1' }, ...(createdDateTimeUtc ? { createdDateTimeUtc } : {}) });
    assert.equal(offlineOrderTimeOf({ executionDateTimeUtc: '2026-03-04T06:00:00Z', order: order('2026-03-02 17:30:00') }, now).toISOString(), '2026-03-02T17:30:00.000Z');
    assert.equal(offlineOrderTimeOf({ executionDateTimeUtc: '2026-03-04T06:00:00Z', order: order() }, now).toISOString(), '2026-03-04T06:00:00.000Z');
    assert.equal(offlineOrderTimeOf({ order: order() }, now), now);
    assert.deepEqual(refusedAt(() => offlineOrderTimeOf({ order: order('2026-03-05T00:00:00Z') }, now)), ['/order/createdDateTimeUtc']);
    assert.deepEqual(refusedAt(() => offlineOrderTimeOf({ executionDateTimeUtc: 'soon', order: order('2026-03-02 17:30:00') }, now)), ['/executionDateTimeUtc']);
  });
});

describe('status change request', () => {
  const orderLines = [
    { lineNumber: 1, lineId: 'L1' },
    { lineNumber: 2, lineId: 'L2' },
    { lineNumber: 3, lineId: 'L2' },
  ];
  const paid = project.lineStatus('iikoPaid')!;
  const returned = project.lineStatus('iikoReturn')!;

  it('names the order by its identifier fields or mindboxId', () => {
    assert.deepEqual(parseOrderToChange(project, { order: { ids: { iikoOrderId: 'A-1', mindboxId: '7' } } }), { ids: { iikoOrderId: 'A-1' }, mindboxId: 7 });
    assert.deepEqual(refusedAt(() => parseOrderToChange(project, {})), ['/order']);
    assert.deepEqual(refusedAt(() => parseOrderToChange(project, { order: { ids: {} } })), ['/order/ids']);
    assert.deepEqual(refusedAt(() => parseOrderToChange(project, { order: { ids: { orderNumber: '1', mindboxId: 'x' } } })), ['/order/ids/orderNumber', '/order/ids/mindboxId']);
  });

  it('takes one status for the whole order, at the root or in the order, in either form', () => {
    const ids = { iikoOrderId: 'A-1' };
    assert.deepEqual(parseStatusChange(project, { order: { ids }, orderLinesStatus: 'iikoPaid' }, orderLines), { lines: { wholeOrder: paid }, customFields: null, returnedPayments: [] });
    assert.deepEqual(parseStatusChange(project, { order: { ids, orderLinesStatus: { ids: { externalId: 'iikoReturn' } } } }, orderLines).lines, { wholeOrder: returned });
  });

  it("resolves each line against the order's lines: a lineId may name several, a return its quantity in thousandths", () => {
    const request = parseStatusChange(
      project,
      { order: { ids: { iikoOrderId: 'A-1' }, customFields: { Waiter: 'Анна' }, lines: [{ lineNumber: '1', status: 'iikoPaid' }, { lineId: 'L2', quantity: '1.5', status: 'iikoReturn' }] } },
      orderLines,
    );
    assert.deepEqual(request, {
      lines: {
        changes: [
          { index: 0, status: paid, lineNumbers: [1] },
          { index: 1, status: returned, lineNumbers: [2, 3], quantity: 1500 },
        ],
      },
      customFields: { Waiter: 'Анна' },
      returnedPayments: [],
    });
  });

  it('reads the money given back, in kopecks, and refuses a payment without its type or with a bad amount', () => {
    const body = (returnedPayments: unknown) => ({ order: { ids: { iikoOrderId: 'A-1' }, returnedPayments }, orderLinesStatus: 'iikoReturn' });
    assert.deepEqual(parseStatusChange(project, body([{ type: 'card', amount: 250 }, { type: 'cash', amount: '0.5' }]), orderLines).returnedPayments, [
      { type: 'card', amount: 25_000 },
      { type: 'cash', amount: 50 },
    ]);
    assert.deepEqual(refusedAt(() => parseStatusChange(project, body([{ amount: 1 }, { type: 'card', amount: '1.005' }]), orderLines)), [
      '/order/returnedPayments/0/type',
      '/order/returnedPayments/1/amount',
    ]);
    assert.deepEqual(refusedAt(() => parseStatusChange(project, body({ type: 'card' }), orderLines)), ['/order/returnedPayments']);
  });

  it('refuses every line it cannot read or find at once, in the order of the lines', () => {
    const lines = [{ lineNumber: 1, quantity: 'x', status: { ids: {} } }, { lineNumber: 9, status: 'iikoReturn' }, 'text', { status: 'iikoEaten' }, { lineId: 'L7', status: 'iikoReturn' }];
    assert.deepEqual(refusedAt(() => parseStatusChange(project, { order: { ids: { iikoOrderId: 'A-1' }, lines } }, orderLines)), [
      '/order/lines/0/status',
      '/order/lines/0/quantity',
      '/order/lines/1/lineNumber',
      '/order/lines/2',
      '/order/lines/3/status',
      '/order/lines/3',
      '/order/lines/4/lineId',
    ]);
    assert.deepEqual(refusedAt(() => parseStatusChange(project, { order: { ids: { iikoOrderId: 'A-1' } } }, orderLines)), ['/order/lines']);
  });
});

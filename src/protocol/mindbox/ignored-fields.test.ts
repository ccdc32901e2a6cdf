import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, validationError } from '../../shared/errors.ts';
import { describePaths, performNotingIgnoredFields, trackReads } from './ignored-fields.ts';
import { operation, type OperationCall, type OperationDeps } from './operations/types.ts';

describe('the fields a reader did not read', () => {
  it('are the paths of the nodes it never entered and of the fields it never read, in lists by index', () => {
    const tracked = trackReads({
      customer: { mobilePhone: '79001234567', mobilPhone: '79001234567' },
      order: { area: { ids: { externalId: 'north' } }, lines: [{ quantity: 1, costPricePerItem: 100 }, { quantity: 2 }] },
      executionDateTimeUtc: '2026-01-31T12:00:00Z',
    });
    const body = tracked.body as any;
    assert.equal(body.customer.mobilePhone, '79001234567');
    body.order.lines.forEach((line: { quantity: number }) => assert.ok(line.quantity > 0));
    assert.deepEqual(tracked.unread(), ['/customer/mobilPhone', '/order/area', '/order/lines/0/costPricePerItem', '/executionDateTimeUtc']);
  });

  it('counts a field as read when a reader walks all the keys of its node, tests it with `in`, or copies it', () => {
    const tracked = trackReads({ ids: { iikoOrderId: 'A-1', pos: '7' }, customFields: { Waiter: 'Пётр' }, order: { mindboxId: 5 }, extra: { a: 1 } });
    const body = tracked.body as any;
    assert.deepEqual(Object.entries(body.ids).length, 2);
    assert.equal(JSON.stringify(body.customFields), '{"Waiter":"Пётр"}');
    assert.ok('mindboxId' in body.order);
    assert.deepEqual({ ...body.extra }, { a: 1 });
    assert.deepEqual(tracked.unread(), []);
  });

  it('behaves as the body itself: lists are lists, a node read twice is the same node, values are unchanged', () => {
    const tracked = trackReads({ order: { lines: [{ lineNumber: 1 }] } });
    const body = tracked.body as any;
    assert.ok(Array.isArray(body.order.lines));
    assert.equal(body.order, body.order);
    assert.deepEqual(body.order.lines.map((line: { lineNumber: number }) => line.lineNumber), [1]);
  });

  it('leaves out the namespace declarations of an XML root, escapes keys as a JSON Pointer does and masks a key that is a phone', () => {
    const tracked = trackReads({ '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'a/b': 1, '79001234567': 'x' });
    assert.deepEqual(tracked.unread(), ['/a~1b', '/7******67']);
  });

  it('are described with one entry for a field missed in every item of a list, and at most 20 entries', () => {
    assert.equal(
      describePaths(['/order/area', '/order/lines/0/costPricePerItem', '/order/lines/1/costPricePerItem', '/order/lines/1/quantityType']),
      '/order/area, /order/lines/*/costPricePerItem (2×), /order/lines/1/quantityType',
    );
    const many = Array.from({ length: 25 }, (_, index) => `/field${index}`);
    assert.match(describePaths(many), /\/field19 and 5 more$/);
  });
});

describe('a handler noting the fields it did not use', () => {
  const call = (body: Record<string, unknown>) => ({ body }) as OperationCall;
  const deps = () => ({ notes: [] as string[] }) as OperationDeps;

  it('notes them after an answer, and nothing when every field was used', async () => {
    const handler = operation({
      read: (c) => Boolean((c.body.customer as any).mobilePhone),
      run: async (_c, _deps, found: boolean) => ({ body: { customer: { processingStatus: found ? 'Found' : 'NotFound' } } }),
    });
    const noted = deps();
    const answer = await performNotingIgnoredFields(handler, call({ customer: { mobilePhone: '7900', firstName: 'Анна' }, pointOfContact: 'cafe' }), noted);
    assert.deepEqual(answer.body, { customer: { processingStatus: 'Found' } });
    assert.deepEqual(noted.notes, ['fields this operation does not use: /customer/firstName, /pointOfContact']);
    const quiet = deps();
    await performNotingIgnoredFields(handler, call({ customer: { mobilePhone: '7900' } }), quiet);
    assert.deepEqual(quiet.notes, []);
  });

  it('says of a refused call that the fields were not read before the refusal, and notes nothing when the call failed otherwise', async () => {
    const refusing = operation({
      read: (c) => {
        if (!(c.body.customer as any).mobilePhone) throw validationError({ location: '/customer', message: 'give the phone' });
      },
      run: async () => ({ body: {} }),
    });
    const noted = deps();
    await assert.rejects(performNotingIgnoredFields(refusing, call({ customer: { mobilPhone: '7900' } }), noted), AppError);
    assert.deepEqual(noted.notes, ['fields not read before the call was refused: /customer/mobilPhone']);
    const outage = deps();
    const failing = operation({
      read: () => undefined,
      run: async () => {
        throw new AppError('unavailable', 'the database does not answer');
      },
    });
    await assert.rejects(performNotingIgnoredFields(failing, call({ customer: {} }), outage));
    assert.deepEqual(outage.notes, []);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SaleRecord } from '../cashier.ts';
import { PosConfigError } from '../config.ts';
import { maskCard, maskPhone, money, points, receipt } from './receipt.ts';
import { EXAMPLE_CONFIG, overridesFromEnvironment, resolvePosConfig } from './setup.ts';

test('amounts, points and masked identifiers as the cashier sees them', () => {
  assert.equal(money(109000), '1 090.00');
  assert.equal(money(5), '0.05');
  assert.equal(money(-2550), '-25.50');
  assert.equal(points(7200), '72');
  assert.equal(points(7225), '72.25');
  assert.equal(maskPhone('79001234567'), '+7 900 ***-**-67');
  assert.equal(maskPhone('+380 44 123 4567'), '+3804******67');
  assert.equal(maskPhone(null), '—');
  assert.equal(maskCard('1234567890'), '******7890');
});

const record: SaleRecord = {
  orderId: 'order-1',
  at: '2026-03-01T10:15:00.000Z',
  mode: 'online',
  guest: { mobilePhone: '79001234567', discountCard: null, rank: 'Silver' },
  lines: [
    { lineNumber: 1, productId: 'p1', name: 'Сырники со сметаной', quantity: 2, price: 42000, paid: 79000 },
    { lineNumber: 2, productId: 'p2', name: 'Латте', quantity: 1, price: 25000, paid: 25000 },
  ],
  subtotal: 109000,
  totalPrice: 99000,
  discount: 5000,
  pointsSpent: 5000,
  pointsEarned: 4950,
  balanceAfter: { available: 12000, blocked: 0, total: 12000 },
  paymentQueued: false,
  message: null,
};

test('the receipt shows the masked phone, the points spent and earned and the final balance', () => {
  const text = receipt(record).join('\n');
  assert.match(text, /Subtotal +1 090\.00\n/);
  assert.match(text, /Discounts +-50\.00\n/);
  assert.match(text, /Paid with points +-50\.00\n/);
  assert.match(text, /TOTAL +990\.00\n/);
  assert.match(text, /Guest \+7 900 \*\*\*-\*\*-67, rank Silver/);
  assert.match(text, /Points spent 50, earned 49\.5/);
  assert.match(text, /Balance 120\n/);
  assert.doesNotMatch(text, /79001234567/);

  const offline = receipt({ ...record, mode: 'offline', totalPrice: 109000, discount: 0, pointsSpent: 0, pointsEarned: 0, balanceAfter: null }).join('\n');
  assert.match(offline, /TOTAL +1 090\.00\n/);
  assert.match(offline, /sold at full price, no points spent/);
  assert.doesNotMatch(offline, /Balance/);

  const queued = receipt({ ...record, paymentQueued: true, balanceAfter: null }).join('\n');
  assert.match(queued, /points will be credited when the server is back/);
});

test('configuration: the example file, REGULARS_POS_* overrides, then --server and --key', () => {
  assert.deepEqual(overridesFromEnvironment({ SECRET_KEY: 'env-key', TIME_SENDPRODUCTS: 'cancel', QUEUE_PATH: 'q' }, '/srv/pos'), {
    secret_key: 'env-key',
    time_sendProducts: 'cancel',
    queue_path: '/srv/pos/q',
  });
  assert.throws(() => overridesFromEnvironment({ SECRET: 'x' }), (error) => error instanceof PosConfigError && /REGULARS_POS_SECRET is not a plugin key/.test(error.problems[0]));

  const fromExample = resolvePosConfig({}, { SEND_SMS_CONFIRM: 'false', SECRET_KEY: 'env-key' }, '/srv/pos');
  assert.equal(fromExample.sendSmsConfirm, false);
  assert.equal(fromExample.secretKey, 'env-key');
  assert.equal(fromExample.server, 'http://127.0.0.1:8080');
  assert.equal(fromExample.queuePath, '/srv/pos/pos-data', 'the bundled example keeps its queue in the working directory');

  const fromFlags = resolvePosConfig({ config: EXAMPLE_CONFIG, server: 'http://10.0.0.5:8080/', key: 'flag-key' }, { SECRET_KEY: 'env-key' }, '/srv/pos');
  assert.equal(fromFlags.server, 'http://10.0.0.5:8080');
  assert.equal(fromFlags.secretKey, 'flag-key');
  assert.equal(fromFlags.queuePath, join(EXAMPLE_CONFIG, '..', 'pos-queue'), 'a given config keeps its queue_path beside the file');

  assert.throws(() => resolvePosConfig({ server: 'ftp://x' }, {}), (error) => error instanceof PosConfigError && /server must be a URL/.test(error.message));
});

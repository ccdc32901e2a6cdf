import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSmsProvider } from './index.ts';

test('outbox: accepts every SMS at once, without a provider message id', async () => {
  const provider = createSmsProvider('outbox:');
  assert.equal(provider.kind, 'outbox');
  assert.deepEqual(await provider.send({ id: 'm1', to: '79001234567', text: 'Код авторизации: 1234' }), { kind: 'accepted', providerMessageId: null });
  await provider.close();
});

test('an unknown URL scheme is refused', () => {
  assert.throws(() => createSmsProvider('ftp://example.com'), /unsupported SMS provider URL scheme ftp:/);
  assert.throws(() => createSmsProvider('smpp://example.com:2775'), /smpp:\/\/system_id:password@host:port\?source=NAME/);
});

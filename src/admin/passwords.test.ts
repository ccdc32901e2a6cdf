import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.ts';

test('a password verifies against its own hash only, and the same password hashes differently each time', async () => {
  const first = await hashPassword('пароль-для-кассы');
  const second = await hashPassword('пароль-для-кассы');
  assert.match(first, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  assert.notEqual(first, second);
  assert.equal(await verifyPassword('пароль-для-кассы', first), true);
  assert.equal(await verifyPassword('пароль-для-кассы ', first), false);
  assert.equal(await verifyPassword('anything', DUMMY_PASSWORD_HASH), false);
  assert.equal(await verifyPassword('anything', 'sha256$abc'), false);
});

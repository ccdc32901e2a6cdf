import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, ERROR_TABLE, validationError, type ErrorCode } from './errors.ts';

test('every code answers the protocol and the admin API from one row', () => {
  const rows = Object.fromEntries(
    Object.entries(ERROR_TABLE).map(([code, answer]) => [code, `${answer.protocolStatus} ${answer.protocolHttpStatus} / admin ${answer.adminHttpStatus}`]),
  );
  assert.deepEqual(rows, {
    validation: 'ValidationError 200 / admin 400',
    bad_request: 'ProtocolError 400 / admin 400',
    unauthorized: 'ProtocolError 401 / admin 401',
    forbidden: 'ProtocolError 403 / admin 403',
    not_found: 'ProtocolError 404 / admin 404',
    payload_too_large: 'ProtocolError 413 / admin 413',
    request_timeout: 'ProtocolError 408 / admin 408',
    rate_limited: 'ProtocolError 429 / admin 429',
    conflict: 'ProtocolError 409 / admin 409',
    unavailable: 'InternalServerError 503 / admin 503',
  } satisfies Record<ErrorCode, string>);
});

test('a validation error keeps its messages with their locations and names them in its message', () => {
  const error = validationError([{ location: '/customer/mobilePhone', message: 'is not a mobile phone' }, { message: 'one more' }]);
  assert.equal(error.code, 'validation');
  assert.equal(error.message, '/customer/mobilePhone: is not a mobile phone; one more');
  assert.deepEqual(error.validationMessages, [{ location: '/customer/mobilePhone', message: 'is not a mobile phone' }, { message: 'one more' }]);
});

test('a refusal to try again later carries when', () => {
  const error = new AppError('rate_limited', 'too many', { retryAfterSeconds: 30 });
  assert.equal(error.retryAfterSeconds, 30);
  assert.deepEqual(error.validationMessages, []);
  assert.equal(new AppError('conflict', 'taken').retryAfterSeconds, undefined);
});

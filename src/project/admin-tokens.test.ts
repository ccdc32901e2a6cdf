import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/support/db.ts';
import { adminTokenIdOf, listAdminTokens, revokeAdminTokens, rotateAdminToken, startAdminToken } from './admin-tokens.ts';

const FIRST = 'configured-admin-token-first';
const SECOND = 'configured-admin-token-second';

test('a new REGULARS_ADMIN_TOKEN replaces the old one; a revoked one refuses the start', async () => {
  const db = await createTestDatabase();
  try {
    assert.deepEqual(await startAdminToken(db.db, FIRST), { generated: null, revoked: 0 });
    assert.deepEqual(await startAdminToken(db.db, FIRST), { generated: null, revoked: 0 }, 'the same token again changes nothing');
    assert.deepEqual(await startAdminToken(db.db, SECOND), { generated: null, revoked: 1 });
    assert.equal(await adminTokenIdOf(db.db, FIRST), null, 'the old token no longer works');
    assert.ok(await adminTokenIdOf(db.db, SECOND));
    await assert.rejects(startAdminToken(db.db, FIRST), /REGULARS_ADMIN_TOKEN holds an admin token that was revoked/);
  } finally {
    await db.close();
  }
});

test('the first start without a configured token generates one; a later start never brings a revoked token back', async () => {
  const db = await createTestDatabase();
  try {
    const { generated } = await startAdminToken(db.db, null);
    assert.ok(generated);
    assert.deepEqual(await startAdminToken(db.db, null), { generated: null, revoked: 0 });
    assert.equal(await revokeAdminTokens(db.db), 1);
    assert.deepEqual(await startAdminToken(db.db, null), { generated: null, revoked: 0 }, 'no token is generated again');
    assert.equal(await adminTokenIdOf(db.db, generated), null);
  } finally {
    await db.close();
  }
});

test('rotating makes a new token and revokes every other; revoking takes an id from the list', async () => {
  const db = await createTestDatabase();
  try {
    await startAdminToken(db.db, null);
    const rotated = await rotateAdminToken(db.db, 'for the nightly export');
    const tokens = await listAdminTokens(db.db);
    assert.deepEqual(
      tokens.map((token) => [token.label, token.revoked_at === null ? 'live' : 'revoked']),
      [
        ['generated on first start', 'revoked'],
        ['for the nightly export', 'live'],
      ],
    );
    const live = tokens.find((token) => token.revoked_at === null)!;
    assert.equal(await adminTokenIdOf(db.db, rotated), live.id);
    assert.equal(await revokeAdminTokens(db.db, 'not-an-id'), 0);
    assert.equal(await revokeAdminTokens(db.db, live.id), 1);
    assert.equal(await adminTokenIdOf(db.db, rotated), null);
  } finally {
    await db.close();
  }
});

// REGULARS_TIMEZONE is the preset's time zone at the first start; later the project's settings.timeZone rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ConfigError, loadConfig } from '../src/config.ts';
import { openApp } from '../src/main.ts';
import { createEmptyTestDatabase } from './support/db.ts';
import { freshDataDir } from './support/process.ts';

test('REGULARS_TIMEZONE sets the time zone of the project at the first start, not after; a zone that is none is refused', async () => {
  assert.throws(() => loadConfig({ REGULARS_TIMEZONE: 'Mars/Olympus' }), (error: unknown) => error instanceof ConfigError && /REGULARS_TIMEZONE: must be an IANA time zone/.test(error.message));
  assert.equal(loadConfig({}).timeZone, null);

  const database = await createEmptyTestDatabase();
  const env = { ...(database.kind === 'postgres' ? database.env : { REGULARS_DATA_DIR: freshDataDir() }), REGULARS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') };
  try {
    const first = await openApp(loadConfig({ ...env, LOG_LEVEL: 'silent', REGULARS_TIMEZONE: 'Asia/Almaty' }));
    try {
      assert.equal(first.app.project.current.settings.timeZone, 'Asia/Almaty');
    } finally {
      await first.close();
    }

    const warnings: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    const later = await openApp(loadConfig({ ...env, REGULARS_TIMEZONE: 'Asia/Tokyo' }), { logger });
    try {
      assert.equal(later.app.project.current.settings.timeZone, 'Asia/Almaty', 'a later start keeps the zone the project has');
      assert.deepEqual(
        warnings.map((entry) => [entry.REGULARS_TIMEZONE, entry.timeZone]),
        [['Asia/Tokyo', 'Asia/Almaty']],
        'the operator is told the variable no longer changes it',
      );
    } finally {
      await later.close();
    }
  } finally {
    await database.close();
  }
});

#!/usr/bin/env node
// Runs the command line from a checkout (`npx regulars …`): the server compiled into dist/ first when a source is
// newer than the build (scripts/build-server.mjs), then the compiled program.
import { spawnSync } from 'node:child_process';
import { buildServerBundle, SERVER_BUNDLE } from '../scripts/build-server.mjs';

buildServerBundle();
const result = spawnSync(process.execPath, ['--enable-source-maps', SERVER_BUNDLE, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);

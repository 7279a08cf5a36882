#!/usr/bin/env node
// Bun smoke run of @codex/node (built) against @codex/dev-server: one process, real HTTP.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '@codex/dev-server';

const here = fileURLToPath(new URL('..', import.meta.url));
const api = await startServer({ port: 0 });
const [key] = api.keys;
const status = await new Promise((resolve) => {
  const child = spawn(`${here}node_modules/.bin/bun`, ['run', 'test/bun-client.mjs'], {
    cwd: here,
    stdio: 'inherit',
    env: { ...process.env, CODEX_API_KEY: `${key.clientId}:${key.clientSecret}`, CODEX_BASE_URL: api.url },
  });
  child.on('close', resolve);
  child.on('error', (error) => {
    console.error(`bun could not start: ${error.message}`);
    resolve(1);
  });
});
const log = api.admin.requests().map((r) => `${r.operationId} ${r.status}`);
await api.close();
const expected = ['issueToken 200', 'createDocument 201', 'listDocuments 200', 'deleteDocument 204'];
if (status !== 0 || JSON.stringify(log) !== JSON.stringify(expected)) {
  console.error(`✗ Bun smoke run failed (exit ${status}); the server saw: ${log.join(', ')}`);
  process.exit(1);
}
console.log('✓ Bun smoke run of @codex/node passed');

#!/usr/bin/env node
// Runs the Deno tests in the real deno binary against @codex/dev-server: starts the server here
// (Node), then `deno test --allow-net=127.0.0.1` with the server's address as an argument, then
// two `deno run` CLI processes sharing the file token cache. Exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@codex/dev-server';

const here = fileURLToPath(new URL('..', import.meta.url));
const deno = join(here, 'node_modules', '.bin', 'deno');
const keys = [
  { clientId: 'cdx_id_deno_rw', clientSecret: 'cdx_sk_deno_rw' },
  { clientId: 'cdx_id_deno_ro', clientSecret: 'cdx_sk_deno_ro', readOnly: true },
];
const server = await startServer({ port: 0, adminSecret: 'deno-admin', keys });
const info = {
  url: server.url,
  origin: server.origin,
  adminSecret: 'deno-admin',
  readWriteKey: 'cdx_id_deno_rw:cdx_sk_deno_rw',
  readOnlyKey: 'cdx_id_deno_ro:cdx_sk_deno_ro',
};
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
let failed = false;
// Asynchronous: the dev server runs in this process and must keep answering meanwhile.
const run = (args, extraEnv = {}) =>
  new Promise((resolve) => {
    const child = spawn(deno, args, {
      cwd: here,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('close', (status) => resolve({ status }));
  });

try {
  const tests = await run(['test', '--allow-net=127.0.0.1', 'test/', '--', JSON.stringify(info)]);
  if (tests.status !== 0) failed = true;

  // CODEX_CLIENT_ID + CODEX_CLIENT_SECRET alone, with permission for exactly those.
  const [id, secret] = info.readWriteKey.split(':');
  const envOnly = await run(
    [
      'run',
      '--allow-net=127.0.0.1',
      '--allow-env=CODEX_CLIENT_ID,CODEX_CLIENT_SECRET,CODEX_BASE_URL',
      'test/env-cli.ts',
    ],
    { CODEX_CLIENT_ID: id, CODEX_CLIENT_SECRET: secret, CODEX_BASE_URL: info.url },
  );
  if (envOnly.status !== 0) {
    console.error('✗ CODEX_CLIENT_ID + CODEX_CLIENT_SECRET with only their --allow-env did not work');
    failed = true;
  }

  const cache = mkdtempSync(join(tmpdir(), 'codex-deno-cache-'));
  const cliEnv = { CODEX_API_KEY: info.readWriteKey, CODEX_BASE_URL: info.url, CODEX_CACHE_DIR: cache };
  const flags = [
    'run',
    '--allow-net=127.0.0.1',
    '--allow-env',
    `--allow-read=${cache}`,
    `--allow-write=${cache}`,
    'test/cache-cli.ts',
  ];
  server.admin.clearRequests();
  for (let i = 0; i < 2; i++) if ((await run(flags, cliEnv)).status !== 0) failed = true;
  const tokens = server.admin.requests().filter((r) => r.operationId === 'issueToken').length;
  const files = readdirSync(cache);
  const modes = files.map((f) => (statSync(join(cache, f)).mode & 0o777).toString(8));
  console.log(
    `file token cache: ${tokens} token request(s) for 2 processes; files ${JSON.stringify(files)} modes ${modes}`,
  );
  if (tokens !== 1 || files.length !== 1 || modes[0] !== '600') {
    console.error('✗ the file token cache did not let the second process reuse the token, or its file is not 0600');
    failed = true;
  }
} finally {
  await server.close();
}
process.exit(failed ? 1 : 0);

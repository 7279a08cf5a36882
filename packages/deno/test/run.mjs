#!/usr/bin/env node
// Runs the Deno tests in the real deno binary against @codex/dev-server: starts the server here
// (Node; and a second one that allows 3 requests per 2 s, for auto-batching), then `deno test --allow-net=127.0.0.1` (and read/write in one temporary directory,
// --allow-sys=uid, --allow-run=ln) with the server's address as an argument, then `deno run` CLI
// processes: with an empty or blank CODEX_BASE_URL; one whose background token refresh hangs
// (does it exit at once?); with the file token cache: two sharing it, one without --allow-write,
// one without --allow-env for HOME; and with CODEX_LOG, with and without --allow-env for it.
// Exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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
// Auto-batching (issue 20): a server of its own, with a tight rate limit no other test shares.
const batching = await startServer({
  port: 0,
  adminSecret: 'deno-admin',
  keys,
  rateLimit: { limit: 3, windowSeconds: 2 },
});
const fsRoot = mkdtempSync(join(tmpdir(), 'codex-deno-test-'));
const info = {
  fsRoot,
  url: server.url,
  origin: server.origin,
  adminSecret: 'deno-admin',
  readWriteKey: 'cdx_id_deno_rw:cdx_sk_deno_rw',
  readOnlyKey: 'cdx_id_deno_ro:cdx_sk_deno_ro',
  batchingUrl: batching.url,
  batchingOrigin: batching.origin,
};
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
// Each run sets CODEX_LOG itself, if at all.
delete env.CODEX_LOG;
let failed = false;
// Asynchronous: the dev server runs in this process and must keep answering meanwhile. stdout and
// stderr are shown (unless echo: false) and also returned.
const run = (args, extraEnv = {}, cwd = here, { echo = true } = {}) =>
  new Promise((resolve) => {
    const child = spawn(deno, args, {
      cwd,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      if (echo) process.stdout.write(chunk);
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      if (echo) process.stderr.write(chunk);
      stderr += chunk;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

try {
  const tests = await run(
    [
      'test',
      '--allow-net=127.0.0.1',
      `--allow-read=${fsRoot}`,
      `--allow-write=${fsRoot}`,
      // The file token store checks that its cache is this user's own (issue 18, item 1).
      '--allow-sys=uid',
      // Symbolic links for those checks (Deno.symlink needs read and write for every path).
      '--allow-run=ln',
      'test/',
      '--',
      JSON.stringify(info),
      // Without --allow-env, CODEX_LOG must not be read: no error, no prompt, no logging.
    ],
    { CODEX_LOG: 'debug' },
  );
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

  // Issue 18, item 2: an empty or blank CODEX_BASE_URL counts as unset (it threw invalid_option).
  for (const blank of ['', '  ']) {
    const baseUrl = await run(['run', '--allow-env=CODEX_API_KEY,CODEX_BASE_URL', 'test/base-url-cli.ts'], {
      CODEX_API_KEY: info.readWriteKey,
      CODEX_BASE_URL: blank,
    });
    if (baseUrl.status !== 0 || baseUrl.stdout.trim() !== 'https://api.codex.dev/v1') {
      console.error(`✗ CODEX_BASE_URL=${JSON.stringify(blank)} should count as unset (exit ${baseUrl.status})`);
      failed = true;
    } else console.log(`✓ CODEX_BASE_URL=${JSON.stringify(blank)} counts as unset: the default base URL`);
  }

  // Issue 18, item 3: a background token refresh that hangs does not hold the process open. It
  // did for the refresh's 10-s timeout after the last call (Node and Bun exit at once).
  console.log('a background refresh against a hung token endpoint (the process should exit at once):');
  server.admin.clearRequests();
  const refresh = await run(
    [
      'run',
      '--allow-net=127.0.0.1',
      '--allow-env=CODEX_API_KEY,CODEX_BASE_URL',
      'test/refresh-cli.ts',
      info.origin,
      info.adminSecret,
    ],
    { CODEX_API_KEY: info.readWriteKey, CODEX_BASE_URL: info.url },
  );
  const lingered = Date.now() - Number(/^done (\d+)$/m.exec(refresh.stdout)?.[1]);
  const refreshes = server.admin.requests().filter((r) => r.operationId === 'issueToken').length;
  server.admin.clearFaults();
  // Well under the refresh's 10 s, with room for a loaded machine.
  if (refresh.status !== 0 || !(lingered < 2_000) || refreshes !== 2) {
    console.error(
      `✗ the process lived ${lingered} ms after its last call (exit ${refresh.status}, ${refreshes} token request(s), 2 expected)`,
    );
    failed = true;
  } else console.log(`✓ it exited ${lingered} ms after its last call, the refresh still hanging`);

  const cache = mkdtempSync(join(tmpdir(), 'codex-deno-cache-'));
  const cliEnv = { CODEX_API_KEY: info.readWriteKey, CODEX_BASE_URL: info.url, CODEX_CACHE_DIR: cache };
  const flags = [
    'run',
    '--allow-net=127.0.0.1',
    '--allow-env',
    `--allow-read=${cache}`,
    `--allow-write=${cache}`,
    '--allow-sys=uid',
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

  // Issue 9, item 15. Without --allow-write: the call succeeds (relies on core's part of item 15),
  // nothing is written, and the one warning names the flag.
  const unwritable = mkdtempSync(join(tmpdir(), 'codex-deno-cache-'));
  console.log("tokenStore: 'file' without --allow-write (one warning expected):");
  const noWrite = await run(['run', '--allow-net=127.0.0.1', '--allow-env', 'test/cache-cli.ts'], {
    ...cliEnv,
    CODEX_CACHE_DIR: unwritable,
  });
  const leftInCache = readdirSync(unwritable);
  rmSync(unwritable, { recursive: true, force: true });
  const warnings = noWrite.stderr.split('\n').filter((line) => line.startsWith('warn: '));
  if (
    noWrite.status !== 0 ||
    leftInCache.length !== 0 ||
    warnings.length !== 1 ||
    !warnings[0].includes(`--allow-write=${unwritable}`)
  ) {
    console.error(
      `✗ without --allow-write, tokenStore: 'file' should succeed with one warning naming --allow-write (exit ${noWrite.status}, ${warnings.length} warning(s))`,
    );
    failed = true;
  } else console.log('✓ the call succeeded, nothing was written, one warning named the flag');

  // Without --allow-env for HOME (or CODEX_CACHE_DIR), even with --allow-read and --allow-write:
  // refused with the flag to add, and nothing is written into the working directory.
  const workingDir = mkdtempSync(join(tmpdir(), 'codex-deno-cwd-'));
  console.log("tokenStore: 'file' without --allow-env=HOME (a CodexError expected):");
  // Not echoed: deno reports the expected refusal as an uncaught error with a stack, which reads
  // like a failure. Its message is shown below, and the whole output if the check fails.
  const noHome = await run(
    [
      'run',
      '--allow-net=127.0.0.1',
      '--allow-env=CODEX_API_KEY,CODEX_BASE_URL',
      '--allow-read',
      '--allow-write',
      join(here, 'test', 'cache-cli.ts'),
    ],
    { CODEX_API_KEY: info.readWriteKey, CODEX_BASE_URL: info.url },
    workingDir,
    { echo: false },
  );
  const refusal = /CodexError: .*/.exec(noHome.stderr)?.[0];
  if (refusal) console.log(`  ${refusal}`);
  const written = readdirSync(workingDir);
  rmSync(workingDir, { recursive: true, force: true });
  if (noHome.status === 0 || !noHome.stderr.includes('--allow-env=HOME') || written.length !== 0) {
    console.error(
      `✗ without a known cache directory, tokenStore: 'file' should be refused naming --allow-env=HOME, and write nothing in the working directory (exit ${noHome.status}, wrote ${JSON.stringify(written)})\n${noHome.stdout}${noHome.stderr}`,
    );
    failed = true;
  } else console.log('✓ refused with the flag to add; nothing written in the working directory');

  // CODEX_LOG, read with --allow-env for it: debug lines on stderr, never the secret or a token
  // (every token of the dev server starts with cdx_at_), nothing on stdout.
  const logEnv = { CODEX_API_KEY: info.readWriteKey, CODEX_BASE_URL: info.url };
  const logFlags = (allowed) => ['run', '--allow-net=127.0.0.1', `--allow-env=${allowed}`, 'test/log-cli.ts'];
  server.admin.clearRequests();
  console.log('CODEX_LOG=debug with --allow-env for it (debug lines expected):');
  const debug = await run(logFlags('CODEX_API_KEY,CODEX_BASE_URL,CODEX_LOG'), { ...logEnv, CODEX_LOG: 'debug' });
  const [issue, list, get] = server.admin.requests();
  const expected = [
    `codex: → POST ${info.url}/auth/token (attempt 1)`,
    `codex: ← 200 POST ${info.url}/auth/token (issueToken, attempt 1, request ${issue?.requestId})`,
    `codex: ← 200 GET ${info.url}/documents (listDocuments, attempt 1, request ${list?.requestId})`,
    `codex: ✗ getDocument failed: NotFoundError 404 not_found (request ${get?.requestId})`,
  ];
  const missing = expected.filter((line) => !debug.stderr.includes(line));
  const leaked = ['cdx_sk_deno_rw', 'cdx_at_', 'Bearer', 'authorization'].filter((s) =>
    debug.stderr.toLowerCase().includes(s.toLowerCase()),
  );
  if (debug.status !== 0 || missing.length || leaked.length || debug.stdout !== '') {
    console.error(
      `✗ CODEX_LOG=debug: exit ${debug.status}, missing ${JSON.stringify(missing)}, leaked ${JSON.stringify(leaked)}, stdout ${JSON.stringify(debug.stdout)}`,
    );
    failed = true;
  } else console.log('✓ method, path, status, attempt and request ids on stderr; no secret, no token; stdout clean');

  console.log('CODEX_LOG=debug without --allow-env for it (no output expected):');
  const denied = await run(logFlags('CODEX_API_KEY,CODEX_BASE_URL'), { ...logEnv, CODEX_LOG: 'debug' });
  if (denied.status !== 0 || denied.stderr !== '' || denied.stdout !== '') {
    console.error(`✗ without --allow-env=CODEX_LOG: exit ${denied.status}, output ${JSON.stringify(denied)}`);
    failed = true;
  } else console.log('✓ the calls worked, CODEX_LOG was not read, nothing was logged');

  console.log('CODEX_LOG=verbose (one warning expected):');
  const invalid = await run(logFlags('CODEX_API_KEY,CODEX_BASE_URL,CODEX_LOG'), { ...logEnv, CODEX_LOG: 'verbose' });
  const warning = 'codex: CODEX_LOG="verbose" is not one of debug, info, warn, error, off; ignored.\n';
  if (invalid.status !== 0 || invalid.stderr !== warning || invalid.stdout !== '') {
    console.error(`✗ CODEX_LOG=verbose: exit ${invalid.status}, output ${JSON.stringify(invalid)}`);
    failed = true;
  } else console.log('✓ one warning, and the calls worked');
} finally {
  await server.close();
  await batching.close();
  rmSync(fsRoot, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

// The codex CLI from a shell script's point of view, against a local @codex/dev-server: create,
// list, get, update, a token for curl, an import of 1,000 lines under a tight rate limit, run twice
// with the same --idempotency-key (the second run imports nothing twice), delete. Prints each
// command and a one-line summary; exit 1 if anything did not go as it should.
//   node examples/cli/run.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer } from '@codex/dev-server';

const require = createRequire(import.meta.url);
const manifest = require.resolve('@codex/cli/package.json');
const bin = join(dirname(manifest), require(manifest).bin.codex);

const ROWS = 1000;
const started = performance.now();
// 20 requests per 2 s: an import of 1,000 lines is 10 batch requests, paced to the quota.
const server = await startServer({ port: 0, rateLimit: { limit: 20, windowSeconds: 2 } });
const [key] = server.keys.filter((k) => !k.readOnly);
const dir = mkdtempSync(join(tmpdir(), 'codex-cli-example-'));
const env = {
  PATH: process.env.PATH,
  HOME: dir,
  CODEX_API_KEY: `${key.clientId}:${key.clientSecret}`,
  CODEX_BASE_URL: server.url,
  // The token cache of this run only (the default is the user's cache directory).
  CODEX_CACHE_DIR: join(dir, 'tokens'),
};

/**
 * Runs `codex <args>` as a shell would; stderr (progress, errors) goes to ours; stdout is returned,
 * and shown unless `quiet`, or redacted when it is `auth token`'s (a token does not go in a log).
 */
function codex(...args) {
  const quiet = args[0] === '--quiet';
  if (quiet) args.shift();
  const secret = args[0] === 'auth' && args[1] === 'token';
  console.log(`$ codex ${args.map((a) => (/^[\w./=:-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (data) => {
      stdout += data;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (stdout && !quiet && secret) console.log(`  (a token of ${stdout.trim().length} characters, not shown)`);
      else if (stdout && !quiet) console.log(stdout.trimEnd().replace(/^/gm, '  '));
      if (code !== 0) reject(new Error(`codex ${args.join(' ')} exited with ${code}`));
      else resolve(stdout);
    });
  });
}

let ok = false;
try {
  const doc = JSON.parse(
    await codex('documents', 'create', '--title', 'Hello', '--content', 'From the shell', '--metadata', 'team=docs'),
  );
  await codex('documents', 'update', doc.id, '--title', 'Hello (edited)');
  await codex('documents', 'list', '--output', 'table');

  const token = (await codex('auth', 'token')).trim();
  const viaCurl = await fetch(`${server.url}/documents/${doc.id}`, { headers: { authorization: `Bearer ${token}` } });
  console.log(`  (curl -H "Authorization: Bearer $(codex auth token)" …/documents/${doc.id}: ${viaCurl.status})`);

  const rows = Array.from({ length: ROWS }, (_, i) =>
    JSON.stringify({ title: `Row ${i}`, content: `Imported line ${i + 1}` }),
  );
  writeFileSync(join(dir, 'rows.jsonl'), `${rows.join('\n')}\n`);
  const first = JSON.parse(await codex('documents', 'import', 'rows.jsonl', '--idempotency-key', 'example-import-1'));
  // The same import again, as after a crash: every chunk is replayed, nothing is created twice.
  const again = JSON.parse(await codex('documents', 'import', 'rows.jsonl', '--idempotency-key', 'example-import-1'));

  await codex('documents', 'delete', doc.id);
  const all = (await codex('--quiet', 'documents', 'list', '--all', '--limit', '100')).trimEnd().split('\n');
  console.log(`  (${all.length} lines, one document each)`);

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  ok = viaCurl.status === 200 && first.imported === ROWS && again.replayed === ROWS && all.length === ROWS;
  console.log(
    `${ok ? '✓' : '✗'} codex CLI: create, update, list, auth token (accepted: ${viaCurl.status}), import of ${first.imported} lines in ${first.seconds.toFixed(1)} s (${first.requests} requests at 20 per 2 s), the same import again: ${again.replayed} replayed, 0 created; ${all.length} documents on the server; ${seconds} s in all`,
  );
} catch (error) {
  console.error(`✗ ${error.message}`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;

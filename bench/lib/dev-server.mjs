import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// @codex/dev-server in a child process of its own, so that its work does not share the event loop
// (or the CPU time the benchmark measures) with the clients. It listens on a free 127.0.0.1 port.

const require = createRequire(import.meta.url);
const bin = join(dirname(require.resolve('@codex/dev-server/package.json')), 'bin', 'codex-dev-server.js');

const hex = (bytes) => randomBytes(bytes).toString('hex');

/** One read-write key per name, so that each phase has its own rate window and token cache. */
function makeKeys(names) {
  return Object.fromEntries(
    names.map((name) => [name, { clientId: `cdx_id_${name}${hex(4)}`, clientSecret: `cdx_sk_${hex(16)}` }]),
  );
}

/**
 * Starts the server with `settings` (tokenLifetimeSeconds, rateLimit) and the admin API on.
 * Returns its URLs, keys and an `admin(method, path, body?)` helper; `stop()` ends the process.
 */
export async function startDevServer({ keyNames, settings }) {
  const keys = makeKeys(keyNames);
  const adminSecret = hex(16);
  const dir = mkdtempSync(join(tmpdir(), 'codex-bench-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ ...settings, keys: Object.values(keys), adminSecret }));
  const child = spawn(process.execPath, [bin, '--port', '0', '--host', '127.0.0.1', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the benchmark dies, the server goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`dev server exited (${code}): ${stderr}`)));
  });
  child.stdout.resume();
  const origin = new URL(url).origin;

  async function admin(method, path, body) {
    const response = await fetch(`${origin}/_admin${path}`, {
      method,
      headers: { 'X-Admin-Secret': adminSecret, ...(body && { 'Content-Type': 'application/json' }) },
      ...(body && { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  }

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  }

  return {
    url,
    origin,
    pid: child.pid,
    keys,
    apiKey: (name) => `${keys[name].clientId}:${keys[name].clientSecret}`,
    admin,
    stop,
  };
}

/** A bearer token for `key`, by one raw token request. */
export async function issueToken(url, key) {
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: key.clientId, client_secret: key.clientSecret }),
  });
  if (!response.ok) throw new Error(`token request: ${response.status} ${await response.text()}`);
  return (await response.json()).access_token;
}

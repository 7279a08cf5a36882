import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Client, CodexError, fileTokenStore, type StoredToken } from '../src/index';
import { devServerWith } from './helpers';

// Issue 9, item 15: the file token cache is best effort. The store throws a CodexError that says
// what to do (never file contents or a token); the Client (core's TokenManager) catches it, keeps
// the token in memory and reports it once through logger.warn.

const run = promisify(execFile);
const RW = { clientId: 'cdx_id_cache', clientSecret: 'cdx_sk_cache_secret', readOnly: false };
const API_KEY = `${RW.clientId}:${RW.clientSecret}`;
const DIST = new URL('../dist/', import.meta.url).pathname;
const TOKEN: StoredToken = {
  accessToken: 'cdx_at_must_not_leak',
  expiresAt: Date.now() + 3_600_000,
  lifetimeMs: 3_600_000,
};
const ADVICE =
  "Tokens are kept in memory only; use a directory this user can read and write (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.";

const devServer = () => devServerWith([RW]);

/** A cache directory path under a regular file: every file operation in it fails with ENOTDIR. */
async function dirUnderAFile(): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'codex-cache-'));
  await writeFile(join(base, 'not-a-directory'), 'cdx_at_file_content_must_not_leak');
  return join(base, 'not-a-directory', 'tokens');
}

/**
 * A read-only cache directory, and how to run a child process that cannot write to it: as root
 * (CI containers) permissions do not apply, so the child becomes nobody once it has imported the
 * SDK (the checkout itself may be unreadable to nobody, as in a 0700 temporary directory). The
 * directory is then nobody's: the store uses only the user's own (issue 18, item 1).
 */
async function readOnlyDir(): Promise<{ dir: string; drop: string }> {
  const base = await mkdtemp(join(tmpdir(), 'codex-cache-'));
  const dir = join(base, 'tokens');
  await mkdir(dir);
  // A token file already there (root's, unreadable to nobody), so that delete has something to fail on.
  await fileTokenStore(dir).set('cdx-key', TOKEN);
  await chmod(dir, 0o555);
  await chmod(base, 0o755);
  const root = process.getuid?.() === 0;
  if (root) await chown(dir, 65534, 65534);
  return { dir, drop: root ? 'process.setgid(65534); process.setuid(65534);' : '' };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

describe('file token cache, best effort', () => {
  it('a directory under a regular file: get, set and delete throw a CodexError that says what to do', async () => {
    const dir = await dirUnderAFile();
    const store = fileTokenStore(dir);
    const errors = {
      get: await rejection(store.get('cdx-key')),
      set: await rejection(store.set('cdx-key', TOKEN)),
      delete: await rejection(store.delete('cdx-key')),
    };
    expect(errors.get).toBeInstanceOf(CodexError);
    expect(errors.get?.message).toBe(
      `Could not read the Codex token cache in ${dir}: ENOTDIR (not a directory). ${ADVICE}`,
    );
    expect(errors.set).toBeInstanceOf(CodexError);
    expect(errors.set?.message).toBe(
      `Could not write the Codex token cache in ${dir}: ENOTDIR (not a directory). ${ADVICE}`,
    );
    expect(errors.delete).toBeInstanceOf(CodexError);
    expect(errors.delete?.message).toBe(
      `Could not delete a token from the Codex token cache in ${dir}: ENOTDIR (not a directory). ${ADVICE}`,
    );
    for (const error of Object.values(errors)) expect(error?.message).not.toMatch(/cdx_at|must_not_leak/);
  });

  it('a read-only directory: set and delete throw a CodexError (EACCES)', async () => {
    const { dir, drop } = await readOnlyDir();
    const script = `import { fileTokenStore, isCodexError } from ${JSON.stringify(`${DIST}index.js`)};
      ${drop}
      const store = fileTokenStore(process.env.DIR);
      const token = { accessToken: 'cdx_at_must_not_leak', expiresAt: Date.now() + 60000, lifetimeMs: 60000 };
      const out = {};
      for (const [name, call] of [['set', () => store.set('cdx-key', token)], ['delete', () => store.delete('cdx-key')]]) {
        out[name] = await call().then(() => 'no error', (e) => ({ codex: isCodexError(e), message: e.message }));
      }
      console.log(JSON.stringify(out));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      env: { ...process.env, DIR: dir },
    });
    expect(JSON.parse(stdout)).toEqual({
      set: {
        codex: true,
        message: `Could not write the Codex token cache in ${dir}: EACCES (permission denied). ${ADVICE}`,
      },
      delete: {
        codex: true,
        message: `Could not delete a token from the Codex token cache in ${dir}: EACCES (permission denied). ${ADVICE}`,
      },
    });
  });

  // Relies on core's part of item 15 (TokenManager catches store errors and warns once).
  it('a directory under a regular file does not fail a call: one token, one warning, no token in it', async () => {
    const server = await devServer();
    const dir = await dirUnderAFile();
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url, tokenStore: fileTokenStore(dir), logger });
    await expect(client.documents.list()).resolves.toMatchObject({ data: [] });
    await client.documents.create({ title: 't', content: 'c' });
    await new Client({
      apiKey: API_KEY,
      baseUrl: server.url,
      tokenStore: fileTokenStore(dir),
      logger,
    }).documents.list();
    expect(server.admin.requests().filter((r) => r.operationId === 'issueToken')).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Could not (read|write) the Codex token cache in .*: ENOTDIR \(not a directory\)/);
    expect(warnings[0]).not.toMatch(/cdx_at|cdx_sk|must_not_leak/);
  });

  // Relies on core's part of item 15, built (the child runs dist/).
  it("a read-only directory does not fail a CLI run with tokenStore: 'file'", async () => {
    const server = await devServer();
    const { dir, drop } = await readOnlyDir();
    const script = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      ${drop}
      const warnings = [];
      const client = new Client({ tokenStore: 'file', logger: { warn: (m) => warnings.push(m) } });
      const page = await client.documents.list();
      await client.documents.create({ title: 't', content: 'c' });
      console.log(JSON.stringify({ listed: page.data.length, warnings }));`;
    const env = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url, CODEX_CACHE_DIR: dir };
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      env,
      timeout: 20_000,
    });
    const { listed, warnings } = JSON.parse(stdout) as { listed: number; warnings: string[] };
    expect(listed).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Could not (read|write) the Codex token cache in .*: EACCES \(permission denied\)/);
    expect(warnings[0]).not.toMatch(/cdx_at|cdx_sk/);
  });
});

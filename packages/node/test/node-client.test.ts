import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Client, DEFAULT_BASE_URL, fileTokenStore, USER_AGENT } from '../src/index';
import { thisProcess } from '../src/lock-file';
import { devServerWith } from './helpers';

const run = promisify(execFile);
const RW = { clientId: 'cdx_id_node', clientSecret: 'cdx_sk_node_secret', readOnly: false };
const API_KEY = `${RW.clientId}:${RW.clientSecret}`;
const DIST = new URL('../dist/', import.meta.url).pathname;

const devServer = () => devServerWith([RW]);

describe('@codex/node Client', () => {
  it('reads CODEX_API_KEY and sends a User-Agent like codex-sdk-node/<version> node/<version>', async () => {
    const server = await devServer();
    const client = new Client({ env: { CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url } });
    await client.documents.list();
    // The Node that runs the test, whichever major the CI matrix picked (issue 22).
    expect(USER_AGENT).toMatch(/^codex-sdk-node\/\S+ node\/\d+\.\d+\.\d+$/);
    expect(USER_AGENT.endsWith(` node/${process.versions.node}`)).toBe(true);
    expect(server.admin.requests().map((r) => r.userAgent)).toEqual([USER_AGENT, USER_AGENT]);
  });

  // Issue 18, item 2: an empty CODEX_API_KEY already counted as unset; CODEX_BASE_URL threw invalid_option.
  it.each(['', '  ', '\t\n'])('takes an empty or blank CODEX_BASE_URL (%j) as unset: the default base URL', (blank) => {
    const client = new Client({ env: { CODEX_API_KEY: API_KEY, CODEX_BASE_URL: blank } });
    expect(client.toJSON().baseUrl).toBe(DEFAULT_BASE_URL);
  });

  // Issue 18, item 6: a spread of `headers` sent 'x' as a header "0: x" and dropped a Headers.
  it('sends headers given as a Headers or as pairs, with its User-Agent; refuses a string', async () => {
    const server = await devServer();
    const seen: Array<Record<string, string>> = [];
    const recording = (async (url: string, init: { headers: Headers }) => {
      seen.push(Object.fromEntries(init.headers));
      return fetch(url, init as RequestInit);
    }) as never;
    for (const headers of [new Headers({ 'X-Team': 'a' }), [['X-Team', 'a']] as Array<[string, string]>]) {
      seen.length = 0;
      await new Client({ apiKey: API_KEY, baseUrl: server.url, fetch: recording, headers }).documents.list();
      expect(seen.at(-1)).toMatchObject({ 'x-team': 'a', 'user-agent': USER_AGENT });
      expect(seen.at(-1)).not.toHaveProperty('0');
    }
    expect(() => new Client({ apiKey: API_KEY, baseUrl: server.url, headers: 'x' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_option' }),
    );
  });

  it('shows its settings in util.inspect and console.log, never the secret', () => {
    const shown = inspect(new Client({ apiKey: API_KEY, env: {} }));
    expect(shown).toMatch(/^Client \{/);
    expect(shown).toContain('"clientId": "cdx_id_node"');
    expect(shown).toContain('[redacted]');
    expect(shown).not.toContain(RW.clientSecret);
  });

  it('keeps tokens in 0600 files, written atomically, in a 0700 directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codex-cache-'));
    const store = fileTokenStore(join(dir, 'tokens'));
    await store.set('key-1', { accessToken: 'tok', expiresAt: 1, lifetimeMs: 1 });
    const files = await readdir(join(dir, 'tokens'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{32}\.json$/);
    expect((await stat(join(dir, 'tokens', files[0] as string))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'tokens'))).mode & 0o777).toBe(0o700);
    expect(await store.get('key-1')).toEqual({ accessToken: 'tok', expiresAt: 1, lifetimeMs: 1 });
    await store.delete('key-1');
    expect(await store.get('key-1')).toBeUndefined();
  });

  it("lets short-lived processes reuse one token through tokenStore: 'file', also when they run at once", async () => {
    const server = await devServer();
    const cache = await mkdtemp(join(tmpdir(), 'codex-cache-'));
    const script = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      const client = new Client({ tokenStore: 'file' });
      const page = await client.documents.list();
      console.log(page.data.length);`;
    const env = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url, CODEX_CACHE_DIR: cache };
    const cli = () => run(process.execPath, ['--input-type=module', '-e', script], { env });
    await cli();
    await cli();
    await cli();
    expect(server.admin.requests().filter((r) => r.operationId === 'issueToken')).toHaveLength(1);
    // Five processes at once on an empty cache (issue 12): they start, then all call together once
    // every one is ready (a start line, so that none finds a token cached by a faster starter). One
    // takes the lock and fetches a token; the others wait for it and read it from the file.
    const fresh = { ...env, CODEX_CACHE_DIR: await mkdtemp(join(tmpdir(), 'codex-cache-')) };
    const go = join(fresh.CODEX_CACHE_DIR, 'go');
    const together = `import { existsSync, writeFileSync } from 'node:fs';
      writeFileSync(${JSON.stringify(go)} + '.' + process.pid, '');
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));
      ${script}`;
    const before = server.admin.requests().length;
    const running = Promise.all(
      [1, 2, 3, 4, 5].map(() => run(process.execPath, ['--input-type=module', '-e', together], { env: fresh })),
    );
    while ((await readdir(fresh.CODEX_CACHE_DIR)).filter((f) => f.startsWith('go.')).length < 5)
      await new Promise((r) => setTimeout(r, 10));
    await writeFile(go, '');
    const outputs = await running;
    expect(outputs.map((o) => o.stdout.trim())).toEqual(['0', '0', '0', '0', '0']);
    const tokensSince = () =>
      server.admin
        .requests()
        .slice(before)
        .filter((r) => r.operationId === 'issueToken').length;
    expect(tokensSince()).toBe(1);
    await run(process.execPath, ['--input-type=module', '-e', script], { env: fresh });
    expect(tokensSince()).toBe(1);
    const files = await readdir(cache);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("tokenStore: 'file': a process whose token is due reads the file again, so processes share refreshes", async () => {
    const server = await devServerWith([RW], { tokenLifetimeSeconds: 3 });
    const cache = await mkdtemp(join(tmpdir(), 'codex-cache-'));
    // Two long-running processes, calling every 100 ms for 7 s: a little over two token lifetimes.
    const script = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      const client = new Client({ tokenStore: 'file' });
      const end = Date.now() + 7000;
      while (Date.now() < end) { await client.documents.list(); await new Promise((r) => setTimeout(r, 100)); }`;
    const env = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url, CODEX_CACHE_DIR: cache };
    await Promise.all([1, 2].map(() => run(process.execPath, ['--input-type=module', '-e', script], { env })));
    const requests = server.admin.requests();
    // A 3-s token is used until 150 ms before its end. When the dev server (in this busy test
    // process) stalls longer than that, a request sent in time can reach it after the end: a 401
    // "expired", which the SDK replays with the next token (at most one more token request each,
    // shared: the processes read it from the file). Anything else is a failure.
    const late = requests.filter((r) => r.status === 401 && r.auth === 'expired');
    expect(requests.filter((r) => r.status !== 200 && !late.includes(r))).toEqual([]);
    // One refresh per lifetime for both (3, or 4 with a late start): each alone would make 3 or 4.
    expect(requests.filter((r) => r.operationId === 'issueToken').length).toBeLessThanOrEqual(4 + late.length);
  }, 30_000);

  // Issue 19: the next process waited for the lock to go 10 s stale (10.8 s after a SIGKILL).
  it("tokenStore: 'file': a live holder of the lock is waited for; once it is SIGKILLed, the next process takes over at once", async () => {
    const server = await devServer();
    const cache = await mkdtemp(join(tmpdir(), 'codex-cache-'));
    const script = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      const client = new Client({ tokenStore: 'file', timeout: 60000 });
      console.log((await client.documents.list()).data.length);`;
    const env = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url, CODEX_CACHE_DIR: cache };
    const tokenRequests = () => server.admin.requests().filter((r) => r.operationId === 'issueToken').length;
    // The first process takes the lock, and its token request hangs.
    server.admin.fault({ operationId: 'issueToken', type: 'hang', count: 1 });
    const first = spawn(process.execPath, ['--input-type=module', '-e', script], { env });
    try {
      while (tokenRequests() === 0) await new Promise((r) => setTimeout(r, 20));
      expect((await readdir(cache)).some((f) => f.endsWith('.lock'))).toBe(true);
      // A second process waits for it while it lives (3 s: it starts, finds the lock held, polls).
      let second: { stdout: string } | undefined;
      const running = run(process.execPath, ['--input-type=module', '-e', script], { env }).then((r) => {
        second = r;
        return r;
      });
      await new Promise((r) => setTimeout(r, 3000));
      expect(second).toBeUndefined();
      expect(tokenRequests()).toBe(1);
      first.kill('SIGKILL');
      const killed = Date.now();
      const { stdout } = await running;
      const took = Date.now() - killed;
      expect(stdout.trim()).toBe('0');
      expect(tokenRequests()).toBe(2);
      expect(took).toBeLessThan(2000);
    } finally {
      first.kill('SIGKILL');
    }
  }, 40_000);

  it("tokenStore: 'file': a lock whose pid is alive but started at another time (a reused pid) is taken over at once", async () => {
    const server = await devServer();
    const cache = await mkdtemp(join(tmpdir(), 'codex-cache-'));
    const script = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      const client = new Client({ tokenStore: 'file' });
      console.log((await client.documents.list()).data.length);`;
    const env = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url, CODEX_CACHE_DIR: cache };
    await run(process.execPath, ['--input-type=module', '-e', script], { env });
    const [tokenFile] = await readdir(cache);
    // No token cached, and a fresh lock whose pid (this test's process) lives, recorded with
    // another start time: a process that died, whose pid was given to this one.
    await rm(join(cache, tokenFile as string));
    const me = await thisProcess();
    expect(me.start).toMatch(/^\d+$/); // Linux: the start time from /proc/<pid>/stat
    const lock = join(cache, `${tokenFile}.lock`);
    await writeFile(lock, JSON.stringify({ ...me, start: String(Number(me.start) + 1), nonce: '0123456789abcdef' }));
    // Timed inside the process, from its call to its answer: a loaded machine's process start is not the lock's cost.
    const timed = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      const client = new Client({ tokenStore: 'file' });
      const started = Date.now();
      const page = await client.documents.list();
      console.log(page.data.length, Date.now() - started);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', timed], { env });
    const [count, took] = stdout.trim().split(' ').map(Number);
    expect(count).toBe(0);
    expect(took).toBeLessThan(2000);
    expect(server.admin.requests().filter((r) => r.operationId === 'issueToken')).toHaveLength(2);
    expect(await readdir(cache)).toEqual([tokenFile]);
  });

  it("shares one token between Clients of a key in the process with tokenStore: 'file'", async () => {
    const server = await devServer();
    const cache = await mkdtemp(join(tmpdir(), 'codex-cache-'));
    const options = { apiKey: API_KEY, baseUrl: server.url, tokenStore: fileTokenStore(cache) };
    await Promise.all([new Client(options).documents.list(), new Client(options).documents.list()]);
    expect(fileTokenStore(cache)).toBe(fileTokenStore(cache));
    expect(server.admin.requests().filter((r) => r.operationId === 'issueToken')).toHaveLength(1);
  });

  it('works from CommonJS (require) and ESM (import), built', async () => {
    const server = await devServer();
    const env = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url };
    const cjs = `const { Client, isAPIError } = require(${JSON.stringify(`${DIST}index.cjs`)});
      new Client().documents.list().then((p) => console.log('cjs', p.data.length, typeof isAPIError));`;
    const esm = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      console.log('esm', (await new Client().documents.list()).data.length);`;
    expect((await run(process.execPath, ['-e', cjs], { env })).stdout.trim()).toBe('cjs 0 function');
    expect((await run(process.execPath, ['--input-type=module', '-e', esm], { env })).stdout.trim()).toBe('esm 0');
  });

  it('exits when its work is done: no timer keeps the process alive', async () => {
    const server = await devServer();
    const env = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: server.url };
    const script = `import { Client } from ${JSON.stringify(`${DIST}index.js`)};
      const client = new Client({ deadline: 600000 });
      await client.documents.list();
      await client.documents.create({ title: 't', content: 'c' });`;
    const started = Date.now();
    // A leftover timer would keep it alive for the 600 s deadline; execFile would kill it at 20 s and reject.
    await run(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

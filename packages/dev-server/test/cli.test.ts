import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The CLI as users run it: the built bin (turbo builds this package before its tests).
const BIN = new URL('../dist/cli.js', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** Starts the CLI and resolves with its stdout once it has printed `lines` lines. */
function run(args: string[], lines: number): Promise<string[]> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const got = out.split('\n').filter(Boolean);
      if (got.length >= lines) resolve(got);
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe('codex-dev-server CLI', () => {
  it('serves on 127.0.0.1 and prints its URL and a read-write and a read-only CODEX_API_KEY', async () => {
    const [banner, ...keys] = await run(['--port', '0'], 3);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)$/.exec(banner ?? '')?.[1];
    expect(url).toBeDefined();
    expect(keys[0]).toMatch(/^ {2}CODEX_API_KEY=cdx_id_\w+:cdx_sk_\w+ +\(read-write key\)$/);
    expect(keys[1]).toMatch(/^ {2}CODEX_API_KEY=cdx_id_\w+:cdx_sk_\w+ +\(read-only key\)$/);

    // The printed key works as the guide says: token, then GET /documents with the bearer.
    const [clientId, clientSecret] = (/CODEX_API_KEY=(\S+)/.exec(keys[0] ?? '')?.[1] ?? '').split(':');
    const token = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
    }).then((r) => r.json());
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' });
    const list = await fetch(`${url}/documents`, { headers: { Authorization: `Bearer ${token.access_token}` } });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ data: [], next_cursor: null });
  });

  it('takes keys and limits from --config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'codex-dev-server-'));
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        keys: [{ clientId: 'cdx_id_cfg', clientSecret: 'cdx_sk_cfg' }],
        tokenLifetimeSeconds: 30,
        rateLimit: { limit: 5 },
      }),
    );
    const [banner, key] = await run(['--port', '0', '--config', config], 2);
    expect(key).toMatch(/CODEX_API_KEY=cdx_id_cfg:cdx_sk_cfg +\(read-write key\)/);
    const url = /(http:\S+)$/.exec(banner ?? '')?.[1];
    const res = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: 'cdx_id_cfg', client_secret: 'cdx_sk_cfg' }),
    });
    expect((await res.json()).expires_in).toBe(30);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
  });

  it('exits 2 with a clear message on a bad flag or config', async () => {
    await expect(run(['--prot', '1'], 1)).rejects.toThrow(/exited 2: codex-dev-server: Unknown option '--prot'/);
    await expect(run(['--config', '/nonexistent.json'], 1)).rejects.toThrow(
      /exited 2: codex-dev-server: cannot read --config/,
    );
  });
});

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Client, CodexError } from '../src/index';
import { devServerWith } from './helpers';

const run = promisify(execFile);
const RW = { clientId: 'cdx_id_log', clientSecret: 'cdx_sk_log_secret', readOnly: false };
const API_KEY = `${RW.clientId}:${RW.clientSecret}`;
const DIST = new URL('../dist/', import.meta.url).pathname;
const BUN = new URL('../node_modules/.bin/bun', import.meta.url).pathname;

/**
 * Runs a program using the built @codex/node (under Node, or Bun) against `baseUrl`, with
 * CODEX_LOG = `codexLog` (unset when undefined) and `options` for each of its two Clients. It
 * lists documents, gets a missing one (a 404) and writes the access token to a file.
 */
async function program(baseUrl: string, codexLog: string | undefined, options = '{}', runtime = process.execPath) {
  const tokenFile = join(await mkdtemp(join(tmpdir(), 'codex-log-')), 'token');
  const script = `import { writeFileSync } from 'node:fs';
    import { Client } from ${JSON.stringify(`${DIST}index.js`)};
    const client = new Client(${options});
    await client.documents.list();
    const failure = await client.documents.get('doc_missing').catch((e) => e);
    if (failure.status !== 404) throw new Error('expected a 404');
    await new Client(${options}).documents.list();
    writeFileSync(${JSON.stringify(tokenFile)}, (await client.getAccessToken()).accessToken);`;
  const env: NodeJS.ProcessEnv = { ...process.env, CODEX_API_KEY: API_KEY, CODEX_BASE_URL: baseUrl };
  delete env.CODEX_LOG;
  if (codexLog !== undefined) env.CODEX_LOG = codexLog;
  const args = runtime === process.execPath ? ['--input-type=module', '-e', script] : ['-e', script];
  const { stdout, stderr } = await run(runtime, args, { env });
  return { stdout, stderr, token: await readFile(tokenFile, 'utf8') };
}

const runtimes: [string, string][] = [
  ['node', process.execPath],
  ...(existsSync(BUN) ? [['bun', BUN] as [string, string]] : []),
];

describe.each(runtimes)('CODEX_LOG under %s', (_, runtime) => {
  it('debug: stderr shows method, path, status, attempt and request id of every request; never the secret or the token; stdout stays clean', async () => {
    const server = await devServerWith([RW]);
    const { stdout, stderr, token } = await program(server.url, 'debug', '{}', runtime);
    const [issue, list, get] = server.admin.requests();

    expect(stdout).toBe('');
    expect(stderr).toContain(`codex: → POST ${server.url}/auth/token (attempt 1)`);
    expect(stderr).toContain(
      `codex: ← 200 POST ${server.url}/auth/token (issueToken, attempt 1, request ${issue?.requestId})`,
    );
    expect(stderr).toContain('codex: waiting for a token refresh (no token yet)');
    expect(stderr).toContain(`codex: → GET ${server.url}/documents (attempt 1)`);
    expect(stderr).toContain(
      `codex: ← 200 GET ${server.url}/documents (listDocuments, attempt 1, request ${list?.requestId})`,
    );
    expect(stderr).toContain(
      `codex: ← 404 GET ${server.url}/documents/doc_missing (getDocument, attempt 1, request ${get?.requestId})`,
    );
    expect(stderr).toContain(`codex: ✗ getDocument failed: NotFoundError 404 not_found (request ${get?.requestId})`);
    expect(token).toMatch(/^cdx_at_\w+/);
    expect(stderr).not.toContain(token);
    expect(stderr).not.toContain(RW.clientSecret);
    expect(stderr).not.toMatch(/authorization|bearer|access_token|client_secret/i);
  });

  it('off or unset: no output at all', async () => {
    const server = await devServerWith([RW]);
    for (const codexLog of [undefined, '', 'off', 'OFF'])
      expect(await program(server.url, codexLog, '{}', runtime)).toMatchObject({ stdout: '', stderr: '' });
  });

  it('the logLevel option overrides CODEX_LOG', async () => {
    const server = await devServerWith([RW]);
    const quiet = await program(server.url, 'debug', "{ logLevel: 'error' }", runtime);
    expect(quiet.stderr).toMatch(/^codex: ✗ getDocument failed: NotFoundError 404 not_found \(request req_\w+\)\n$/);
    const loud = await program(server.url, 'off', "{ logLevel: 'debug' }", runtime);
    expect(loud.stderr).toContain(`codex: ← 200 GET ${server.url}/documents (listDocuments, attempt 1`);
  });

  it('a value that is not a level: one warning for the process, and calls work', async () => {
    const server = await devServerWith([RW]);
    const { stdout, stderr } = await program(server.url, 'verbose', '{}', runtime);
    expect(stdout).toBe('');
    expect(stderr).toBe('codex: CODEX_LOG="verbose" is not one of debug, info, warn, error, off; ignored.\n');
    expect(server.admin.requests().map((r) => r.status)).toEqual([200, 200, 404, 200]);
  });
});

describe('logLevel in @codex/node', () => {
  it('rejects a value that is not a level at construction, whatever CODEX_LOG says', () => {
    expect(() => new Client({ apiKey: API_KEY, env: { CODEX_LOG: 'debug' }, logLevel: 'loud' as 'debug' })).toThrow(
      new CodexError('logLevel must be one of debug, info, warn, error, off; got string.'),
    );
  });

  it('reads CODEX_LOG from the env option, and filters a logger of the user’s with it', async () => {
    const server = await devServerWith([RW]);
    const lines: string[] = [];
    const logger = { debug: (m: string) => lines.push(`debug ${m}`), error: (m: string) => lines.push(`error ${m}`) };
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url, env: { CODEX_LOG: 'error' }, logger });
    await client.documents.get('doc_missing').catch(() => {});
    expect(lines).toEqual([expect.stringMatching(/^error codex: ✗ getDocument failed: NotFoundError 404/)]);
  });
});

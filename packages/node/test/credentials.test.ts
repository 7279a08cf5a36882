import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, CodexError, resolveCredentialChain } from '../src/index';

const KEY = 'cdx_id_env:cdx_sk_env_secret';

async function credentialsFile(profiles: unknown, mode = 0o600): Promise<string> {
  return rawCredentialsFile(JSON.stringify({ profiles }), mode);
}

async function rawCredentialsFile(content: string, mode = 0o600): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'codex-creds-'));
  const file = join(dir, 'credentials.json');
  await writeFile(file, content);
  await chmod(file, mode);
  return file;
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('credentials chain', () => {
  it('takes options first', () => {
    expect(resolveCredentialChain({ apiKey: 'cdx_id_opt:x' }, { CODEX_API_KEY: KEY })).toMatchObject({
      apiKey: 'cdx_id_opt:x',
    });
  });

  it('then CODEX_API_KEY, then CODEX_CLIENT_ID + CODEX_CLIENT_SECRET', () => {
    expect(resolveCredentialChain({}, { CODEX_API_KEY: KEY, CODEX_CLIENT_ID: 'a', CODEX_CLIENT_SECRET: 'b' })).toEqual({
      apiKey: KEY,
    });
    expect(resolveCredentialChain({}, { CODEX_CLIENT_ID: 'cdx_id_a', CODEX_CLIENT_SECRET: 'cdx_sk_b' })).toEqual({
      clientId: 'cdx_id_a',
      clientSecret: 'cdx_sk_b',
    });
    expect(() => resolveCredentialChain({}, { CODEX_CLIENT_ID: 'cdx_id_a' })).toThrow(/CODEX_CLIENT_SECRET is not/);
  });

  it('then the credentials file, with profiles picked by CODEX_PROFILE', async () => {
    const file = await credentialsFile({
      default: { apiKey: 'cdx_id_default:cdx_sk_1' },
      staging: { clientId: 'cdx_id_staging', clientSecret: 'cdx_sk_2', baseUrl: 'http://127.0.0.1:9/v1' },
    });
    expect(resolveCredentialChain({}, { CODEX_CREDENTIALS_FILE: file })).toEqual({ apiKey: 'cdx_id_default:cdx_sk_1' });
    expect(resolveCredentialChain({}, { CODEX_CREDENTIALS_FILE: file, CODEX_PROFILE: 'staging' })).toEqual({
      clientId: 'cdx_id_staging',
      clientSecret: 'cdx_sk_2',
      baseUrl: 'http://127.0.0.1:9/v1',
    });
    expect(() => resolveCredentialChain({ profile: 'prod' }, { CODEX_CREDENTIALS_FILE: file })).toThrow(
      /no profile "prod" \(it has: default, staging\)/,
    );
  });

  it('reads ~/.config/codex/credentials.json by default', async () => {
    const home = await mkdtemp(join(tmpdir(), 'codex-home-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(home, '.config', 'codex'), { recursive: true });
    const file = join(home, '.config', 'codex', 'credentials.json');
    await writeFile(file, JSON.stringify({ profiles: { default: { apiKey: 'cdx_id_home:cdx_sk_h' } } }), {
      mode: 0o600,
    });
    expect(resolveCredentialChain({}, { HOME: home })).toEqual({ apiKey: 'cdx_id_home:cdx_sk_h' });
  });

  it('with no credentials anywhere, says where it looked, with the code missing_credentials', () => {
    const error = errorOf(() => resolveCredentialChain({}, { CODEX_CREDENTIALS_FILE: '/nonexistent/codex.json' }));
    expect(error).toMatchObject({ code: 'missing_credentials' });
    expect(error.message).toContain('No Codex API credentials found.');
  });

  it('refuses a credentials file readable by group or others, as ssh does', async () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const file = await credentialsFile({ default: { apiKey: 'cdx_id_a:cdx_sk_leaky' } }, mode);
      let error: unknown;
      try {
        resolveCredentialChain({}, { CODEX_CREDENTIALS_FILE: file });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'invalid_credentials' });
      expect((error as Error).message).toContain(`chmod 600 ${file}`);
      expect((error as Error).message).not.toContain('cdx_sk_leaky');
    }
  });

  it('reports a malformed credentials file by name and position, never quoting its content (issue 9, item 4)', async () => {
    const cases: [string, string][] = [
      // JSON.parse's message would quote `"apiKey": cdx_id_leak:cdx_sk_sec`.
      ['{"profiles": {"default": {"apiKey": cdx_id_leak:cdx_sk_leaky_secret}}}', 'line 1, column 37'],
      ['{"profiles": {"default": {\n  "apiKey": "cdx_id_leak:cdx_sk_leaky_secret"', 'line 2, column 46'],
      ["{'profiles': {'default': {'apiKey': 'cdx_id_leak:cdx_sk_leaky_secret'}}}", 'line 1, column 2'],
      ['{"profiles": {}} cdx_id_leak:cdx_sk_leaky_secret', 'line 1, column 18'],
    ];
    for (const [content, position] of cases) {
      const file = await rawCredentialsFile(content);
      const error = errorOf(() => resolveCredentialChain({}, { CODEX_CREDENTIALS_FILE: file }));
      expect(error).toBeInstanceOf(CodexError);
      expect(error).toMatchObject({ code: 'invalid_credentials' });
      expect(error.message).toContain(`The credentials file ${file} is not valid JSON (error at line`);
      expect(error.message).toContain(position);
      for (const fragment of ['cdx_id_leak', 'cdx_sk', 'leaky']) {
        expect(error.message).not.toContain(fragment);
      }
      expect(String(error.cause ?? '')).not.toContain('leaky');
    }
  });

  it('describes a profile of the wrong shape by field and type, never by value', async () => {
    const file = await credentialsFile({
      numeric: { apiKey: 123456789 },
      nested: { clientId: 'cdx_id_a', clientSecret: { value: 'cdx_sk_leaky' } },
      empty: { baseUrl: 'http://127.0.0.1:9/v1' },
      list: ['cdx_id_a:cdx_sk_leaky'],
    });
    const message = (profile: string) =>
      errorOf(() => resolveCredentialChain({ profile }, { CODEX_CREDENTIALS_FILE: file })).message;
    expect(message('numeric')).toBe(
      `Profile "numeric" of the credentials file ${file}: apiKey must be a string, got number.`,
    );
    expect(message('nested')).toMatch(/clientSecret must be a string, got object\.$/);
    expect(message('empty')).toMatch(/has no apiKey \(or clientId \+ clientSecret\)\.$/);
    expect(message('list')).toMatch(/must be an object/);
    expect(message('toString')).toMatch(/has no profile "toString"/);
    for (const profile of ['numeric', 'nested', 'list']) expect(message(profile)).not.toMatch(/123456789|leaky/);
    const noProfiles = await rawCredentialsFile('"cdx_id_a:cdx_sk_leaky"');
    const error = errorOf(() => resolveCredentialChain({}, { CODEX_CREDENTIALS_FILE: noProfiles }));
    expect(error.message).toMatch(/has no "profiles" object/);
    expect(error.message).not.toContain('leaky');
  });

  it('without credentials, lists every place it looked at', () => {
    let message = '';
    try {
      new Client({ env: { HOME: '/nonexistent-home' } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('the apiKey, clientId + clientSecret or tokenProvider options');
    expect(message).toContain('CODEX_API_KEY');
    expect(message).toContain('CODEX_CLIENT_ID and CODEX_CLIENT_SECRET');
    expect(message).toContain('/nonexistent-home/.config/codex/credentials.json');
  });
});

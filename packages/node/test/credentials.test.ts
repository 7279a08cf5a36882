import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, CodexError, resolveCredentialChain } from '../src/index';

const KEY = 'cdx_id_env:cdx_sk_env_secret';

async function credentialsFile(profiles: unknown, mode = 0o600): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'codex-creds-'));
  const file = join(dir, 'credentials.json');
  await writeFile(file, JSON.stringify({ profiles }));
  await chmod(file, mode);
  return file;
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

  it('refuses a credentials file readable by group or others, as ssh does', async () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const file = await credentialsFile({ default: { apiKey: 'cdx_id_a:cdx_sk_leaky' } }, mode);
      let error: unknown;
      try {
        resolveCredentialChain({}, { CODEX_CREDENTIALS_FILE: file });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CodexError);
      expect((error as Error).message).toContain(`chmod 600 ${file}`);
      expect((error as Error).message).not.toContain('cdx_sk_leaky');
    }
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

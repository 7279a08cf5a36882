import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkBaseUrl } from './config';
import { resolveCredentials } from './credentials';
import { CodexError } from './errors';

const SECRET = 'cdx_sk_do_not_leak_9d8c7b6a';

describe('credentials', () => {
  it('splits apiKey on the first ":"', () => {
    const parsed = resolveCredentials({ apiKey: `cdx_id_abc:${SECRET}:with:colons` });
    expect(parsed.kind).toBe('client');
    if (parsed.kind !== 'client') return;
    expect(parsed.credentials.clientId).toBe('cdx_id_abc');
    expect(parsed.credentials.revealSecret()).toBe(`${SECRET}:with:colons`);
  });

  it('takes clientId + clientSecret, or a tokenProvider', () => {
    expect(resolveCredentials({ clientId: 'cdx_id_a', clientSecret: SECRET }).kind).toBe('client');
    expect(resolveCredentials({ tokenProvider: async () => ({ accessToken: 't', expiresIn: 60 }) }).kind).toBe(
      'provider',
    );
  });

  it.each([
    ['no credentials', {}, /No credentials were given/],
    ['an apiKey without ":"', { apiKey: SECRET }, /apiKey has no ':'/],
    [
      'an empty client ID',
      { apiKey: `:${SECRET}` },
      /apiKey's client ID must be a non-empty string without whitespace or ':', got 0 characters/,
    ],
    [
      'an empty secret',
      { apiKey: 'cdx_id_a:' },
      /apiKey's secret must be a non-empty string without whitespace, got 0 characters/,
    ],
    [
      'a trailing newline',
      { apiKey: `cdx_id_a:${SECRET}\n` },
      /apiKey's secret must be a non-empty string without whitespace, got \d+ characters/,
    ],
    ['a non-string apiKey', { apiKey: 42 as unknown as string }, /apiKey must be a string, got number/],
    [
      'an undefined env var passed as clientId only',
      { clientSecret: SECRET },
      /clientId must be a non-empty string without whitespace or ':', got undefined/,
    ],
    [
      'two kinds at once',
      { apiKey: `a:${SECRET}`, tokenProvider: async () => ({ accessToken: 't', expiresIn: 1 }) },
      /Give one kind of credentials/,
    ],
  ])('refuses %s with a CodexError that explains the format and never echoes the secret', (_, options, message) => {
    let error: unknown;
    try {
      resolveCredentials(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodexError);
    // A stable code to branch on (issue 13, item 7); the message explains.
    expect((error as CodexError).code).toBe(
      Object.keys(options).length ? 'invalid_credentials' : 'missing_credentials',
    );
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('"<client_id>:<client_secret>"');
    expect(`${(error as Error).message}\n${(error as Error).stack}\n${inspect(error)}`).not.toContain('do_not_leak');
  });

  it('never shows the secret in JSON or inspection', () => {
    const parsed = resolveCredentials({ apiKey: `cdx_id_abc:${SECRET}` });
    if (parsed.kind !== 'client') throw new Error('expected client credentials');
    expect(JSON.stringify(parsed)).not.toContain(SECRET);
    expect(inspect(parsed, { depth: 10, showHidden: true })).not.toContain(SECRET);
    expect(Object.keys(parsed.credentials)).toEqual(['clientId']);
  });
});

describe('baseUrl', () => {
  it('accepts https and loopback http, strips trailing slashes', () => {
    expect(checkBaseUrl('https://api.codex.dev/v1/', false)).toBe('https://api.codex.dev/v1');
    for (const url of ['http://localhost:4010/v1', 'http://127.0.0.1:4010/v1', 'http://[::1]:4010/v1']) {
      expect(checkBaseUrl(url, false)).toBe(url);
    }
  });

  it('refuses plain http elsewhere unless allowInsecure', () => {
    expect(() => checkBaseUrl('http://api.codex.dev/v1', false)).toThrow(/must use https/);
    expect(checkBaseUrl('http://api.codex.dev/v1', true)).toBe('http://api.codex.dev/v1');
    expect(() => checkBaseUrl('ftp://x/v1', true)).toThrow(CodexError);
    expect(() => checkBaseUrl('not a url', false)).toThrow(/not a URL/);
    expect(() => checkBaseUrl('https://user:pw@api.codex.dev/v1', false)).toThrow(/credentials/);
  });
});

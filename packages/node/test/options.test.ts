import { describe, expect, it } from 'vitest';
import { Client, CodexError, memoryTokenStore, type NodeClientOptions } from '../src/index';

const API_KEY = 'cdx_id_options:cdx_sk_options_secret';

function constructionError(options: unknown): Error {
  try {
    new Client(options as NodeClientOptions);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected new Client() to throw');
}

// Issue 9, item 9: this package's options are checked at construction, with a CodexError that
// names the option and what it accepts (tokenCache: 'disk' gave "TypeError: Invalid value used as
// weak map key").
describe('@codex/node Client options', () => {
  // tokenCache, the option's former name, is checked alike and names itself.
  describe.each(['tokenStore', 'tokenCache'])('%s', (name) => {
    it.each([
      ['disk', /got "disk"\.$/],
      [42, /got number 42\.$/],
      [null, /got null\.$/],
      [{ get: async () => undefined, set: async () => {} }, /got an object\.$/],
    ])('%j is a CodexError naming the option and its values', (value, got) => {
      const error = constructionError({ apiKey: API_KEY, [name]: value });
      expect(error).toBeInstanceOf(CodexError);
      expect(error).toMatchObject({ code: 'invalid_option' });
      expect(error.message).toMatch(
        new RegExp(
          `^${name} must be 'memory', 'file' or a TokenStore \\(an object with get, set and delete methods\\); ${got.source}`,
        ),
      );
    });
  });

  it('takes a TokenStore, and refuses tokenStore with tokenCache (one name, not two)', () => {
    expect(() => new Client({ apiKey: API_KEY, tokenStore: memoryTokenStore })).not.toThrow();
    expect(() => new Client({ apiKey: API_KEY, tokenCache: memoryTokenStore })).not.toThrow();
    const error = constructionError({ apiKey: API_KEY, tokenCache: 'file', tokenStore: memoryTokenStore });
    expect(error).toBeInstanceOf(CodexError);
    expect(error.message).toBe('Pass tokenStore only: tokenCache is its former name.');
  });

  it.each([
    [
      'env',
      'CODEX_API_KEY',
      /^env must be an object of environment variables, like process\.env; got "CODEX_API_KEY"\.$/,
    ],
    ['env', null, /^env must be .*; got null\.$/],
    ['env', [API_KEY], /^env must be .*; got an array\.$/],
    ['profile', 42, /^profile must be the name of a profile of the credentials file; got number 42\.$/],
    ['profile', '', /^profile must be .*; got an empty string\.$/],
    // A number would have been taken as a file descriptor by fs.statSync.
    ['credentialsFile', 3, /^credentialsFile must be the path of a credentials file; got number 3\.$/],
    ['credentialsFile', { path: '/x' }, /^credentialsFile must be .*; got an object\.$/],
  ])('%s: %j', (name, value, message) => {
    for (const options of [{ apiKey: API_KEY, [name]: value }, { [name]: value }]) {
      const error = constructionError(options);
      expect(error).toBeInstanceOf(CodexError);
      expect(error.message).toMatch(message);
    }
  });

  it('refuses options that are not an object', () => {
    expect(constructionError(null)).toBeInstanceOf(CodexError);
    expect(constructionError('cdx_id_a:cdx_sk_b').message).toBe('new Client(options): options must be an object.');
  });
});

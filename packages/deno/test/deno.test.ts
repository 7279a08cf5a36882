import {
  Client,
  CodexError,
  fileTokenStore,
  isCodexError,
  memoryTokenStore,
  type StoredToken,
  USER_AGENT,
} from '../mod.ts';

// From test/run.mjs: the dev server, and `fsRoot`, the one directory this process may read and write.
const server = JSON.parse(Deno.args[0] ?? '{}') as { url: string; readWriteKey: string; fsRoot: string };

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

Deno.test('without --allow-env, the error names the flag to add', () => {
  let error: unknown;
  try {
    new Client({ baseUrl: server.url });
  } catch (e) {
    error = e;
  }
  assert(error instanceof CodexError, `expected a CodexError, got ${error}`);
  assert(error.message.includes('--allow-env=CODEX_API_KEY'), error.message);
});

Deno.test('where Deno.permissions.querySync is missing (Deno Deploy), optional variables are not read, and no TypeError', () => {
  Object.defineProperty(Deno.permissions, 'querySync', { value: undefined, configurable: true });
  try {
    // No baseUrl: CODEX_BASE_URL and CODEX_LOG are optional, read only when allowed.
    const client = new Client({ apiKey: server.readWriteKey });
    assert(client instanceof Client, 'a Client');
  } finally {
    delete (Deno.permissions as { querySync?: unknown }).querySync;
  }
  assert(typeof Deno.permissions.querySync === 'function', 'querySync restored');
});

Deno.test('without network permission for a host, the error names the --allow-net flag', async () => {
  // This process may only reach 127.0.0.1 (deno test --allow-net=127.0.0.1).
  const client = new Client({ apiKey: server.readWriteKey, baseUrl: 'http://localhost:4999/v1', maxRetries: 0 });
  const error = await client.documents.list().then(
    () => null,
    (e: unknown) => e,
  );
  assert(isCodexError(error), `expected a CodexError, got ${error}`);
  assert((error as Error).message.includes('--allow-net=localhost:4999'), (error as Error).message);
});

Deno.test('withOptions chooses the fetch again for its host: the --allow-net error still names the flag', async () => {
  // With --allow-net for the host, core gets Deno's fetch and an unref'd backgroundFetch (issue 18,
  // item 3); without it, the fetch that names the flag. withOptions builds from the options given core.
  const denied = new Client({ apiKey: server.readWriteKey, baseUrl: 'http://localhost:4999/v1', maxRetries: 0 });
  const allowed = denied.withOptions({ baseUrl: server.url });
  await allowed.documents.list();
  const error = await allowed
    .withOptions({ baseUrl: 'http://localhost:4999/v1' })
    .documents.list()
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert(isCodexError(error), `expected a CodexError, got ${error}`);
  assert((error as Error).message.includes('--allow-net=localhost:4999'), (error as Error).message);
});

Deno.test({
  name: 'talks to the API with a User-Agent like codex-sdk-deno/<version> deno/<version>',
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const client = new Client({ apiKey: server.readWriteKey, baseUrl: server.url });
    const doc = await client.documents.create({ title: 'from deno', content: 'hi' });
    assert((await client.documents.get(doc.id)).title === 'from deno', 'round trip');
    assert(/^codex-sdk-deno\/\S+ deno\/2\.\d+\.\d+$/.test(USER_AGENT), USER_AGENT);
  },
});

function constructionError(options: unknown): Error {
  try {
    new Client(options as ConstructorParameters<typeof Client>[0]);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected new Client() to throw');
}

Deno.test("tokenStore is checked at construction: 'disk' is a CodexError naming the allowed values", () => {
  // Issue 9, item 9: it was "TypeError: Invalid value used as weak map key". tokenCache, the
  // option's former name, is checked alike and names itself.
  for (const name of ['tokenStore', 'tokenCache']) {
    for (const [value, got] of [
      ['disk', '"disk"'],
      [42, 'number 42'],
      [null, 'null'],
      [{ get: () => {} }, 'an object'],
    ] as const) {
      const error = constructionError({ apiKey: server.readWriteKey, baseUrl: server.url, [name]: value });
      assert(error instanceof CodexError, `expected a CodexError, got ${error}`);
      assert(
        error.message ===
          `${name} must be 'memory', 'file' or a TokenStore (an object with get, set and delete methods); got ${got}.`,
        error.message,
      );
    }
  }
  const both = constructionError({ apiKey: server.readWriteKey, tokenCache: 'file', tokenStore: memoryTokenStore });
  assert(
    both instanceof CodexError && both.message === 'Pass tokenStore only: tokenCache is its former name.',
    both.message,
  );
  assert(constructionError('x') instanceof CodexError, 'options must be an object');
});

// Issue 9, item 15: the file token cache in Deno.
const TOKEN: StoredToken = {
  accessToken: 'cdx_at_must_not_leak',
  expiresAt: Date.now() + 3_600_000,
  lifetimeMs: 3_600_000,
};
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

Deno.test("tokenStore: 'file' without a known cache directory is refused, naming the flag: never the working directory", () => {
  // This process may not read HOME or CODEX_CACHE_DIR (no --allow-env); it used to fall back to
  // ./.cache/codex/tokens, putting token files into the checkout it runs in.
  const error = constructionError({ apiKey: server.readWriteKey, baseUrl: server.url, tokenStore: 'file' });
  assert(error instanceof CodexError, `expected a CodexError, got ${error}`);
  assert(
    error.message ===
      "The Codex file token cache needs the user's cache directory, but HOME is not set or not allowed: run deno with --allow-env=HOME (or set CODEX_CACHE_DIR and run with --allow-env=CODEX_CACHE_DIR), or pass a directory: tokenStore: fileTokenStore('/path/to/dir'). The working directory is never used: token files do not belong in a project checkout.",
    error.message,
  );
});

Deno.test('without --allow-read/--allow-write for the directory, the store throws a CodexError naming the flags', async () => {
  // It used to throw Deno's raw NotCapable.
  const dir = `${server.fsRoot}-not-allowed`;
  const store = fileTokenStore(dir);
  const flags = `run deno with --allow-read=${dir} --allow-write=${dir}, or use tokenStore: 'memory'. Tokens are kept in memory only.`;
  const expected = {
    get: `Reading the Codex token cache in ${dir} needs permission: ${flags}`,
    set: `Writing the Codex token cache in ${dir} needs permission: ${flags}`,
    delete: `Deleting a token from the Codex token cache in ${dir} needs permission: ${flags}`,
  };
  const errors = {
    get: await rejection(store.get('cdx-key')),
    set: await rejection(store.set('cdx-key', TOKEN)),
    delete: await rejection(store.delete('cdx-key')),
  };
  for (const [name, error] of Object.entries(errors)) {
    assert(error instanceof CodexError, `${name}: expected a CodexError, got ${error}`);
    assert(error.message === expected[name as keyof typeof expected], error.message);
  }
});

Deno.test('a cache directory under a regular file: the store throws a CodexError that says what to do', async () => {
  const file = `${server.fsRoot}/not-a-directory`;
  await Deno.writeTextFile(file, 'cdx_at_file_content_must_not_leak');
  const dir = `${file}/tokens`;
  const store = fileTokenStore(dir);
  const advice =
    "Tokens are kept in memory only; use a directory this user can read and write (CODEX_CACHE_DIR, or fileTokenStore(dir)), or tokenStore: 'memory'.";
  const get = await rejection(store.get('cdx-key'));
  const set = await rejection(store.set('cdx-key', TOKEN));
  assert(get instanceof CodexError, `expected a CodexError, got ${get}`);
  assert(
    get.message === `Could not read the Codex token cache in ${dir}: ENOTDIR (not a directory). ${advice}`,
    get.message,
  );
  assert(set instanceof CodexError, `expected a CodexError, got ${set}`);
  assert(
    set.message === `Could not write the Codex token cache in ${dir}: ENOTDIR (not a directory). ${advice}`,
    set.message,
  );
  assert(!/cdx_at|must_not_leak/.test(get.message + set.message), 'no token or file content in messages');
});

// Relies on core's part of item 15 (TokenManager catches store errors and warns once), built.
Deno.test({
  name: 'without --allow-write for the cache, calls still succeed, with one warning that names the flag',
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const warnings: string[] = [];
    const options = {
      apiKey: server.readWriteKey,
      baseUrl: server.url,
      tokenCache: fileTokenStore(`${server.fsRoot}-not-allowed-either`),
      logger: { warn: (message: string) => void warnings.push(message) },
    };
    await new Client(options).documents.list();
    await new Client(options).documents.list();
    assert(warnings.length === 1, `expected one warning, got ${JSON.stringify(warnings)}`);
    assert(warnings[0]?.includes('--allow-write='), warnings[0] ?? '');
    assert(!/cdx_at|cdx_sk/.test(warnings[0] ?? ''), 'no token or secret in the warning');
  },
});

/** Runs `fn` with console's methods recording what they are given (method and first argument). */
async function consoleCalls(fn: () => Promise<unknown>): Promise<string[]> {
  const names = ['log', 'debug', 'info', 'warn', 'error'] as const;
  const original = names.map((name) => console[name]);
  const calls: string[] = [];
  for (const name of names) console[name] = (first: unknown) => calls.push(`${name}: ${first}`);
  try {
    await fn();
  } finally {
    names.forEach((name, i) => {
      console[name] = original[i] as (typeof console)[typeof name];
    });
  }
  return calls;
}

Deno.test('without --allow-env, CODEX_LOG (debug, set by test/run.mjs) is not read: no error, no prompt, no logging', async () => {
  assert(Deno.permissions.querySync({ name: 'env', variable: 'CODEX_LOG' }).state !== 'granted', 'env is allowed');
  const calls = await consoleCalls(async () => {
    const client = new Client({ apiKey: server.readWriteKey, baseUrl: server.url });
    await client.documents.list();
    await client.documents.get('doc_missing').catch(() => {});
  });
  assert(calls.length === 0, JSON.stringify(calls));
});

Deno.test('logLevel logs to stderr (console.error for every level, never stdout), without the secret or a token', async () => {
  const calls = await consoleCalls(async () => {
    const client = new Client({ apiKey: server.readWriteKey, baseUrl: server.url, logLevel: 'debug' });
    await client.documents.list();
    await client.documents.get('doc_missing').catch(() => {});
  });
  assert(calls.length > 0 && calls.every((c) => c.startsWith('error: codex: ')), JSON.stringify(calls));
  const text = calls.join('\n');
  assert(text.includes(`← 200 GET ${server.url}/documents (listDocuments, attempt 1, request req_`), text);
  assert(text.includes('✗ getDocument failed: NotFoundError 404 not_found'), text);
  const secret = server.readWriteKey.split(':')[1] as string;
  assert(!text.includes(secret) && !text.includes('cdx_at_'), text);
});

Deno.test("logLevel is checked at construction: 'loud' is a CodexError", () => {
  let error: unknown;
  try {
    new Client({ apiKey: server.readWriteKey, baseUrl: server.url, logLevel: 'loud' as 'debug' });
  } catch (e) {
    error = e;
  }
  assert(error instanceof CodexError, `expected a CodexError, got ${error}`);
  assert(error.message === 'logLevel must be one of debug, info, warn, error, off; got string.', error.message);
});

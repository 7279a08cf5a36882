import { Client, CodexError, isCodexError, memoryTokenStore, USER_AGENT } from '../mod.ts';

const server = JSON.parse(Deno.args[0] ?? '{}') as { url: string; readWriteKey: string };

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

Deno.test("tokenCache is checked at construction: 'disk' is a CodexError naming the allowed values", () => {
  // Issue 9, item 9: it was "TypeError: Invalid value used as weak map key".
  for (const [tokenCache, got] of [
    ['disk', '"disk"'],
    [42, 'number 42'],
    [null, 'null'],
    [{ get: () => {} }, 'an object'],
  ] as const) {
    const error = constructionError({ apiKey: server.readWriteKey, baseUrl: server.url, tokenCache });
    assert(error instanceof CodexError, `expected a CodexError, got ${error}`);
    assert(
      error.message ===
        `tokenCache must be 'memory', 'file' or a TokenStore (an object with get, set and delete methods); got ${got}.`,
      error.message,
    );
  }
  const both = constructionError({ apiKey: server.readWriteKey, tokenCache: 'file', tokenStore: memoryTokenStore });
  assert(both instanceof CodexError && /not both/.test(both.message), both.message);
  assert(constructionError('x') instanceof CodexError, 'options must be an object');
});

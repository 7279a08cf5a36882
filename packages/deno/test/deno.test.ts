import { Client, CodexError, isCodexError, USER_AGENT } from '../mod.ts';

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

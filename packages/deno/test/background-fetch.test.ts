import { Client } from '../mod.ts';
import { backgroundFetch } from '../src/background-fetch.ts';

// Issue 18, item 3: the fetch the Deno Client uses for background token refreshes, in an unref'd
// worker thread. That a hung one does not hold the process open is checked by test/run.mjs (does
// the process exit?); here, that it is a fetch, against the dev server.

const server = JSON.parse(Deno.args[0] ?? '{}') as {
  url: string;
  origin: string;
  adminSecret: string;
  readWriteKey: string;
};
const [clientId, clientSecret] = server.readWriteKey.split(':');
const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${server.origin}/_admin/${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-admin-secret': server.adminSecret },
  });
/**
 * Awaits `promise` with the event loop held open by an interval: backgroundFetch holds nothing
 * itself (the point of it), and Deno's test runner fails a test whose loop runs empty.
 */
async function held<T>(promise: PromiseLike<T>): Promise<T> {
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    return await promise;
  } finally {
    clearInterval(keepAlive);
  }
}
const tokenRequest = (signal?: AbortSignal) =>
  held(
    backgroundFetch(`${server.url}/auth/token`, {
      method: 'POST',
      headers: new Headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
      redirect: 'manual',
      ...(signal && { signal }),
    }),
  );

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const options = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  ...options,
  name: 'backgroundFetch POSTs JSON to the dev server and reads its answer: status, headers, url, body',
  fn: async () => {
    const response = await tokenRequest();
    assert(response instanceof Response, 'a Response');
    assert(response.status === 200 && response.ok, `status ${response.status}`);
    assert(response.url === `${server.url}/auth/token`, response.url);
    assert(/^application\/json/.test(response.headers.get('content-type') ?? ''), 'content-type');
    assert(response.headers.get('x-request-id'), 'x-request-id');
    const token = await response.json();
    assert(token.token_type === 'Bearer' && typeof token.access_token === 'string', JSON.stringify(Object.keys(token)));
  },
});

Deno.test({
  ...options,
  name: 'backgroundFetch serves a whole Client: create, get, list, delete (204, no body), a 404',
  fn: async () => {
    const client = new Client({ apiKey: server.readWriteKey, baseUrl: server.url, fetch: backgroundFetch });
    const doc = await held(client.documents.create({ title: 'bg', content: 'é'.repeat(70_000) }));
    assert((await held(client.documents.get(doc.id))).content === 'é'.repeat(70_000), 'round trip');
    assert(
      (await held(client.documents.list())).data.some((d) => d.id === doc.id),
      'listed',
    );
    await held(client.documents.delete(doc.id));
    const error = await held(client.documents.get(doc.id)).catch((e: unknown) => e);
    assert((error as { status?: number }).status === 404, `expected a 404, got ${error}`);
  },
});

Deno.test({
  ...options,
  name: 'backgroundFetch rejects with the reason when its signal aborts, before or while the server hangs',
  fn: async () => {
    const reason = new Error('given up');
    const before = await tokenRequest(AbortSignal.abort(reason)).catch((e: unknown) => e);
    assert(before === reason, `before: ${before}`);
    await (await admin('requests', { method: 'DELETE' })).body?.cancel();
    await (
      await admin('faults', { method: 'POST', body: JSON.stringify({ operationId: 'issueToken', type: 'hang' }) })
    ).body?.cancel();
    const controller = new AbortController();
    const pending = tokenRequest(controller.signal).catch((e: unknown) => e);
    // Aborted once the server holds the request.
    const received = async () => ((await (await admin('requests')).json()).requests as unknown[]).length;
    while ((await received()) === 0);
    controller.abort(reason);
    assert((await pending) === reason, 'while hanging');
  },
});

Deno.test({
  ...options,
  name: 'backgroundFetch rejects a connection failure with a TypeError, as fetch does',
  fn: async () => {
    const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    listener.close();
    const error = await held(backgroundFetch(`http://127.0.0.1:${port}/v1`)).catch((e: unknown) => e);
    assert(error instanceof TypeError, `expected a TypeError, got ${error}`);
  },
});

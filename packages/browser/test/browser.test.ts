import { afterEach, describe, expect, inject, it } from 'vitest';
import { Client, CodexError, isAPIConnectionError, sessionTokenStore } from '../src/index';

const server = inject('devServer');

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.origin}/_admin${path}`, {
    method,
    headers: { 'X-Admin-Secret': server.adminSecret, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return response.status === 204 ? undefined : response.json();
}
const tokenRequests = async () =>
  ((await admin('GET', '/requests')) as { requests: Array<{ operationId: string }> }).requests.filter(
    (r) => r.operationId === 'issueToken',
  ).length;

/** What a page's backend does with @codex/node: exchange the key and hand out the token. */
const backendTokenProvider = async () => {
  const [client_id, client_secret] = server.readWriteKey.split(':');
  const response = await fetch(`${server.url}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id, client_secret }),
  });
  const token = await response.json();
  return { accessToken: token.access_token as string, expiresIn: token.expires_in as number };
};

afterEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

describe('@codex/browser in Chromium', () => {
  it('refuses a client secret, explaining the risk, unless dangerouslyAllowBrowser', () => {
    let error: unknown;
    try {
      new Client({ apiKey: server.readWriteKey, baseUrl: server.url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodexError);
    expect(error).toMatchObject({ code: 'secret_in_browser' });
    expect((error as Error).message).toMatch(
      /Anyone who opens the page can read a client secret.*tokenProvider.*dangerouslyAllowBrowser: true/s,
    );
    expect((error as Error).message).not.toContain(server.readWriteKey.split(':')[1]);
    expect(() => new Client({ clientId: 'cdx_id_x', clientSecret: 'cdx_sk_y', baseUrl: server.url })).toThrow(
      CodexError,
    );
    const allowed = new Client({ apiKey: server.readWriteKey, baseUrl: server.url, dangerouslyAllowBrowser: true });
    // withOptions keeps what the constructor was told (issue 13, item 4).
    expect(allowed.withOptions({ timeout: 1_000 })).toBeInstanceOf(Client);
  });

  it('works with a tokenProvider (the recommended path), across origins with CORS', async () => {
    await admin('POST', '/reset');
    const client = new Client({ baseUrl: server.url, tokenProvider: backendTokenProvider });
    const doc = await client.documents.create({ title: 'from the browser', content: 'hi' });
    expect((await client.documents.get(doc.id)).title).toBe('from the browser');
    expect(new URL(server.url).origin).not.toBe(location.origin);
  });

  it('logLevel logs to the console (debug lines to console.debug, failed calls to console.error), never a token', async () => {
    await admin('POST', '/reset');
    const names = ['log', 'debug', 'info', 'warn', 'error'] as const;
    const original = names.map((name) => console[name]);
    const calls: string[] = [];
    for (const name of names) console[name] = (first: unknown) => calls.push(`${name} ${first}`);
    try {
      const client = new Client({ baseUrl: server.url, tokenProvider: backendTokenProvider, logLevel: 'debug' });
      await client.documents.list();
      await client.documents.get('doc_missing').catch(() => {});
      await new Client({ baseUrl: server.url, tokenProvider: backendTokenProvider, logLevel: 'off' }).documents.list();
    } finally {
      names.forEach((name, i) => {
        console[name] = original[i] as (typeof console)[typeof name];
      });
    }
    // attempt 2 when the page's cached token was revoked by the reset (a 401, replayed once).
    expect(calls).toContainEqual(`debug codex: → GET ${server.url}/documents (attempt 1)`);
    expect(calls).toContainEqual(
      expect.stringMatching(/^debug codex: ← 200 GET \S+\/documents \(listDocuments, attempt \d, request req_\w+\)$/),
    );
    expect(calls).toContainEqual(
      expect.stringMatching(/^error codex: ✗ getDocument failed: NotFoundError 404 not_found \(request req_\w+\)$/),
    );
    expect(calls.every((c) => /^(debug|error) codex: /.test(c))).toBe(true);
    expect(calls.join('\n')).not.toMatch(/cdx_at_|bearer|authorization/i);
  });

  it('keeps tokens in memory by default: nothing in sessionStorage or localStorage', async () => {
    await admin('POST', '/reset');
    const client = new Client({ baseUrl: server.url, tokenProvider: backendTokenProvider });
    await client.documents.list();
    expect(sessionStorage.length).toBe(0);
    expect(localStorage.length).toBe(0);
  });

  it('keeps tokens in sessionStorage when asked (sessionTokenStore()), never in localStorage', async () => {
    await admin('POST', '/reset');
    const client = new Client({
      baseUrl: `${server.url}/`,
      tokenProvider: backendTokenProvider,
      tokenStore: sessionTokenStore(),
    });
    await client.documents.list();
    expect(sessionStorage.length).toBe(1);
    expect(sessionStorage.getItem(sessionStorage.key(0) ?? '')).toMatch(/"accessToken":"cdx_at_/);
    expect(localStorage.length).toBe(0);
  });

  it('takes tokenStorage, the former name of tokenStore, and refuses both (one was silently ignored)', async () => {
    await admin('POST', '/reset');
    sessionStorage.clear();
    const client = new Client({
      baseUrl: server.url,
      tokenProvider: backendTokenProvider,
      tokenStorage: sessionTokenStore(),
    });
    await client.documents.list();
    expect(sessionStorage.length).toBe(1);
    sessionStorage.clear();
    expect(
      () =>
        new Client({
          tokenProvider: backendTokenProvider,
          tokenStore: sessionTokenStore(),
          tokenStorage: sessionTokenStore(),
        }),
    ).toThrow(new CodexError('Pass tokenStore only: tokenStorage is its former name.', { code: 'invalid_option' }));
  });

  it('ten tabs opened at once make one token request', async () => {
    await admin('POST', '/reset');
    const tabs = Array.from(
      { length: 10 },
      () => new Worker(new URL('./tab-worker.ts', import.meta.url), { type: 'module' }),
    );
    try {
      const results = await Promise.all(
        tabs.map(
          (tab) =>
            new Promise<{ ok: boolean; error?: string }>((resolve) => {
              tab.onmessage = (event) => resolve(event.data);
              tab.postMessage({
                url: `${server.url}//`,
                tokenUrl: `${server.url}/auth/token`,
                key: server.readWriteKey,
              });
            }),
        ),
      );
      expect(results).toEqual(Array(10).fill({ ok: true, count: 0 }));
      expect(await tokenRequests()).toBe(1);
    } finally {
      for (const tab of tabs) tab.terminate();
    }
  });

  it('reports an unreachable API as APIConnectionError, retried, saying what may be wrong', async () => {
    const { closedUrl } = inject('blockingServer');
    const client = new Client({ baseUrl: `${closedUrl}/v1`, tokenProvider: backendTokenProvider, random: () => 0 });
    const error = await client.documents.list().catch((e: unknown) => e);
    expect(isAPIConnectionError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'connection_error' });
    expect((error as Error).message).toBe(
      `Could not reach the Codex API at ${closedUrl}/v1 (attempt 3). The browser could not reach it: the network, the server, or an extension that blocks it.`,
    );
  });
});

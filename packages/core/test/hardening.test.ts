import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIResponseValidationError,
  AuthenticationError,
  Client,
  CodexError,
  InternalServerError,
  isAPIConnectionError,
  isCodexError,
  NotFoundError,
  type StoredToken,
  type TokenStore,
} from '../src/index';
import { clientFor, devServer, RW, tokenRequests } from './helpers';
import { json, rawServer, tokenAnswer } from './raw-server';

// Regression tests for issue 9: each failed before the fix.

const rejection = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('credentials: a token is never reused across secrets', () => {
  it('a wrong secret does not find the right secret’s token: it gets invalid_client', async () => {
    const server = await devServer();
    const right = clientFor(server);
    await right.documents.list();
    const wrong = new Client({ apiKey: `${RW.clientId}:cdx_sk_wrong`, baseUrl: server.url });
    const error = await rejection(wrong.documents.list());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'invalid_client' });
    expect(tokenRequests(server)).toBe(2);
    // The right secret still uses its token.
    await right.documents.list();
    expect(tokenRequests(server)).toBe(2);
  });

  it('token store keys hold a hash of the credential, never the secret', async () => {
    const server = await devServer();
    const keys: string[] = [];
    const map = new Map<string, StoredToken>();
    const store: TokenStore = {
      get: async (key) => {
        keys.push(key);
        return map.get(key);
      },
      set: async (key, token) => {
        keys.push(key);
        map.set(key, token);
      },
      delete: async (key) => {
        map.delete(key);
      },
    };
    await clientFor(server, RW, { tokenStore: store }).documents.list();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain(RW.clientSecret);
      expect(key).toMatch(/#[0-9a-f]{64}\|/);
    }
  });
});

describe('requests go only to the method and path intended', () => {
  it('dot-segment ids are refused before anything is sent (URLs would resolve them, encoded or not)', async () => {
    const server = await devServer();
    const client = clientFor(server);
    for (const call of [
      () => client.documents.get('..'),
      () => client.documents.get('.'),
      () => client.documents.delete('..'),
      () => client.documents.update('.', { title: 'x' }),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(CodexError);
      expect(String(error)).toMatch(/dot segment/);
    }
    expect(server.admin.requests()).toEqual([]);
    // Ids that merely contain dots, or look like encoded dots, are sent as one segment.
    for (const id of ['...', '%2e%2e', '.%2E', 'a/..', '../x', 'doc.1']) {
      expect(await rejection(client.documents.get(id)), id).toBeInstanceOf(NotFoundError);
    }
    const paths = server.admin
      .requests()
      .filter((r) => r.operationId === 'getDocument')
      .map((r) => r.path);
    expect(paths).toEqual([
      '/documents/...',
      '/documents/%252e%252e',
      '/documents/.%252E',
      '/documents/a%2F..',
      '/documents/..%2Fx',
      '/documents/doc.1',
    ]);
  });

  it('a lone surrogate in an id is a CodexError, and nothing is sent', async () => {
    const server = await devServer();
    const error = await rejection(clientFor(server).documents.get('doc_\uD800'));
    expect(error).toBeInstanceOf(CodexError);
    expect(error).not.toBeInstanceOf(URIError);
    expect(String(error)).toMatch(/lone surrogate/);
    expect(server.admin.requests()).toEqual([]);
  });

  it('refuses a baseUrl with a query or a fragment at construction', () => {
    for (const baseUrl of ['https://api.codex.dev/v1?x=1', 'https://api.codex.dev/v1#f', 'https://api.codex.dev/v1?']) {
      expect(() => new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl }), baseUrl).toThrow(/query|fragment/);
    }
  });
});

describe('tokens are checked on receipt, and never echoed', () => {
  it('a token with a newline from the token endpoint: a clear error without the token', async () => {
    const raw = await rawServer((req, res) => {
      if (req.url.endsWith('/auth/token')) return tokenAnswer(res, 'cdx_at_LEAK\nX-Evil: 1');
      json(res, 200, { data: [], next_cursor: null });
    });
    const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: raw.url });
    const error = await rejection(client.documents.list());
    expect(error).toBeInstanceOf(APIResponseValidationError);
    expect(String(error)).toMatch(/not allowed in a header/);
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain('LEAK');
    expect(raw.requests.map((r) => r.url)).toEqual(['/v1/auth/token']);
  });

  it('a tokenProvider’s token with a newline: a clear CodexError without the token', async () => {
    const server = await devServer();
    const client = new Client({
      baseUrl: server.url,
      tokenProvider: async () => ({ accessToken: 'LEAK\r\nx', expiresIn: 60 }),
    });
    const error = await rejection(client.documents.list());
    expect(error).toBeInstanceOf(CodexError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    expect(String(error)).not.toContain('LEAK');
    expect(server.admin.requests()).toEqual([]);
  });
});

describe('success bodies that are not what the spec says: APIResponseValidationError, not retried', () => {
  const cases: Array<[string, string]> = [
    ['html', '<html><body>Proxy login</body></html>'],
    ['empty', ''],
    ['truncated', '{"data":[{"id":"doc_1"'],
    ['null', 'null'],
    ['wrong shape', '{"data":"abc","next_cursor":null}'],
    ['bad cursor', '{"data":[],"next_cursor":42}'],
  ];
  for (const [name, body] of cases) {
    it(`list: ${name}`, async () => {
      const raw = await rawServer((req, res) => {
        if (req.url.endsWith('/auth/token')) return tokenAnswer(res);
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_raw' }).end(body);
      });
      const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: raw.url });
      const items: unknown[] = [];
      const error = await rejection(
        (async () => {
          for await (const item of client.documents.list()) items.push(item);
        })(),
      );
      expect(error).toBeInstanceOf(APIResponseValidationError);
      expect(error).toMatchObject({ status: 200, requestId: 'req_raw', bodyExcerpt: body.slice(0, 200) });
      expect(items).toEqual([]);
      expect(raw.requests.filter((r) => r.url.startsWith('/v1/documents'))).toHaveLength(1);
    });
  }

  it('token endpoint: HTML is a typed error that quotes nothing of the body', async () => {
    const raw = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>access_token=cdx_at_LEAK</html>');
    });
    const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: raw.url });
    const error = await rejection(client.documents.list());
    expect(error).toBeInstanceOf(APIResponseValidationError);
    expect(error).toMatchObject({ bodyExcerpt: '' });
    expect(String(error)).not.toContain('LEAK');
    expect(raw.requests).toHaveLength(1);
  });
});

describe('client-side mistakes: a CodexError naming the option, before anything is sent', () => {
  const circular: Record<string, unknown> = { title: 't', content: 'c' };
  circular.self = circular;
  const mistakes: Array<[string, (client: Client) => PromiseLike<unknown>, RegExp]> = [
    ['circular body', (c) => c.documents.create(circular as never), /JSON/],
    ['BigInt body', (c) => c.documents.create({ title: 't', content: 'c', metadata: { n: 1n } } as never), /JSON/],
    ['invalid header value', (c) => c.documents.list({}, { headers: { 'X-Trace': 'a\nb' } }), /X-Trace/],
    ['signal', (c) => c.documents.list({}, { signal: 'x' as never }), /signal/],
    ['timeout', (c) => c.documents.list({}, { timeout: 'x' as never }), /timeout/],
    ['maxRetries', (c) => c.documents.list({}, { maxRetries: -1 }), /maxRetries/],
    ['deadline', (c) => c.documents.list({}, { deadline: Number.NaN }), /deadline/],
    [
      'idempotencyKey over 255',
      (c) => c.documents.create({ title: 't', content: 'c' }, { idempotencyKey: 'k'.repeat(256) }),
      /idempotencyKey/,
    ],
    ['query of the wrong type', (c) => c.documents.list('x' as never), /query/],
    ['unknown query parameter', (c) => c.documents.list({ limit: 5, evil: 1 } as never), /evil/],
    ['batch concurrency', (c) => c.documents.batch([], { concurrency: 0 }), /concurrency/],
  ];
  for (const [name, call, message] of mistakes) {
    it(name, async () => {
      const server = await devServer();
      const error = await rejection(call(clientFor(server)));
      expect(isCodexError(error), String(error)).toBe(true);
      expect(isAPIConnectionError(error)).toBe(false);
      expect(String(error)).toMatch(message);
      expect(server.admin.requests().filter((r) => r.operationId !== 'issueToken')).toEqual([]);
    });
  }

  const settings: Array<[string, Record<string, unknown>, RegExp]> = [
    ['hooks.onRequest', { hooks: { onRequest: 'x' } }, /hooks\.onRequest/],
    ['scope', { scope: 42 }, /scope/],
    ['pacing.limit', { pacing: { limit: 'x' } }, /pacing\.limit/],
    ['timeout', { timeout: 'x' }, /timeout/],
    ['maxRetries', { maxRetries: -1 }, /maxRetries/],
    ['tokenStore', { tokenStore: 'disk' }, /tokenStore/],
    ['headers', { headers: { 'X-A': 'a\r\nb' } }, /X-A/],
    ['logger', { logger: { warn: 1 } }, /logger\.warn/],
  ];
  for (const [name, options, message] of settings) {
    it(`client setting: ${name}`, () => {
      const make = () => new Client({ apiKey: 'cdx_id_a:cdx_sk_b', ...options });
      expect(make).toThrow(CodexError);
      expect(make).toThrow(message);
    });
  }
});

describe('hooks never change what is sent, retried or returned', () => {
  it('an onResponse that throws on a DELETE: one DELETE, success, and a warning', async () => {
    const server = await devServer();
    const warnings: string[] = [];
    const setup = clientFor(server);
    const doc = await setup.documents.create({ title: 't', content: 'c' });
    const client = clientFor(server, RW, {
      hooks: {
        onResponse: () => {
          throw new Error('telemetry is down');
        },
        onRequest: async () => Promise.reject(new Error('async telemetry is down')),
      },
      logger: { warn: (m) => warnings.push(m) },
    });
    await expect(client.documents.delete(doc.id)).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    expect(server.admin.requests().filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(warnings.some((w) => w.includes('hooks.onResponse') && w.includes('telemetry is down'))).toBe(true);
    expect(warnings.some((w) => w.includes('hooks.onRequest'))).toBe(true);
  });
});

describe('a failed call of an operation that takes an Idempotency-Key carries the key', () => {
  it('after retries are used up', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { maxRetries: 1, random: () => 0 });
    server.admin.fault({ operationId: 'createDocument', type: 'status', status: 503, count: 2 });
    const error = await rejection(client.documents.create({ title: 't', content: 'c' }));
    expect(error).toBeInstanceOf(InternalServerError);
    const sent = server.admin.requests().filter((r) => r.operationId === 'createDocument');
    expect(sent).toHaveLength(2);
    expect((error as CodexError).idempotencyKey).toBe(sent[0]?.idempotencyKey);
    // Retrying later with that key replays nothing twice: the document is created once.
    const doc = await client.documents.create(
      { title: 't', content: 'c' },
      { idempotencyKey: (error as CodexError).idempotencyKey as string },
    );
    expect(doc.title).toBe('t');
  });

  it('after a lost response (the write committed): the retry with the key finds the document', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { maxRetries: 0 });
    server.admin.fault({ operationId: 'createDocument', type: 'lose-response' });
    const error = (await rejection(client.documents.create({ title: 'once', content: 'c' }))) as CodexError;
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    await client.documents.create({ title: 'once', content: 'c' }, { idempotencyKey: error.idempotencyKey as string });
    const page = await client.documents.list();
    expect(page.data.filter((d) => d.title === 'once')).toHaveLength(1);
  });
});

describe('a shared token refresh never fails a caller with another caller’s deadline', () => {
  it('a call that joins after the first gave up gets its own outcome', async () => {
    const server = await devServer();
    server.admin.fault({ operationId: 'issueToken', type: 'hang' });
    const client = clientFor(server, RW, { timeout: 20_000 });
    const first = await rejection(client.documents.list({}, { deadline: 300 }));
    expect(String(first)).toMatch(/deadline of 300 ms/);
    // The hung token request was abandoned with its last waiter; the next call starts afresh.
    const started = Date.now();
    const second = await client.documents.list({}, { deadline: 5_000 });
    expect(second.data).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('callers waiting on one refresh each stop at their own deadline', async () => {
    const server = await devServer();
    server.admin.fault({ operationId: 'issueToken', type: 'hang' });
    const client = clientFor(server, RW, { timeout: 20_000 });
    const started = Date.now();
    const short = rejection(client.documents.list({}, { deadline: 200 }));
    const long = rejection(client.documents.list({}, { deadline: 900 }));
    const [a, b] = await Promise.all([short, long]);
    expect(String(a)).toMatch(/deadline of 200 ms/);
    expect(String(b)).toMatch(/deadline of 900 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(tokenRequests(server)).toBe(1);
  });
});

describe('token refreshes no caller waits for', () => {
  it('go through backgroundFetch, give up after the timeout, and are not retried', async () => {
    const server = await devServer();
    let now = Date.now();
    const clock = { now: () => now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const background: Array<{ url: string; signal: AbortSignal | undefined; at: number }> = [];
    const client = clientFor(server, RW, {
      clock,
      timeout: 3_000,
      backgroundFetch: (input, init) => {
        background.push({ url: String(input), signal: init?.signal ?? undefined, at: Date.now() });
        return fetch(input, init);
      },
    });
    await client.documents.list();
    expect(background).toEqual([]);
    // Into the refresh window (the last 5 minutes of an hour's token), with a hung token endpoint.
    now += 3600_000 - 60_000;
    server.admin.fault({ operationId: 'issueToken', type: 'hang' });
    const started = Date.now();
    await client.documents.list();
    // The caller used the current token: it did not wait for the hung refresh (3 s timeout).
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(background).toHaveLength(1);
    expect(background[0]?.url).toMatch(/\/auth\/token$/);
    const signal = background[0]?.signal as AbortSignal;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(Date.now() - (background[0]?.at ?? 0)).toBeGreaterThanOrEqual(2_900);
    await new Promise((r) => setTimeout(r, 200));
    // One hung request, given up after its timeout, not retried.
    expect(tokenRequests(server)).toBe(2);
  });

  it('the caller’s own fetch wins over backgroundFetch, for background refreshes too', async () => {
    const server = await devServer();
    let now = Date.now();
    const clock = { now: () => now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const used: string[] = [];
    const client = clientFor(server, RW, {
      clock,
      fetch: (input, init) => {
        used.push(String(input).endsWith('/auth/token') ? 'fetch: token' : 'fetch');
        return fetch(input, init);
      },
      backgroundFetch: (input, init) => {
        used.push('background');
        return fetch(input, init);
      },
    });
    await client.documents.list();
    now += 3600_000 - 60_000; // the refresh window: this call starts a background refresh
    await client.documents.list();
    await new Promise((r) => setTimeout(r, 300));
    expect(tokenRequests(server)).toBe(2);
    expect(used.filter((u) => u === 'fetch: token')).toHaveLength(2);
    expect(used).not.toContain('background');
  });
});

describe('the token store is best effort', () => {
  it('a store that throws fails no call; its error is logged once', async () => {
    const server = await devServer();
    const warnings: string[] = [];
    const broken: TokenStore = {
      get: async () => {
        throw new Error('ENOTDIR: not a directory');
      },
      set: async () => {
        throw new Error('ENOTDIR: not a directory');
      },
      delete: async () => {
        throw new Error('ENOTDIR: not a directory');
      },
    };
    const client = clientFor(server, RW, { tokenStore: broken, logger: { warn: (m) => warnings.push(m) } });
    await client.documents.list();
    await client.documents.list();
    expect(tokenRequests(server)).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/token store failed.*ENOTDIR/);
  });
});

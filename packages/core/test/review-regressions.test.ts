import { describe, expect, it } from 'vitest';
import {
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  Client,
  type CodexError,
  isCodexError,
} from '../src/index';
import { clientFor, devServer, RW, tokenRequests } from './helpers';
import { json, rawServer, tokenAnswer } from './raw-server';

// Issue 9, found in review: each failed before its fix.

const rejection = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );
const DOC = { id: 'd', title: 't', content: '', metadata: {}, created_at: 'x', updated_at: 'x' };

describe('a body that stalls half-way', () => {
  it('is ended by the deadline and by the caller’s signal, not left pending', async () => {
    const raw = await rawServer((req, res) => {
      if (req.url.endsWith('/auth/token')) return tokenAnswer(res);
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"id":');
    });
    const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: raw.url, maxRetries: 0 });
    const started = Date.now();
    expect(await rejection(client.documents.get('d', { deadline: 400 }))).toBeInstanceOf(APIConnectionTimeoutError);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    expect(await rejection(client.documents.get('d', { signal: controller.signal }))).toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('is ended by the per-attempt timeout', async () => {
    const raw = await rawServer((req, res) => {
      if (req.url.endsWith('/auth/token')) return tokenAnswer(res);
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"id":');
    });
    const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: raw.url, maxRetries: 0, timeout: 300 });
    expect(await rejection(client.documents.get('d'))).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('in a background token refresh: the refresh times out and a later caller gets a new token', async () => {
    let tokens = 0;
    const raw = await rawServer((req, res) => {
      if (!req.url.endsWith('/auth/token')) return json(res, 200, DOC);
      tokens++;
      if (tokens === 2) return res.writeHead(200, { 'content-type': 'application/json' }).write('{"access_token":');
      tokenAnswer(res, `cdx_at_${tokens}`, 3600);
    });
    let now = Date.now();
    const client = new Client({
      apiKey: 'cdx_id_a:cdx_sk_b',
      baseUrl: raw.url,
      timeout: 300,
      clock: { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    });
    await client.documents.get('d');
    now += 3600_000 - 60_000; // refresh window: background refresh, which stalls
    await client.documents.get('d');
    await new Promise((r) => setTimeout(r, 500));
    now += 45_000; // past the blocking margin: callers must wait for a new token
    const result = await Promise.race([
      client.documents.get('d').then(() => 'ok'),
      new Promise((r) => setTimeout(() => r('pending'), 10_000)),
    ]);
    expect(result).toBe('ok');
    expect(tokens).toBe(3);
  });
});

describe('a failed token refresh shared by several calls', () => {
  it('gives each call an error with its own Idempotency-Key', async () => {
    const raw = await rawServer((_req, res) =>
      json(res, 401, { error: { code: 'invalid_client', message: 'Unknown client.', request_id: 'r' } }),
    );
    const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: raw.url });
    const [a, b] = (await Promise.all([
      rejection(client.documents.create({ title: 'a', content: 'c' }, { idempotencyKey: 'key-A' })),
      rejection(client.documents.create({ title: 'b', content: 'c' }, { idempotencyKey: 'key-B' })),
    ])) as CodexError[];
    expect(a).toBeInstanceOf(AuthenticationError);
    expect(b).toBeInstanceOf(AuthenticationError);
    expect([a?.idempotencyKey, b?.idempotencyKey]).toEqual(['key-A', 'key-B']);
    expect(raw.requests).toHaveLength(1);
  });

  it('a caller without a signal keeps the refresh alive when one with a signal gives up', async () => {
    const server = await devServer();
    // A token provider that answers after 300 ms, unless aborted.
    let calls = 0;
    const client = new Client({
      baseUrl: server.url,
      tokenProvider: async (signal) => {
        calls++;
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 300);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        });
        return { accessToken: 'cdx_at_provided', expiresIn: 3600 };
      },
    });
    const patient = client.getAccessToken();
    const controller = new AbortController();
    const impatient = rejection(client.documents.get('d', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect(await impatient).toBeInstanceOf(APIUserAbortError);
    await expect(patient).resolves.toMatchObject({ accessToken: 'cdx_at_provided' });
    expect(calls).toBe(1);
  });
});

describe('getAccessToken and token providers fail with typed errors', () => {
  it('an aborted or invalid signal, and a provider that throws', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const aborted = AbortSignal.abort();
    expect(await rejection(client.getAccessToken(aborted))).toBeInstanceOf(APIUserAbortError);
    const invalid = await rejection(client.getAccessToken('x' as never));
    expect(isCodexError(invalid)).toBe(true);
    expect(String(invalid)).toMatch(/signal/);
    const failing = new Client({
      baseUrl: server.url,
      tokenProvider: async () => {
        throw new Error('backend down');
      },
    });
    for (const error of [await rejection(failing.getAccessToken()), await rejection(failing.documents.list())]) {
      expect(isCodexError(error)).toBe(true);
      expect(String(error)).toMatch(/tokenProvider failed: backend down/);
    }
  });
});

describe('a token from a store is checked like a fetched one', () => {
  it('an invalid stored token is ignored (a new one is fetched), and never logged', async () => {
    const server = await devServer();
    const lines: string[] = [];
    const log = (m: string, d?: Record<string, string>) => lines.push(`${m} ${JSON.stringify(d ?? {})}`);
    const client = clientFor(server, RW, {
      logger: { debug: log, info: log, warn: log },
      tokenStore: {
        get: async () => ({ accessToken: 'SECRET_TOK\nx', expiresAt: Date.now() + 3600_000, lifetimeMs: 3600_000 }),
        set: async () => {},
        delete: async () => {},
      },
    });
    await client.documents.list();
    expect(tokenRequests(server)).toBe(1);
    expect(lines.join('\n')).not.toContain('SECRET_TOK');
  });
});

describe('a logger that throws changes nothing', () => {
  it('a DELETE is sent once and succeeds', async () => {
    const server = await devServer();
    const doc = await clientFor(server).documents.create({ title: 't', content: 'c' });
    const client = clientFor(server, RW, {
      logger: {
        debug: () => {
          throw new Error('log sink down');
        },
        info: () => {
          throw new Error('log sink down');
        },
        warn: () => {
          throw new Error('log sink down');
        },
      },
      hooks: {
        onResponse: () => {
          throw new Error('hook down'); // its warning goes to the throwing logger too
        },
      },
    });
    await expect(client.documents.delete(doc.id)).resolves.toBeUndefined();
    expect(server.admin.requests().filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });
});

describe('pacing and background refreshes', () => {
  it('a background refresh does not wait for a pacing slot (a timer would hold the process): it gives up', async () => {
    // 2 requests an hour, on the server (which the pacing follows) and assumed by the client.
    const server = await devServer({ tokenLifetimeSeconds: 100, rateLimit: { limit: 2, windowSeconds: 3600 } });
    let now = Date.now();
    const sleeps: number[] = [];
    const client = clientFor(server, RW, {
      // After the token and one list, no slot frees up for half an hour.
      pacing: { limit: 2, windowMs: 3600_000 },
      random: () => 0, // refresh from the start of the window
      clock: {
        now: () => now,
        sleep: (ms) => {
          sleeps.push(ms);
          return new Promise((r) => setTimeout(r, 0));
        },
      },
    });
    await client.documents.list();
    now += 93_000; // inside the refresh window of a 100 s token, before its blocking margin
    const token = await client.getAccessToken();
    expect(token.expiresIn).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    // No background token request, and nothing waited on the clock for it.
    expect(tokenRequests(server)).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('an Idempotency-Key given as a header', () => {
  it('is used as the key (and checked like one)', async () => {
    const server = await devServer();
    const client = clientFor(server);
    await client.documents.create({ title: 't', content: 'c' }, { headers: { 'Idempotency-Key': 'from-header' } });
    const sent = server.admin.requests().filter((r) => r.operationId === 'createDocument');
    expect(sent.map((r) => r.idempotencyKey)).toEqual(['from-header']);
    const error = await rejection(
      client.documents.create({ title: 't', content: 'c' }, { headers: { 'Idempotency-Key': 'x'.repeat(256) } }),
    );
    expect(String(error)).toMatch(/idempotencyKey/);
  });
});

import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIResponseValidationError,
  APIUserAbortError,
  Client,
  CodexError,
  type Fetch,
  InternalServerError,
  isAPIConnectionError,
} from '../src/index';
import { json, rawServer, tokenAnswer } from './raw-server';

// Issue 18: what the wire says is bounded, and abort and timeout always win. Each test failed
// before its fix.

const rejection = (promise: PromiseLike<unknown>) =>
  Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );

const DOC = {
  id: 'doc_1',
  title: 't',
  content: 'c',
  metadata: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

/** A raw API: tokens, and `answer` for everything else. */
async function api(answer: (url: string, res: ServerResponse) => void) {
  return rawServer((req, res) => (req.url.endsWith('/auth/token') ? tokenAnswer(res) : answer(req.url, res)));
}

const clientOf = (url: string, options: Record<string, unknown> = {}) =>
  new Client({ apiKey: 'cdx_id_wire:cdx_sk_wire', baseUrl: url, maxRetries: 0, ...options });

/** An endless 200 body: JSON that never ends, written as fast as the client reads. */
function endless(res: ServerResponse, written: { bytes: number }) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.write('{"data":[');
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) written.bytes += chunk.length;
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

describe('a response body is capped while it streams (item 3)', () => {
  it('an endless 200 fails with response_too_large as soon as maxResponseSize is passed', async () => {
    const written = { bytes: 0 };
    const server = await api((_, res) => endless(res, written));
    const client = clientOf(server.url, { maxResponseSize: 1024 * 1024, timeout: 5_000 });
    const started = Date.now();
    const error = await rejection(client.documents.list());
    expect(error).toBeInstanceOf(APIResponseValidationError);
    expect(error).toMatchObject({ code: 'response_too_large', status: 200 });
    expect(Date.now() - started).toBeLessThan(3_000);
    // The rest was not read: what the server got out is the cap plus what sockets buffer.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(written.bytes).toBeLessThan(16 * 1024 * 1024);
  });

  it('a Content-Length over the cap fails before the body is read', async () => {
    const server = await api((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('{"data":[');
    });
    const error = await rejection(clientOf(server.url, { maxResponseSize: 1024 }).documents.list());
    expect(error).toMatchObject({ name: 'APIResponseValidationError', code: 'response_too_large' });
  });

  it('an error body is cut, keeping its status class (a proxy page of any size)', async () => {
    const server = await api((_, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end(`<html>${'x'.repeat(2 * 1024 * 1024)}</html>`);
    });
    const error = await rejection(clientOf(server.url).documents.list());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ code: 'http_500' });
  });

  it('maxResponseSize must be a positive integer', () => {
    for (const maxResponseSize of [0, -1, 1.5, Number.NaN, '1'])
      expect(() => clientOf('http://127.0.0.1:1/v1', { maxResponseSize })).toThrow(/maxResponseSize/);
  });
});

describe('memory: an endless body under the default cap (gate)', () => {
  it('holds at most about the default cap, then fails', async () => {
    const written = { bytes: 0 };
    const server = await api((_, res) => endless(res, written));
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const error = await rejection(clientOf(server.url, { timeout: 60_000 }).documents.list());
      expect(error).toMatchObject({ code: 'response_too_large' });
    } finally {
      clearInterval(sampler);
    }
    // The default cap is about 106 MiB of body; decoded text is held once, as one-byte strings.
    expect(peak - before).toBeLessThan(400 * 1024 * 1024);
  }, 60_000);
});

/** A fetch that ignores its signal (a user's wrapper, an old polyfill): answers after `delay` ms. */
const deaf =
  (delay: number): Fetch =>
  async (url, init) => {
    const { signal: _ignored, ...rest } = init;
    if (!url.endsWith('/auth/token')) await new Promise((resolve) => setTimeout(resolve, delay));
    return fetch(url, rest as RequestInit);
  };

describe('abort and timeout win over a fetch that ignores its signal (item 5, gate)', () => {
  it('an abort at 100 ms settles the call at the abort, not at the response', async () => {
    const server = await api((_, res) => json(res, 200, { data: [], next_cursor: null }));
    const client = clientOf(server.url, { fetch: deaf(600) });
    await client.getAccessToken();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await rejection(client.documents.list({}, { signal: controller.signal }));
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('a timeout of 100 ms settles the attempt at the timeout', async () => {
    const server = await api((_, res) => json(res, 200, { data: [], next_cursor: null }));
    const client = clientOf(server.url, { fetch: deaf(600) });
    await client.getAccessToken();
    const started = Date.now();
    const error = await rejection(client.documents.list({}, { timeout: 100 }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('a body whose stream ignores the signal is raced too', async () => {
    const server = await api((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
      setTimeout(() => res.end('],"next_cursor":null}'), 600);
    });
    // A fetch whose Response reads its text without regard to any signal.
    const slowText: Fetch = async (url, init) => {
      const response = await fetch(url, { ...init, signal: undefined } as unknown as RequestInit);
      if (url.endsWith('/auth/token')) return response;
      return {
        ok: response.ok,
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        type: response.type,
        text: () => response.text(),
      };
    };
    const client = clientOf(server.url, { fetch: slowText });
    await client.getAccessToken();
    const started = Date.now();
    const error = await rejection(client.documents.list({}, { timeout: 100 }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(450);
  });
});

describe("a caller's AbortSignal.timeout() is a timeout (item 23)", () => {
  it('ends as APIConnectionTimeoutError (code timeout), not APIUserAbortError', async () => {
    const server = await api(() => {
      // never answers
    });
    const client = clientOf(server.url);
    await client.getAccessToken();
    const error = await rejection(client.documents.list({}, { signal: AbortSignal.timeout(100) }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(String((error as Error).message)).toMatch(/AbortSignal\.timeout/);
    // A plain abort stays an abort.
    const controller = new AbortController();
    const pending = rejection(client.documents.list({}, { signal: controller.signal }));
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
  });

  it('a signal that already timed out fails at once as a timeout', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const error = await rejection(clientOf('http://127.0.0.1:1/v1').documents.list({}, { signal }));
    expect(error).toMatchObject({ name: 'APIConnectionTimeoutError', code: 'timeout' });
  });
});

describe('headers: what fetch accepts, or a typed error; never dropped (item 6)', () => {
  const forms = {
    record: { 'X-Trace': 'a' },
    Headers: new Headers({ 'X-Trace': 'a' }),
    pairs: [['X-Trace', 'a']],
  };
  for (const [name, headers] of Object.entries(forms)) {
    it(`a ${name} is sent, at the client and per call`, async () => {
      const server = await api((_, res) => json(res, 200, { data: [], next_cursor: null }));
      await clientOf(server.url, { headers }).documents.list();
      await clientOf(server.url).documents.list({}, { headers: headers as never });
      const sent = server.requests.filter((r) => r.url.startsWith('/v1/documents'));
      expect(sent.map((r) => r.headers['x-trace'])).toEqual(['a', 'a']);
      expect(sent.every((r) => !('0' in r.headers))).toBe(true);
    });
  }

  it('a string, a number or a malformed pair is refused with a typed error', async () => {
    for (const headers of ['x', 42, [['only-name']], [[1, 'a']]]) {
      expect(() => clientOf('http://127.0.0.1:1/v1', { headers }), String(headers)).toThrow(CodexError);
      const error = await rejection(clientOf('http://127.0.0.1:1/v1').documents.list({}, { headers } as never));
      expect(error).toMatchObject({ name: 'CodexError', code: 'invalid_argument' });
    }
  });

  it('withOptions adds headers of any form to the Client’s', async () => {
    const server = await api((_, res) => json(res, 200, { data: [], next_cursor: null }));
    const client = clientOf(server.url, { headers: new Headers({ 'X-One': '1' }) });
    await client.withOptions({ headers: [['X-Two', '2']] }).documents.list();
    const sent = server.requests.find((r) => r.url.startsWith('/v1/documents'));
    expect(sent?.headers).toMatchObject({ 'x-one': '1', 'x-two': '2' });
  });
});

describe('framing and hop-by-hop headers are refused before sending (item 10)', () => {
  for (const header of ['Content-Length', 'Transfer-Encoding', 'Expect', 'Connection', 'Host', 'Upgrade', 'TE']) {
    it(`${header}, per call and at the client, names the header`, async () => {
      const server = await api((_, res) => json(res, 200, { data: [], next_cursor: null }));
      const error = await rejection(clientOf(server.url).documents.list({}, { headers: { [header]: '1' } }));
      expect(error).toMatchObject({ name: 'CodexError', code: 'invalid_argument' });
      expect(String((error as Error).message)).toContain(`"${header}"`);
      expect(() => clientOf(server.url, { headers: { [header]: '1' } })).toThrow(header);
      expect(server.requests).toHaveLength(0);
    });
  }
});

describe('a connection error says its cause’s code (item 11)', () => {
  it('ECONNREFUSED on the error and in its message, no values', async () => {
    // A port nothing listens on: one the system gave out and took back.
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const closed = `http://127.0.0.1:${port}/v1`;
    const error = await rejection(
      new Client({
        tokenProvider: async () => ({ accessToken: 'cdx_at_x', expiresIn: 3600 }),
        baseUrl: closed,
        maxRetries: 0,
      }).documents.list(),
    );
    expect(isAPIConnectionError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'connection_error', causeCode: 'ECONNREFUSED' });
    expect(String((error as Error).message)).toContain('ECONNREFUSED');
  });

  it('ENOTFOUND for a host that does not resolve', async () => {
    const error = await rejection(
      new Client({
        tokenProvider: async () => ({ accessToken: 'cdx_at_x', expiresIn: 3600 }),
        baseUrl: 'https://no-such-host.invalid/v1',
        maxRetries: 0,
      }).documents.list(),
    );
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).causeCode).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
  });
});

describe('answers that are not what the operation declares (items 8, 9)', () => {
  it('a next_cursor of "" is a validation failure; no empty cursor is ever sent', async () => {
    const server = await api((_, res) => json(res, 200, { data: [DOC], next_cursor: '' }));
    const client = clientOf(server.url);
    const error = await rejection(client.documents.list());
    expect(error).toBeInstanceOf(APIResponseValidationError);
    expect(String((error as Error).message)).toMatch(/next_cursor/);
    const iterated = await rejection(
      (async () => {
        for await (const _ of client.documents.list()) {
          // iterate
        }
      })(),
    );
    expect(iterated).toBeInstanceOf(APIResponseValidationError);
    expect(server.requests.filter((r) => r.url.includes('cursor='))).toEqual([]);
  });

  it('a 204 to documents.get is a validation error, not undefined', async () => {
    const server = await api((_, res) => res.writeHead(204, { 'x-request-id': 'req_204' }).end());
    const error = await rejection(clientOf(server.url).documents.get('doc_1'));
    expect(error).toBeInstanceOf(APIResponseValidationError);
    expect(error).toMatchObject({ status: 204, requestId: 'req_204' });
  });

  it('a 204 to documents.delete still resolves undefined', async () => {
    const server = await api((_, res) => res.writeHead(204).end());
    expect(await clientOf(server.url).documents.delete('doc_1')).toBeUndefined();
  });
});

describe('timeouts: one rule for the Client and the call (item 13)', () => {
  it('timeout: 0 is refused at new Client(), as per call', async () => {
    expect(() => clientOf('http://127.0.0.1:1/v1', { timeout: 0 })).toThrow(/timeout must be a number >= 1/);
    const error = await rejection(clientOf('http://127.0.0.1:1/v1').documents.list({}, { timeout: 0 }));
    expect(String((error as Error).message)).toMatch(/timeout must be a number >= 1/);
  });

  it('a timeout beyond the longest timer is clamped, not turned into 1 ms', async () => {
    const server = await api((_, res) => setTimeout(() => json(res, 200, { data: [], next_cursor: null }), 50));
    const client = clientOf(server.url, { timeout: 1e12 });
    await expect(client.documents.list()).resolves.toMatchObject({ data: [] });
  });
});

describe('Retry-After on any error (item 19)', () => {
  it('a 503 whose Retry-After is over maxRetryDelay carries retryAfter', async () => {
    const server = await api((_, res) =>
      res
        .writeHead(503, { 'content-type': 'application/json', 'retry-after': '120' })
        .end(JSON.stringify({ error: { code: 'unavailable', message: 'Down.', request_id: 'req_503' } })),
    );
    const error = await rejection(clientOf(server.url, { maxRetries: 2 }).documents.list());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 503, code: 'unavailable', retryAfter: 120_000 });
    expect(server.requests.filter((r) => r.url.startsWith('/v1/documents'))).toHaveLength(1);
  });
});

describe("RFC 6750's challenge (item 21)", () => {
  it('a 401 with WWW-Authenticate: Bearer error="invalid_token" and no JSON body gets a new token and a replay', async () => {
    let tokens = 0;
    let calls = 0;
    const server = await rawServer((req, res) => {
      if (req.url.endsWith('/auth/token')) return tokenAnswer(res, `cdx_at_${++tokens}`);
      if (++calls === 1)
        return res
          .writeHead(401, {
            'www-authenticate': 'Bearer realm="gw", error="invalid_token"',
            'content-type': 'text/html',
          })
          .end('<html>Unauthorized</html>');
      json(res, 200, { data: [], next_cursor: null });
    });
    await expect(clientOf(server.url).documents.list()).resolves.toMatchObject({ data: [] });
    expect(tokens).toBe(2);
    const sent = server.requests.filter((r) => r.url.startsWith('/v1/documents'));
    expect(sent.map((r) => r.headers.authorization)).toEqual(['Bearer cdx_at_1', 'Bearer cdx_at_2']);
  });
});

import { describe, expect, inject, it } from 'vitest';
import { explainConnectionError } from '../src/explain-connection-error';
import { Client, isAPIConnectionError } from '../src/index';

// Requests the browser blocks (issue 18, item 22), in real Chromium: the page's origin is not the
// blocking server's, so CORS is the browser's own.
const blocking = inject('blockingServer');
const TOKEN = 'cdx_at_blocked_test_token';
const tokenProvider = async () => ({ accessToken: TOKEN, expiresIn: 3600 });

/** What reached the blocking server during `run`, by "METHOD /path". */
async function reached(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const count = async () => (await fetch(`${blocking.url}/requests`)).json() as Promise<Record<string, number>>;
  const before = await count();
  await run();
  const after = await count();
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, n]) => [key, n - (before[key] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

async function failure(call: () => PromiseLike<unknown>) {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );
  return { error, ms: performance.now() - started };
}

describe('requests blocked by the browser', () => {
  it('an answer without Access-Control-Allow-Origin fails at once as blocked_by_browser, naming CORS', async () => {
    const client = new Client({ baseUrl: `${blocking.url}/no-acao/v1`, tokenProvider });
    let result: Awaited<ReturnType<typeof failure>> | undefined;
    const requests = await reached(async () => {
      result = await failure(() => client.documents.list());
    });
    const { error, ms } = result ?? {};
    // One request, not three (it was retried twice before), then the probe: a HEAD, no preflight.
    expect(requests).toEqual({
      'OPTIONS /no-acao/v1/documents': 1,
      'GET /no-acao/v1/documents': 1,
      'HEAD /no-acao/v1/documents': 1,
    });
    expect(isAPIConnectionError(error)).toBe(true);
    expect(error?.code).toBe('blocked_by_browser');
    expect(error?.message).toBe(
      `The Codex API at ${blocking.url} answered, but the browser blocked the response: CORS (the API must allow this page's origin, ${location.origin}), or an extension.`,
    );
    expect(error?.message).not.toContain(TOKEN);
    expect(ms).toBeLessThan(1_000);
  });

  it('a refused preflight fails at once as blocked_by_browser; the request itself never leaves', async () => {
    const client = new Client({ baseUrl: `${blocking.url}/no-preflight/v1`, tokenProvider });
    let result: Awaited<ReturnType<typeof failure>> | undefined;
    const requests = await reached(async () => {
      result = await failure(() => client.documents.create({ title: 't', content: 'c' }));
    });
    expect(requests).toEqual({ 'OPTIONS /no-preflight/v1/documents': 1, 'HEAD /no-preflight/v1/documents': 1 });
    expect(result?.error?.code).toBe('blocked_by_browser');
    expect(result?.error?.message).toMatch(/answered, but the browser blocked the response: CORS/);
    expect(result?.ms).toBeLessThan(1_000);
  });

  it('with your own fetch, its connection errors are retried as before: they need not be the browser’s', async () => {
    let calls = 0;
    const client = new Client({
      baseUrl: `${blocking.url}/no-acao/v1`,
      tokenProvider,
      random: () => 0,
      fetch: async () => {
        calls++;
        throw new TypeError('Failed to fetch');
      },
    });
    const requests = await reached(async () => {
      const { error } = await failure(() => client.documents.list());
      expect(error?.code).toBe('connection_error');
      expect(error?.message).toMatch(/\(attempt 3\)\.$/);
    });
    expect(calls).toBe(3);
    expect(requests).toEqual({});
  });

  it('an https page calling an http API is told it is mixed content, without a probe', async () => {
    const page = { protocol: 'https:', origin: 'https://app.example' };
    expect(await explainConnectionError('http://api.example/v1/documents?q=secret', { page })).toEqual({
      retry: false,
      reason:
        'The browser blocked the request to http://api.example as mixed content (http from an https page): use https.',
    });
    // Loopback is potentially trustworthy, as Chromium has it: probed (nothing listens there).
    const port = new URL(blocking.closedUrl).port;
    for (const host of ['127.0.0.1', '127.3.2.1', 'localhost', 'localhost.', 'api.localhost', '[::1]'])
      expect(await explainConnectionError(`http://${host}:${port}/v1`, { page })).toMatchObject({ retry: true });
  });

  it('the probe is bounded in time and never throws', async () => {
    const started = performance.now();
    expect(await explainConnectionError(`${blocking.url}/hang/v1/documents`, { timeout: 200 })).toMatchObject({
      retry: true,
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await explainConnectionError('not a url')).toBeUndefined();
  });
});

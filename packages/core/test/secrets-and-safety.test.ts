import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { APIConnectionError, Client, CodexError, RedirectError } from '../src/index';
import { clientFor, devServer, RW } from './helpers';

describe('secrets', () => {
  it('never puts the secret or the token in inspection, JSON, errors or logs', async () => {
    const server = await devServer();
    const lines: string[] = [];
    const log = (message: string, data?: Record<string, string>) =>
      lines.push(`${message} ${JSON.stringify(data ?? {})}`);
    const client = clientFor(server, RW, { logger: { debug: log, info: log, warn: log }, maxRetries: 1 });
    await client.documents.create({ title: 't', content: 'c' });
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 503 });
    await client.documents.list();
    const failure = await client.documents.get('doc_missing').catch((e: unknown) => e);

    const everything = [
      inspect(client, { depth: 10, showHidden: true }),
      JSON.stringify(client),
      String(failure),
      (failure as Error).stack ?? '',
      inspect(failure, { depth: 10 }),
      JSON.stringify(failure),
      ...lines,
    ].join('\n');
    expect(everything).not.toContain(RW.clientSecret);
    // Every token the dev server issues starts with cdx_at_.
    expect(everything).not.toMatch(/cdx_at_/);
    expect(lines.some((l) => l.includes('x-request-id'))).toBe(true);
    expect(lines.some((l) => l.includes('retrying listDocuments'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/authorization/i);
  });

  it('logs nothing without a logger', async () => {
    const server = await devServer();
    const original = {
      log: console.log,
      debug: console.debug,
      info: console.info,
      warn: console.warn,
      error: console.error,
    };
    const calls: unknown[] = [];
    for (const name of Object.keys(original) as Array<keyof typeof original>)
      console[name] = (...args: unknown[]) => calls.push(args);
    try {
      await clientFor(server).documents.list();
    } finally {
      Object.assign(console, original);
    }
    expect(calls).toEqual([]);
  });
});

describe('safety', () => {
  it('sends the bearer token only to the baseUrl origin: a redirect elsewhere is not followed', async () => {
    const seenElsewhere: IncomingHttpHeaders[] = [];
    const elsewhere = createServer((req, res) => {
      seenElsewhere.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"next_cursor":null}');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    const target = `${origin}/v1/documents?secret=path-detail`;
    let redirects = 0;
    const redirecting = createServer((_req, res) => {
      redirects++;
      res.writeHead(302, { location: target }).end();
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    try {
      const client = new Client({
        tokenProvider: async () => ({ accessToken: 'secret-bearer-token', expiresIn: 3600 }),
        baseUrl: `http://localhost:${(redirecting.address() as AddressInfo).port}/v1`,
        maxRetries: 2,
      });
      const error = await client.documents.list().catch((e: unknown) => e);
      // A clear error naming the origin only, and not retried (issue 9).
      expect(error).toBeInstanceOf(RedirectError);
      expect(error).not.toBeInstanceOf(APIConnectionError);
      expect(error).toMatchObject({ status: 302, location: origin });
      expect(String(error)).toContain(origin);
      expect(String(error)).not.toContain('path-detail');
      expect(redirects).toBe(1);
      expect(seenElsewhere).toEqual([]);
    } finally {
      elsewhere.close();
      redirecting.close();
    }
  });

  it('refuses a plain-http baseUrl that is not loopback', () => {
    expect(() => new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: 'http://api.codex.dev/v1' })).toThrow(CodexError);
    expect(
      () => new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: 'http://api.codex.dev/v1', allowInsecure: true }),
    ).not.toThrow();
  });

  it('looks fetch up at call time and says how to fix a missing one', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const original = globalThis.fetch;
    let used = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      used++;
      return original(...args);
    }) as typeof fetch;
    try {
      await client.documents.list();
      expect(used).toBe(2);
      // biome-ignore lint/suspicious/noExplicitAny: removing fetch to simulate a runtime without it.
      (globalThis as any).fetch = undefined;
      const error = await client.documents.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CodexError);
      expect((error as Error).message).toMatch(/No fetch is available.*`fetch` option/);
    } finally {
      globalThis.fetch = original;
    }
  });

  it('validates options at construction', () => {
    expect(() => new Client({ apiKey: 'cdx_id_a:cdx_sk_b', maxRetries: -1 })).toThrow(
      /maxRetries must be an integer >= 0/,
    );
    expect(() => new Client({ apiKey: 'cdx_id_a:cdx_sk_b', maxRetries: 1.5 })).toThrow(/integer/);
    expect(() => new Client({ apiKey: 'cdx_id_a:cdx_sk_b', timeout: Number.NaN })).toThrow(/timeout/);
  });
});

import { describe, expect, it } from 'vitest';
import { CodexError, type Logger, NotFoundError } from '../src/index';
import { clientFor, devServer, RW, virtualClock } from './helpers';

/** A logger that records `level message data` lines. */
function recorder() {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, data?: Record<string, string>): void => {
      lines.push(`${level} ${message}${data ? ` ${JSON.stringify(data)}` : ''}`);
    };
  const logger: Required<Logger> = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, logger, levels: () => [...new Set(lines.map((l) => l.split(' ')[0]))] };
}

describe('logLevel', () => {
  it("'debug' logs method, URL, status, attempt, request id, retries and waits; never the secret or a token", async () => {
    const server = await devServer();
    const { lines, logger } = recorder();
    const client = clientFor(server, RW, { logger, logLevel: 'debug', clock: virtualClock() });
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 503 });
    await client.documents.list();
    const requestIds = server.admin.requests().map((r) => r.requestId);
    const token = (await client.getAccessToken()).accessToken;
    const text = lines.join('\n');

    expect(text).toMatch(/^debug codex: → POST http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/token \(attempt 1\)/m);
    expect(text).toMatch(/^debug codex: waiting for a token refresh \(no token yet\)$/m);
    expect(text).toMatch(/^debug codex: → GET http:\/\/127\.0\.0\.1:\d+\/v1\/documents \(attempt 1\)/m);
    expect(text).toContain(
      `debug codex: ← 503 GET ${server.url}/documents (listDocuments, attempt 1, request ${requestIds[1]})`,
    );
    expect(text).toMatch(/^info codex: retrying listDocuments \(1\/2\) after status 503, in \d+ ms$/m);
    expect(text).toContain(
      `debug codex: ← 200 GET ${server.url}/documents (listDocuments, attempt 2, request ${requestIds[2]})`,
    );
    expect(token).toMatch(/^cdx_at_/);
    expect(text).not.toContain(token);
    expect(text).not.toContain(RW.clientSecret);
    expect(text).not.toMatch(/authorization|bearer|access_token/i);
  });

  it('logs pacing waits with their length and reason', async () => {
    // Two requests a second: the token request and a call use them up; the next call waits.
    const server = await devServer({ rateLimit: { limit: 2, windowSeconds: 1 } });
    const { lines, logger } = recorder();
    const client = clientFor(server, RW, { logger, logLevel: 'debug' });
    await client.documents.list();
    await client.documents.list();
    expect(lines.join('\n')).toMatch(/^debug codex: pacing waits \d+ ms \(X-RateLimit-Remaining: 0\)$/m);
  });

  it("filters what reaches the logger: 'warn' lets warn and error through, 'off' nothing", async () => {
    const server = await devServer();
    const warn = recorder();
    const off = recorder();
    const failure = await clientFor(server, RW, { logger: warn.logger, logLevel: 'warn' })
      .documents.get('doc_missing')
      .catch((e: unknown) => e);
    const again = await clientFor(server, RW, { logger: off.logger, logLevel: 'off' })
      .documents.get('doc_missing')
      .catch((e: unknown) => e);

    // Results do not change with logging.
    expect(failure).toBeInstanceOf(NotFoundError);
    expect(again).toBeInstanceOf(NotFoundError);
    const { requestId } = failure as NotFoundError;
    expect(warn.lines).toEqual([
      `error codex: ✗ getDocument failed: NotFoundError 404 not_found (request ${requestId})`,
    ]);
    expect(off.lines).toEqual([]);
  });

  it("'info' keeps debug lines out; no logLevel lets every level through (as before)", async () => {
    const server = await devServer();
    const info = recorder();
    const all = recorder();
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 503 });
    await clientFor(server, RW, { logger: info.logger, logLevel: 'info', clock: virtualClock() }).documents.list();
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 503 });
    await clientFor(server, RW, { logger: all.logger, clock: virtualClock() }).documents.list();
    expect(info.levels()).toEqual(['info']);
    expect(all.levels()).toEqual(['debug', 'info']);
  });

  it('logs to the console when no logger is given', async () => {
    const server = await devServer();
    const original = { debug: console.debug, info: console.info, warn: console.warn, error: console.error };
    const calls: unknown[][] = [];
    for (const name of Object.keys(original) as Array<keyof typeof original>)
      console[name] = (...args: unknown[]) => calls.push([name, ...args]);
    try {
      await clientFor(server, RW, { logLevel: 'error' })
        .documents.get('doc_missing')
        .catch(() => {});
      await clientFor(server, RW, { logLevel: 'off' })
        .documents.get('doc_missing')
        .catch(() => {});
    } finally {
      Object.assign(console, original);
    }
    expect(calls).toEqual([
      ['error', expect.stringMatching(/^codex: ✗ getDocument failed: NotFoundError 404 not_found/)],
    ]);
  });

  it("an unreachable API: one error line with the error's kind, and no request id", async () => {
    const { lines, logger } = recorder();
    const client = clientFor({ url: 'http://127.0.0.1:9/v1' } as Parameters<typeof clientFor>[0], RW, {
      logger,
      logLevel: 'error',
      maxRetries: 0,
    });
    await expect(client.documents.list()).rejects.toThrow('Could not reach the Codex API');
    // The token request's failure is the call's: one line, for the call.
    expect(lines).toEqual(['error codex: ✗ listDocuments failed: APIConnectionError connection_error']);
  });

  it('rejects a value that is not a level, at construction, naming the option', async () => {
    const server = await devServer();
    for (const logLevel of ['verbose', 'DEBUG', 1, null])
      expect(() => clientFor(server, RW, { logLevel: logLevel as 'debug' })).toThrow(
        new CodexError(
          `logLevel must be one of debug, info, warn, error, off; got ${typeof logLevel === 'object' ? 'null' : typeof logLevel}.`,
          { code: 'invalid_option' },
        ),
      );
    expect(() => clientFor(server, RW, { logger: { error: 'no' } as unknown as Logger })).toThrow(
      'logger.error must be a function, got string.',
    );
  });
});

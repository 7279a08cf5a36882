import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import { adminRoutes } from './admin';
import { readJsonBody } from './body';
import { bodyLimit } from './body-limits';
import { canonical } from './canonical';
import { handlers } from './operations';
import { codeForStatus, errorBody, type Reply } from './operations/types';
import { type DevServerOptions, resolveOptions } from './options';
import { operations } from './spec';
import { DevServerState } from './state';
import type { FaultRule } from './state/faults';
import type { AuthOutcome, LoggedRequest } from './state/request-log';
import type { Grant } from './state/tokens';

/** What only the HTTP server under the app can do (Node and Deno differ). */
export type ConnectionControl = {
  /** Drops the connection of this request without an HTTP response. */
  reset(c: Context): void;
  /** The number of the TCP connection this request came on (1, 2...: in the order they opened). */
  connectionOf?(c: Context): number | undefined;
};

type Operation = (typeof operations)[keyof typeof operations];

const BASE = '/v1';
const ANONYMOUS = 'anonymous';
const JSON_TYPE = 'application/json; charset=utf-8';
const EXPOSED = [
  'Retry-After',
  'X-Request-Id',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Idempotent-Replayed',
  'WWW-Authenticate',
];

const requestIdOf = () => `req_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;

/**
 * The Codex API as a Hono app, runtime-neutral (Web APIs only), so Node and Deno can serve it.
 * Per request, in order: CORS; request ID and log; credentials (the bearer token, from headers
 * only; the token endpoint reads its body here, under its own small limit, for the client_id);
 * injected fault; rate limit per client ID; 401/403; the body (415, 413 as soon as the
 * operation's limit is passed, see body-limits.ts, 400); Idempotency-Key; the operation's
 * handler. So no body is read for a request that is not authenticated (contract, Errors). Every
 * response carries X-Request-Id and X-RateLimit-*.
 */
export function createApp(options: DevServerOptions = {}, connection?: ConnectionControl) {
  const state = new DevServerState(resolveOptions(options));
  const app = new Hono();

  app.use(
    '*',
    cors({
      origin: '*',
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Admin-Secret'],
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'],
      exposeHeaders: EXPOSED,
      maxAge: 600,
    }),
  );
  app.route('/_admin', adminRoutes(state));

  const rateHeaders = (clientId: string, consume: boolean) => {
    const rate = consume ? state.rateLimiter.consume(clientId) : state.rateLimiter.peek(clientId);
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(rate.limit),
      'X-RateLimit-Remaining': String(rate.remaining),
      'X-RateLimit-Reset': String(Math.ceil(rate.resetMs / 1000)),
    };
    return { rate, headers };
  };

  const retryAfter = (seconds: number, format: 'seconds' | 'http-date') =>
    format === 'http-date' ? new Date(state.options.now() + seconds * 1000).toUTCString() : String(seconds);

  const send = (reply: Reply, requestId: string, headers: Record<string, string>, log: LoggedRequest) => {
    log.status = reply.status;
    const all = { 'X-Request-Id': requestId, ...headers, ...reply.headers };
    if (reply.body === null) return new Response(null, { status: reply.status, headers: all });
    return new Response(JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'Content-Type': JSON_TYPE, ...all },
    });
  };

  const hang = (c: Context) =>
    new Promise<Response>((resolve) => {
      const end = () => resolve(new Response(null, { status: 499 }));
      c.req.raw.signal.addEventListener('abort', end, { once: true });
      state.closing.signal.addEventListener('abort', end, { once: true });
    });

  const run = async (c: Context, operation: Operation): Promise<Response> => {
    const requestId = requestIdOf();
    const url = new URL(c.req.url);
    const path = url.pathname.slice(BASE.length);
    const idempotencyKey = operation.idempotency ? (c.req.header('Idempotency-Key') ?? null) : null;
    const log = state.log.start({
      at: new Date(state.options.now()).toISOString(),
      requestId,
      method: c.req.method,
      path,
      query: url.search,
      operationId: operation.operationId,
      clientId: null,
      auth: 'none',
      idempotencyKey,
      userAgent: c.req.header('User-Agent') ?? null,
      status: null,
      replayed: false,
      fault: null,
      connection: connection?.connectionOf?.(c) ?? null,
    });
    const answer = (
      status: number,
      code: Parameters<typeof errorBody>[0],
      message: string,
      headers: Record<string, string>,
      param?: string,
    ) => send({ status, body: errorBody(code, message, requestId, param) }, requestId, headers, log);

    const maxBytes = bodyLimit(operation.operationId, state.options.maxBodyBytes);
    const read = () => (operation.hasBody ? readJsonBody(c.req.raw, maxBytes) : null);

    let clientId: string | null = null;
    let grant: Grant | null = null;
    let auth: AuthOutcome = 'none';
    if (operation.auth) {
      const header = c.req.header('Authorization');
      const match = header ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
      if (!header) auth = 'missing';
      else if (!match?.[1]) auth = 'malformed';
      else {
        const token = state.tokens.check(match[1]);
        auth = token.status;
        if (token.status !== 'unknown') {
          clientId = token.grant.clientId;
          grant = token.grant;
        }
      }
    }
    // The token endpoint has no credentials in headers: it is rate-limited by the client_id in its
    // body, so its body (64 KiB at most, see body-limits.ts) is read before the rate limit.
    const early = operation.auth ? null : await read();
    if (early?.ok) {
      const candidate = (early.value as { client_id?: unknown } | null)?.client_id;
      if (typeof candidate === 'string' && state.keys.has(candidate)) clientId = candidate;
    }
    log.clientId = clientId;
    log.auth = auth;
    const bucket = clientId ?? ANONYMOUS;

    const fault: FaultRule | undefined = state.faults.take(c.req.method, path, operation.operationId);
    if (fault) log.fault = fault.type;
    if (fault?.type === 'reset' || fault?.type === 'hang') {
      if (fault.type === 'reset' && connection) {
        connection.reset(c);
        return new Response(null, { status: 499 });
      }
      return hang(c);
    }
    if (fault?.type === 'status') {
      const { headers } = rateHeaders(bucket, false);
      if (fault.retryAfter !== undefined) {
        headers['Retry-After'] = retryAfter(
          fault.retryAfter,
          fault.retryAfterFormat ?? state.settings.retryAfterFormat,
        );
      }
      if (fault.status === 401) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
      return answer(fault.status, codeForStatus(fault.status), `Injected fault: ${fault.status}.`, headers);
    }

    const { rate, headers } = rateHeaders(bucket, true);
    if (!rate.allowed) {
      const seconds = Math.max(1, Math.ceil(rate.resetMs / 1000));
      headers['Retry-After'] = retryAfter(seconds, state.settings.retryAfterFormat);
      const { limit, windowSeconds } = state.settings.rateLimit;
      return answer(
        429,
        'rate_limited',
        `Rate limit of ${limit} requests per ${windowSeconds} s exceeded; retry after ${seconds} s.`,
        headers,
      );
    }

    if (operation.auth) {
      if (auth === 'missing')
        return answer(401, 'missing_token', 'Send Authorization: Bearer <access token>.', headers);
      if (auth !== 'valid' || !grant) {
        headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
        const why = auth === 'expired' ? 'expired' : auth === 'revoked' ? 'revoked' : 'not a valid access token';
        return answer(401, 'invalid_token', `The access token is ${why}.`, headers);
      }
      const missing = operation.scopes.filter((s) => !grant?.scopes.includes(s));
      if (missing.length > 0)
        return answer(403, 'insufficient_scope', `This operation needs scope ${missing.join(' ')}.`, headers);
    }
    // An operation of the spec without a handler yet (operations/index.ts): a clear 501, in the
    // contract's error envelope, once the request has passed what every request goes through.
    const handler = handlers[operation.operationId];
    if (!handler) {
      return answer(
        501,
        'not_implemented',
        `The dev server has no handler for ${operation.operationId} (${operation.httpMethod} ${operation.path}) yet: add one to packages/dev-server/src/operations.`,
        headers,
      );
    }
    const result = early ?? (await read());
    if (result && !result.ok) return answer(result.status, result.code, result.message, headers);
    const body = result?.value;

    const execute = async (): Promise<Reply> =>
      handler({
        state,
        requestId,
        body,
        params: c.req.param() as Record<string, string>,
        query: url.searchParams,
        grant,
      });

    let reply: Reply;
    if (idempotencyKey !== null) {
      if (idempotencyKey.length < 1 || idempotencyKey.length > 255) {
        return answer(400, 'invalid_request', 'Idempotency-Key must be 1-255 characters.', headers, 'Idempotency-Key');
      }
      const fingerprint = `${operation.operationId} ${path} ${canonical(body)}`;
      const outcome = await state.idempotency.run(bucket, idempotencyKey, fingerprint, async () => {
        const fresh = await execute();
        return {
          status: fresh.status,
          body: fresh.body === null ? null : JSON.stringify(fresh.body),
          headers: fresh.headers ?? {},
        };
      });
      if (outcome.kind === 'conflict') {
        return answer(
          422,
          'idempotency_key_reused',
          'This Idempotency-Key was already used with a different request.',
          headers,
        );
      }
      const stored = outcome.response;
      reply = {
        status: stored.status,
        body: stored.body === null ? null : JSON.parse(stored.body),
        headers: stored.headers,
      };
      if (outcome.kind === 'replay') {
        log.replayed = true;
        headers['Idempotent-Replayed'] = 'true';
      }
    } else {
      reply = await execute();
    }

    if (fault?.type === 'lose-response' && connection) {
      // The write is committed (and remembered for its Idempotency-Key); only the answer is lost.
      log.status = reply.status;
      connection.reset(c);
      return new Response(null, { status: 499 });
    }
    return send(reply, requestId, headers, log);
  };

  for (const operation of Object.values(operations)) {
    const route = BASE + operation.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(operation.httpMethod, route, (c) => run(c, operation));
  }

  app.notFound((c) => {
    const requestId = requestIdOf();
    return c.body(
      JSON.stringify(errorBody('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`, requestId)),
      404,
      {
        'Content-Type': JSON_TYPE,
        'X-Request-Id': requestId,
        ...rateHeaders(ANONYMOUS, false).headers,
      },
    );
  });
  app.onError((error, c) => {
    const requestId = requestIdOf();
    console.error(`[codex-dev-server] ${requestId}:`, error);
    return c.body(JSON.stringify(errorBody('internal_error', 'Internal error.', requestId)), 500, {
      'Content-Type': JSON_TYPE,
      'X-Request-Id': requestId,
      ...rateHeaders(ANONYMOUS, false).headers,
    });
  });

  return { app, state, admin: state.admin() };
}

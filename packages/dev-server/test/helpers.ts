import { afterEach, expect } from 'vitest';
import { validator } from '../src/schemas';
import { type RunningServer, type StartOptions, startServer } from '../src/server';

export const RW = { clientId: 'cdx_id_rw', clientSecret: 'cdx_sk_rw_secret', readOnly: false };
export const RO = { clientId: 'cdx_id_ro', clientSecret: 'cdx_sk_ro_secret', readOnly: true };
export const ADMIN_SECRET = 'admin-secret-for-tests';

/** A clock the server reads instead of Date.now, moved by hand. */
export function manualClock(start = Date.parse('2026-11-28T00:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A dev server on a free port of 127.0.0.1 with two known keys; closed after the test. */
export async function start(options: StartOptions = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, keys: [RW, RO], adminSecret: ADMIN_SECRET, ...options });
  running.push(server);
  return server;
}

export type Call = {
  token?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies; schemas are asserted separately.
export type Result = { status: number; headers: Headers; body: any };

/** One HTTP request to the API (`path` below /v1); the body parsed when there is one. */
export async function call(server: RunningServer, method: string, path: string, options: Call = {}): Promise<Result> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = body;
  if (options.signal) init.signal = options.signal;
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export async function tokenFor(server: RunningServer, key = RW, scope?: string): Promise<string> {
  const res = await call(server, 'POST', '/auth/token', {
    body: { client_id: key.clientId, client_secret: key.clientSecret, ...(scope && { scope }) },
  });
  expect(res.status).toBe(200);
  return res.body.access_token;
}

/** Asserts the body matches a schema of openapi/codex.yaml (validated with the generated JSON Schemas). */
export function expectSchema(name: string, value: unknown): void {
  const validate = validator(name);
  const ok = validate(value);
  expect(ok, `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

/** Headers every response carries (contract: Errors, Rate limits). */
export function expectCommonHeaders(res: Result): void {
  expect(res.headers.get('x-request-id')).toMatch(/^req_\w+$/);
  for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
    expect(res.headers.get(name), name).toMatch(/^\d+$/);
  }
  if (res.body !== null) expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
}

/** The contract's error envelope with this status and code, request_id echoing X-Request-Id. */
export function expectError(res: Result, status: number, code: string, param?: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expectSchema('Error', res.body);
  expectCommonHeaders(res);
  expect(res.body.error.request_id).toBe(res.headers.get('x-request-id'));
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

/** Admin API over HTTP. */
export async function adminCall(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  secret = ADMIN_SECRET,
) {
  const init: RequestInit = { method, headers: { 'X-Admin-Secret': secret, 'Content-Type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${server.origin}/_admin${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

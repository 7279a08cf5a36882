import { checkHeaders, checkRequestOptions, typeOf } from './checks';
import { CodexError } from './errors';
import type { OperationSpec } from './operations';
import type { RequestOptions } from './types';

export type RequestInput = { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };

/** A call's request as it goes out on every attempt (the Authorization header is added per attempt). */
export type PreparedRequest = {
  url: string;
  headers: Headers;
  body: string | undefined;
  /** Sent as Idempotency-Key, for operations that take one: the same for every retry. */
  idempotencyKey: string | undefined;
  /** Whether the caller gave the Idempotency-Key (option or header), rather than the SDK. */
  ownKey: boolean;
};

// A lone surrogate (in `u` mode, a valid pair is one code point and does not match).
const LONE_SURROGATE = /\p{Cs}/u;

/** Builds the URL of an operation, or throws a CodexError before anything is sent. */
export function buildUrl(baseUrl: string, op: OperationSpec, input: RequestInput): string {
  const { operationId } = op;
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = input.path?.[name];
    // encodeURIComponent leaves dots alone, and URL parsers resolve '.' and '..' as dot segments:
    // get('..') would be GET /v1/ (issue 9). Encoding does not help: WHATWG URL (so fetch) treats
    // '%2e' and '%2e%2e' as dot segments too. No id is a dot segment, so refuse them.
    if (typeof value !== 'string' || !value || LONE_SURROGATE.test(value) || value === '.' || value === '..')
      throw new CodexError(
        `${operationId}: ${name} must be a non-empty string without lone surrogates, and not a dot segment ("." or ".."), got ${typeof value === 'string' ? `${value.length} characters` : typeOf(value)}.`,
      );
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (value === undefined || value === null) continue;
    if (!op.queryParams.includes(key))
      throw new CodexError(`${operationId}: unknown query parameter "${key.slice(0, 64)}" (known: ${op.queryParams}).`);
    const ok =
      (typeof value === 'string' && !LONE_SURROGATE.test(value)) ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      typeof value === 'boolean';
    if (!ok) throw new CodexError(`${operationId}: query parameter ${key} must be a string or a finite number.`);
    query.set(key, String(value));
  }
  const search = query.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}

/**
 * The request of one call, checked: URL, headers (the Client's, then the call's), JSON body and
 * Idempotency-Key. Throws a CodexError before anything is sent.
 */
export function prepareRequest(
  baseUrl: string,
  baseHeaders: Headers,
  op: OperationSpec,
  input: RequestInput,
  options: RequestOptions,
  derivedKey?: string,
): PreparedRequest {
  const url = buildUrl(baseUrl, op, input);
  const headers = checkHeaders('headers', options.headers, new Headers(baseHeaders));
  let body: string | undefined;
  if (op.hasBody) {
    if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body))
      throw new CodexError(`${op.operationId}: the body must be an object, got ${typeOf(input.body)}.`);
    try {
      body = JSON.stringify(input.body);
    } catch (error) {
      // Circular structures and BigInt; the message names a constructor or a type, never a value.
      throw new CodexError(`${op.operationId}: the body cannot be sent as JSON (${(error as Error).message}).`);
    }
    headers.set('Content-Type', 'application/json');
  }
  // One key per call, reused by every retry and by the 401 replay.
  // A key given as a header counts like the option (and is checked like it).
  const given = options.idempotencyKey ?? headers.get('idempotency-key') ?? undefined;
  if (given !== undefined) checkRequestOptions({ idempotencyKey: given }, op.batch !== null);
  const idempotencyKey = op.idempotency ? (derivedKey ?? given ?? crypto.randomUUID()) : undefined;
  if (idempotencyKey) headers.set('Idempotency-Key', idempotencyKey);
  return { url, headers, body, idempotencyKey, ownKey: given !== undefined };
}

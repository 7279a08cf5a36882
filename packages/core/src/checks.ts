import { CodexError } from './errors';
import type { HeadersInput, RequestOptions } from './types';

// Checks of what callers pass in (Client options, call options, headers): each throws a
// CodexError that names what is wrong, never quoting a value (it may be a secret).

/** A value's kind for messages (never the value: it may be a secret). */
export const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Throws a CodexError naming the option unless `value` is a finite number >= min (an integer if asked). */
export function checkNumber(name: string, value: unknown, integer = false, min = 0): number {
  if (typeof value !== 'number' || !(value >= min && value < Infinity) || (integer && !Number.isInteger(value)))
    throw new CodexError(
      `${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${typeof value === 'number' ? value : typeOf(value)}.`,
    );
  return value;
}

/** Throws unless `value` is undefined or an object whose listed members are functions when present. */
export function checkMembers(name: string, value: unknown, members: readonly string[], required = false): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null)
    throw new CodexError(`${name} must be an object, got ${typeOf(value)}.`);
  for (const member of members) {
    const fn = (value as Record<string, unknown>)[member];
    if ((required || fn !== undefined) && typeof fn !== 'function')
      throw new CodexError(`${name}.${member} must be a function, got ${typeOf(fn)}.`);
  }
}

/** Throws unless `value` is undefined or a function. */
export function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function')
    throw new CodexError(`${name} must be a function, got ${typeOf(value)}.`);
}

/**
 * Headers the SDK owns: framing and hop-by-hop headers, which `fetch` refuses or which would make
 * the request unreadable ("Could not reach the Codex API" before, issue 18), and the ones the SDK
 * sets itself per request. Refused from callers with an error that names them.
 */
const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'connection',
  'content-length',
  'content-type',
  'expect',
  'host',
  'keep-alive',
  // and every proxy-* header (Proxy-Authorization, Proxy-Connection...): see checkHeaders
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The [name, value] pairs of a HeadersInput, or a CodexError that says what forms are taken. */
function headerPairs(name: string, init: unknown): Array<[string, unknown]> {
  if (typeof init !== 'object' || init === null)
    throw new CodexError(
      `${name} must be a Headers, an object of header names to strings or an array of [name, value] pairs, got ${typeOf(init)}.`,
    );
  if (Array.isArray(init))
    return init.map((pair, index) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string')
        throw new CodexError(`${name}[${index}] must be a [name, value] pair of strings.`);
      return [pair[0], pair[1]];
    });
  // Headers from any realm or fetch implementation (undici's, a polyfill's): no instanceof.
  const maybeHeaders = init as Partial<Headers>;
  if (typeof maybeHeaders.forEach === 'function' && typeof maybeHeaders.get === 'function') {
    const pairs: Array<[string, unknown]> = [];
    maybeHeaders.forEach((value, header) => {
      pairs.push([header, value]);
    });
    return pairs;
  }
  return Object.entries(init);
}

/**
 * Adds `init` (any HeadersInput) to `into`, or throws a CodexError naming the header at fault
 * (never its value: it may be a secret). Headers the SDK owns (framing, hop-by-hop, Authorization,
 * Content-Type) are refused: a request goes out only as the SDK builds it.
 */
export function checkHeaders(name: string, init: unknown, into = new Headers()): Headers {
  if (init === undefined) return into;
  for (const [header, value] of headerPairs(name, init)) {
    if (value === undefined) continue;
    const lower = header.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower) || lower.startsWith('proxy-'))
      throw new CodexError(
        `${name}: the header "${header.slice(0, 64)}" is set by the SDK or the HTTP layer, and cannot be given.`,
      );
    try {
      if (typeof value !== 'string') throw 0;
      into.set(header, value);
    } catch {
      throw new CodexError(`${name}: header "${header.slice(0, 64)}" has an invalid name or value.`);
    }
  }
  return into;
}

/**
 * `defaults` with `headers` (any HeadersInput) over them, as one record: for runtime packages
 * that add their User-Agent, and `withOptions`. What is not a HeadersInput is returned unchanged,
 * for the Client's own check to refuse with an error that names the option.
 */
export function mergeHeaders(defaults: HeadersInput, headers: unknown): HeadersInput {
  if (headers === undefined) return defaults;
  let merged: Array<[string, unknown]>;
  try {
    merged = [...headerPairs('headers', defaults), ...headerPairs('headers', headers)];
  } catch {
    return headers as HeadersInput;
  }
  const record: Record<string, string> = {};
  // Later wins, whatever the case of the name (Headers' rule).
  for (const [header, value] of merged) {
    if (value === undefined) continue;
    for (const key of Object.keys(record)) if (key.toLowerCase() === header.toLowerCase()) delete record[key];
    record[header] = value as string;
  }
  return record;
}

/** Idempotency-Key: 1–255 characters (the contract), visible ASCII so that it is a valid header value. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/**
 * A batch chunk's key as `documents.batch` derives it (`<key> <i>`, batch.ts), which an outcome
 * hands back for sending that chunk again: `documents.batch` alone takes it, so that no other
 * call's key is ever a chunk's (issue 18).
 */
const CHUNK_KEY = /^(?=.{1,255}$)[\x21-\x7e]+ \d+$/;

/** Whether `value` looks like an AbortSignal (from any realm: no instanceof). */
export const isAbortSignal = (value: unknown): value is AbortSignal =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as AbortSignal).aborted === 'boolean' &&
  typeof (value as AbortSignal).addEventListener === 'function';

/**
 * Checks a call's options before anything is sent: a CodexError that names the option, never a
 * connection error later (issue 9). Headers are checked where they are built.
 */
export function checkRequestOptions(options: RequestOptions, batch = false): void {
  if (typeof options !== 'object' || options === null)
    throw new CodexError(`Request options must be an object, got ${typeOf(options)}.`);
  const { idempotencyKey, signal, timeout, deadline, maxRetries } = options;
  if (
    idempotencyKey !== undefined &&
    (typeof idempotencyKey !== 'string' ||
      !(IDEMPOTENCY_KEY.test(idempotencyKey) || (batch && CHUNK_KEY.test(idempotencyKey))))
  )
    throw new CodexError(
      `idempotencyKey must be 1 to 255 visible ASCII characters${typeof idempotencyKey === 'string' ? ` (got ${idempotencyKey.length} characters)` : ''}.`,
    );
  if (signal !== undefined && !isAbortSignal(signal)) throw new CodexError('signal must be an AbortSignal.');
  if (timeout !== undefined) checkNumber('timeout', timeout, false, 1);
  if (deadline !== undefined) checkNumber('deadline', deadline);
  if (maxRetries !== undefined) checkNumber('maxRetries', maxRetries, true);
}

import { CodexError } from './errors';
import type { RequestOptions } from './types';

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

/** Headers from a record, or a CodexError naming the header at fault (never its value: it may be a secret). */
export function checkHeaders(name: string, record: unknown, into = new Headers()): Headers {
  if (record === undefined) return into;
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw new CodexError(`${name} must be an object of header names to strings, got ${typeOf(record)}.`);
  for (const [header, value] of Object.entries(record)) {
    if (value === undefined) continue;
    try {
      if (typeof value !== 'string') throw 0;
      into.set(header, value);
    } catch {
      throw new CodexError(`${name}: header "${header.slice(0, 64)}" has an invalid name or value.`);
    }
  }
  return into;
}

/** Idempotency-Key: 1–255 characters (the contract), visible ASCII so that it is a valid header value. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

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
export function checkRequestOptions(options: RequestOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new CodexError(`Request options must be an object, got ${options === null ? 'null' : typeof options}.`);
  const { idempotencyKey, signal, timeout, deadline, maxRetries } = options;
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey)))
    throw new CodexError(
      `idempotencyKey must be 1 to 255 visible ASCII characters${typeof idempotencyKey === 'string' ? ` (got ${idempotencyKey.length} characters)` : ''}.`,
    );
  if (signal !== undefined && !isAbortSignal(signal)) throw new CodexError('signal must be an AbortSignal.');
  if (timeout !== undefined) checkNumber('timeout', timeout, false, 1);
  if (deadline !== undefined) checkNumber('deadline', deadline);
  if (maxRetries !== undefined) checkNumber('maxRetries', maxRetries, true);
}

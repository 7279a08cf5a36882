import { checkNumber } from './config';
import { CodexError } from './errors';
import type { RequestOptions } from './transport';

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

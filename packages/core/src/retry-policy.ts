import { backoffDelay } from './backoff';
import { parseRetryAfter } from './retry-after';

/** Retried statuses: timeouts, rate limits and transient server errors; never other 4xx. */
export const RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504];

/** How one attempt ended, as far as retrying is concerned. */
export type AttemptOutcome =
  /** An error status; `code` is the error body's code when it had one. */
  | { kind: 'status'; status: number; headers: Headers; code: string | undefined }
  /** No answer: refused or reset connection, DNS, TLS. */
  | { kind: 'connection' }
  /** The attempt exceeded `timeout`. */
  | { kind: 'timeout' };

export type RetryState = {
  /** Retries made so far (the 401 replay excluded). */
  retries: number;
  maxRetries: number;
  /** Whether the 401 replay was already used. */
  replayed: boolean;
  /** Whether the attempt carried a bearer token. */
  sentToken: boolean;
  now: number;
  /** Time by which the call must end (Infinity for none). */
  deadlineAt: number;
  /** Longest Retry-After worth waiting out, in ms. */
  maxRetryDelay: number;
  random: () => number;
};

export type RetryDecision =
  | { retry: true; delay: number; reason: string; counts: boolean; dropToken: boolean }
  | { retry: false; reason: string };

/**
 * Every retry decision of the SDK, in one pure function (the transport's loop applies it):
 * - a 401 `invalid_token` (the API's code, or RFC 6750's `WWW-Authenticate: Bearer
 *   error="invalid_token"`) on a request that carried a token is replayed once, at once, with a
 *   new token (the token was revoked or expired early); the replay does not use up a retry;
 * - connection errors, timeouts and {@link RETRYABLE_STATUSES} are retried up to `maxRetries`,
 *   after `Retry-After` when the server sent one, else after exponential backoff with full jitter;
 * - a `Retry-After` over `maxRetryDelay`, or a wait that would end past the deadline, stops.
 * Anything else (other statuses, and errors of the caller's making) is never retried.
 */
export function decideRetry(outcome: AttemptOutcome, state: RetryState): RetryDecision {
  let reason: string = outcome.kind === 'timeout' ? 'timeout' : 'connection error';
  // No wait of the SDK's is longer than maxRetryDelay, backoff included (issue 18).
  let delay = Math.min(backoffDelay(state.retries + 1, state.random), state.maxRetryDelay);
  if (outcome.kind === 'status') {
    const { status, headers, code } = outcome;
    // RFC 6750's challenge is a signal of its own: a gateway in front of the API may send it
    // without the API's JSON body (issue 18).
    const challenged = /\berror\s*=\s*"?invalid_token\b/i.test(headers.get('www-authenticate') ?? '');
    if (status === 401 && (code === 'invalid_token' || challenged) && state.sentToken) {
      return state.replayed
        ? { retry: false, reason: 'the new token was rejected too' }
        : { retry: true, delay: 0, reason: 'token rejected', counts: false, dropToken: true };
    }
    if (!RETRYABLE_STATUSES.includes(status)) return { retry: false, reason: `status ${status} is not retried` };
    reason = `status ${status}`;
    const retryAfter = parseRetryAfter(headers, state.now);
    if (retryAfter !== undefined) {
      if (retryAfter > state.maxRetryDelay || state.now + retryAfter > state.deadlineAt) {
        return {
          retry: false,
          reason: `Retry-After ${Math.ceil(retryAfter / 1000)} s is over maxRetryDelay or the deadline`,
        };
      }
      delay = retryAfter;
    }
  }
  if (state.retries >= state.maxRetries) return { retry: false, reason: `${state.maxRetries} retries used` };
  if (state.now + delay > state.deadlineAt) return { retry: false, reason: 'no time left before the deadline' };
  return { retry: true, delay, reason, counts: true, dropToken: false };
}

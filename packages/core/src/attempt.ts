import { clampTimer } from './clock';
import type { Fetch } from './config';

/** What one HTTP attempt gave: the response and its whole body, or `'timeout'`. */
export type Sent = { response: Response; text: string } | 'timeout';

/** Error bodies are read up to this many bytes: the contract's envelope is small, a proxy's page need not be. */
const ERROR_BODY_BYTES = 64 * 1024;

export type AttemptRequest = {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  /** The call's signal: the caller's abort and the deadline. */
  signal: AbortSignal;
  /** This attempt's timeout in ms. */
  timeout: number;
  /** Bytes a success body may have; over it, `tooLarge` is thrown and the rest is not read. */
  maxResponseSize: number;
  tooLarge: (response: Response) => Error;
  /** A background token refresh: its timer must not keep the process alive. */
  background: boolean;
};

/**
 * One HTTP attempt, body included: `timeout` and the call's signal cover reading the body too (a
 * body that stalls half-way must not hang the call, or a shared token refresh). Resolves
 * `'timeout'` when `timeout` passed first; rejects on connection errors (a body cut short
 * included), on aborts and with `tooLarge`.
 * - The attempt settles at the abort or the timeout whatever `fetch` does: a `fetch` that ignores
 *   its signal (a user's wrapper, an old polyfill) is raced, and its late response is discarded
 *   (issue 18).
 * - The body is counted while it streams: one over `maxResponseSize` fails as soon as the limit is
 *   passed, without holding the rest (an endless 200 grew the client to 1.2 GB, issue 18).
 */
export async function sendAttempt(fetch: Fetch, request: AttemptRequest): Promise<Sent> {
  const { signal } = request;
  const attempt = new AbortController();
  const onAbort = () => attempt.abort();
  signal.addEventListener('abort', onAbort);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort();
  }, clampTimer(request.timeout));
  // A background refresh must not keep the process alive (Node and Bun timers have unref).
  if (request.background) (timer as { unref?: () => void }).unref?.();
  // Rejects when the attempt is aborted, so that nothing below waits longer than that.
  const aborted = new Promise<never>((_, reject) => {
    attempt.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
  aborted.catch(() => {});
  try {
    // fetch itself, not ky: this loop owns retries, timeouts and hooks, so a single attempt needs
    // nothing of ky's (+4.4 kB min+gzip, +21% per call, and no custom fetch or proxy: CONTRIBUTING).
    const pending = fetchOnce(fetch, request, attempt.signal);
    const response = (await Promise.race([pending, aborted])) as Response;
    const text = await Promise.race([readBody(response, request, attempt.signal), aborted]);
    return { response, text };
  } catch (error) {
    if (timedOut && !signal.aborted) return 'timeout';
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function fetchOnce(fetch: Fetch, request: AttemptRequest, signal: AbortSignal): Promise<Response> {
  const pending = fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined && { body: request.body }),
    signal,
    // Never follow: the request carries a bearer token (a 3xx becomes a RedirectError).
    redirect: 'manual',
  }) as Promise<Response>;
  // A response that comes after the attempt was given up (a fetch that ignores its signal): its
  // body is cancelled so that its connection is freed.
  pending.then(
    (response) => {
      if (signal.aborted) discard(response);
    },
    () => {},
  );
  return pending;
}

const discard = (response: Response) => {
  try {
    response.body?.cancel().catch(() => {});
  } catch {
    // a locked or already-read body
  }
};

/**
 * The body as text, counted while it streams. A success over `maxResponseSize` throws `tooLarge`
 * at once; an error body is cut at ERROR_BODY_BYTES (its envelope is small; a proxy's page may
 * not be), which keeps its status.
 */
async function readBody(response: Response, request: AttemptRequest, signal: AbortSignal): Promise<string> {
  const limit = response.ok ? request.maxResponseSize : ERROR_BODY_BYTES;
  const length = response.headers.get('content-length');
  const declared = length === null || length.trim() === '' ? NaN : Number(length);
  if (response.ok && declared > limit) {
    discard(response);
    throw request.tooLarge(response);
  }
  const stream = response.body;
  // A body of a declared length within the limit cannot pass it (fetch fails a body longer than
  // its Content-Length): the runtime's own text() is faster than counting. A fetch of the user's
  // may give a Response without a stream: its text, checked afterwards.
  if (declared <= limit || !stream || typeof stream.getReader !== 'function') {
    const text = await response.text();
    if (response.ok && text.length > limit) throw request.tooLarge(response);
    return text.slice(0, limit);
  }
  const reader = stream.getReader();
  const stop = () => reader.cancel().catch(() => {});
  signal.addEventListener('abort', stop, { once: true });
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > limit) {
        stop();
        if (response.ok) throw request.tooLarge(response);
        parts.push(decoder.decode(value.subarray(0, value.byteLength - (bytes - limit)), { stream: true }));
        break;
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
    parts.push(decoder.decode());
    return parts.join('');
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/**
 * The code of a connection error's cause (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`,
 * `CERT_HAS_EXPIRED`...): what tells a wrong host from a down server. Only a code-shaped string is
 * taken, never a message (messages may quote header values).
 */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code;
    // Node's happy-eyeballs connect fails with an AggregateError of one error per address.
    current = Array.isArray(errors) && errors.length ? errors[0] : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

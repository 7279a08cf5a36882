import { describe, expect, inject, it } from 'vitest';
import { Client, isAPIConnectionTimeoutError, isAPIUserAbortError } from '../src/index';

// A `fetch` that ignores its signal (a user's wrapper, an old polyfill) must not hold a call past
// its abort or its timeout (issue 18), in a real browser too.
const server = inject('devServer');
const LATE_MS = 600;

/** Drops the signal, waits LATE_MS, then fetches: the answer comes long after the call gave up. */
function signalIgnoringFetch() {
  const late: Promise<unknown>[] = [];
  const fetchIgnoringSignal = (input: RequestInfo | URL, { signal: _ignored, ...init }: RequestInit = {}) => {
    const response = new Promise((resolve) => setTimeout(resolve, LATE_MS)).then(() => fetch(input, init));
    late.push(response.catch(() => {}));
    return response;
  };
  return { fetch: fetchIgnoringSignal, settled: () => Promise.all(late) };
}

async function timed(call: () => PromiseLike<unknown>) {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe('a fetch that ignores its signal', () => {
  // A token of the page's backend, given as is: only the API request goes through the fetch.
  const tokenProvider = async () => ({ accessToken: 'cdx_at_ignored_signal', expiresIn: 3600 });

  it('an abort settles the call at once: APIUserAbortError', async () => {
    const ignoring = signalIgnoringFetch();
    const client = new Client({ baseUrl: server.url, tokenProvider, fetch: ignoring.fetch });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { error, ms } = await timed(() => client.documents.list({}, { signal: controller.signal }));
    expect(isAPIUserAbortError(error)).toBe(true);
    expect(ms).toBeLessThan(LATE_MS - 200);
    await ignoring.settled();
  });

  it('a timeout settles the call at once: APIConnectionTimeoutError', async () => {
    const ignoring = signalIgnoringFetch();
    const client = new Client({ baseUrl: server.url, tokenProvider, fetch: ignoring.fetch });
    const { error, ms } = await timed(() => client.documents.list({}, { timeout: 100, maxRetries: 0 }));
    expect(isAPIConnectionTimeoutError(error)).toBe(true);
    expect(ms).toBeLessThan(LATE_MS - 200);
    await ignoring.settled();
  });
});

/** How long the probe may take (ms). A server that answered the request answers a HEAD as fast. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Names a browser trusts over http (Chromium's `net::IsLocalHostname` and loopback addresses; the
 * Secure Contexts spec, "potentially trustworthy"), so that an https page may call them.
 */
const TRUSTWORTHY_HOST = /^((.+\.)?localhost\.?|127(\.\d+){3}|\[::1\])$/;

export type ExplainOptions = {
  /** The page (or worker) making the request. @default globalThis.location */
  page?: Pick<Location, 'protocol' | 'origin'> | undefined;
  /** @default PROBE_TIMEOUT_MS */
  timeout?: number;
};

/**
 * Why a request of this page got no answer, from what a page can tell: a failed fetch is a bare
 * TypeError, which hides whether the browser blocked the request (Fetch standard, "network error").
 * The core Client calls it after a request got no answer (not after a timeout).
 * - An https page calling a non-loopback http URL: the browser blocked it as mixed content. Not
 *   retried.
 * - Otherwise the same URL is probed once: a HEAD in `no-cors` mode, without token, body or cookies.
 *   Any (opaque) answer means the server is reachable and the browser withheld its answer from this
 *   origin: CORS, or an extension. Not retried: every retry would be blocked the same way.
 * - No answer to the probe either: retried as usual, and the final error says what may be wrong.
 * The probe takes at most `timeout` ms and never throws. Without `location` (no origin, hence no
 * CORS) there is nothing to explain.
 */
export async function explainConnectionError(
  url: string,
  { page = globalThis.location, timeout = PROBE_TIMEOUT_MS }: ExplainOptions = {},
): Promise<{ reason: string; retry: boolean } | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  if (!page) return undefined;
  // Only the origin: the path and query may carry the caller's input.
  const api = target.origin;
  if (page.protocol === 'https:' && target.protocol === 'http:' && !TRUSTWORTHY_HOST.test(target.hostname))
    return {
      retry: false,
      reason: `The browser blocked the request to ${api} as mixed content (http from an https page): use https.`,
    };
  return (await answers(url, timeout))
    ? {
        retry: false,
        reason: `The Codex API at ${api} answered, but the browser blocked the response: CORS (the API must allow this page's origin, ${page.origin}), or an extension.`,
      }
    : {
        retry: true,
        reason: 'The browser could not reach it: the network, the server, or an extension that blocks it.',
      };
}

/** Whether the server answers at all, as seen by a request whose answer the page may not read. */
async function answers(url: string, timeout: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const controller = new AbortController();
    timer = setTimeout(() => controller.abort(), timeout);
    // `no-cors` follows redirects only: `redirect: 'manual'` would be a network error (Fetch
    // standard, main fetch).
    await fetch(url, {
      method: 'HEAD',
      mode: 'no-cors',
      credentials: 'omit',
      cache: 'no-store',
      signal: controller.signal,
    });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A fetch for requests that no caller waits for (background token refreshes) that does not keep
 * the process alive (issue 18, item 3). Deno exits once nothing it waits on is ref'd, and a
 * pending fetch is: a token endpoint that never answered held a script open for the refresh's
 * 10-s timeout after its last call (core unrefs that timer). Deno's Web Workers cannot be unref'd
 * and Deno.connect waits ref'd for DNS and the connection; a node:worker_threads Worker can be.
 *
 * Internal: the Deno Client passes it as core's `backgroundFetch` when it uses Deno's own fetch.
 * - The request runs with Deno's fetch (its proxy and certificate settings, this process's
 *   permissions) in a worker thread that is unref'd, one per request (refreshes are rare), ended
 *   once it answers or the signal aborts. node:worker_threads is loaded on first use.
 * - The answer comes back whole (status, headers, body) as a Response; redirects are as `redirect` says.
 * - A string body (core sends the token request's JSON so); any other is a TypeError.
 * - Failures reject with a TypeError that has the worker's message, as fetch's network errors do.
 */
export const backgroundFetch: typeof fetch = async (input, init = {}) => {
  const url = input instanceof Request ? input.url : String(input);
  if (input instanceof Request || (init.body != null && typeof init.body !== 'string'))
    throw new TypeError('backgroundFetch: only a URL with a string body (or none) is supported.');
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const request = {
    url,
    method: init.method ?? 'GET',
    headers: [...new Headers(init.headers)],
    body: init.body ?? null,
    redirect: init.redirect ?? 'follow',
  };
  const { Worker } = (await import(WORKER_THREADS)) as {
    Worker: new (source: string, options: { eval: true }) => NodeWorker;
  };
  signal?.throwIfAborted();
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  // The point of this function: a pending request does not keep the process alive.
  worker.unref();
  return new Promise<Response>((resolve, reject) => {
    const end = (settle: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      worker.removeAllListeners();
      worker.terminate().catch(() => {});
      settle();
    };
    const onAbort = () => end(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (answer: Answer) => end(() => settle(answer, resolve, reject)));
    worker.on('error', (error) => end(() => reject(new TypeError('fetch failed', { cause: error }))));
    worker.on('exit', () => end(() => reject(new TypeError('fetch failed: the worker thread ended'))));
    worker.postMessage(request);
  });
};

// A variable, not a literal: for a literal node: import, `deno check` wants @types/node, which this
// package does not depend on (only Worker's few members below are used).
const WORKER_THREADS = 'node:worker_threads';

/** What is used of node:worker_threads' Worker. */
type NodeWorker = {
  unref(): void;
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  on(event: 'message', listener: (answer: Answer) => void): void;
  on(event: 'error' | 'exit', listener: (error: unknown) => void): void;
  removeAllListeners(): void;
};

type Answer =
  | { status: number; statusText: string; headers: [string, string][]; url: string; body: ArrayBuffer }
  | { error: string };

const NULL_BODY_STATUSES = [204, 205, 304];

function settle(answer: Answer, resolve: (response: Response) => void, reject: (error: unknown) => void) {
  if ('error' in answer) return reject(new TypeError(answer.error));
  const { status, statusText, headers, body, url } = answer;
  try {
    const response = new Response(NULL_BODY_STATUSES.includes(status) ? null : body, { status, statusText, headers });
    Object.defineProperty(response, 'url', { value: url });
    resolve(response);
  } catch (error) {
    // A status a Response cannot have (1xx): fetch would not have returned it either.
    reject(new TypeError('fetch failed', { cause: error }));
  }
}

// CommonJS: what node:worker_threads runs for `eval: true`. Posts one Answer.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', async ({ url, ...init }) => {
  try {
    const response = await fetch(url, init);
    const body = await response.arrayBuffer();
    const { status, statusText } = response;
    parentPort.postMessage({ status, statusText, headers: [...response.headers], url: response.url, body }, [body]);
  } catch (error) {
    parentPort.postMessage({ error: String(error?.message ?? error) });
  }
});`;

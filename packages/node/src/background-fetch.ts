import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

// No value imports: node:http, node:https and node:zlib load on first use, so importing
// @codex/node costs nothing for them (most processes never refresh a token in the background).
// This file is also run on its own by test/background-fetch.test.ts.

/**
 * A fetch for requests that no caller waits for (background token refreshes): its socket is
 * unref'd, so a server that never answers cannot keep the process alive (issue 9, item 14).
 * Global fetch keeps a pending request's socket ref'd until it ends.
 *
 * Internal: the Node Client passes it as core's `backgroundFetch` when the user gave no `fetch`;
 * it is not exported from the package.
 * - node:http / node:https, one connection per request (no agent: a pooled socket is ref'd again
 *   when reused; refreshes are rare enough not to need keep-alive).
 * - Method, headers, a string, URLSearchParams, Blob or byte body, `signal`, and a Request as input.
 * - Never follows redirects: a 3xx is returned as it is, or rejected under `redirect: 'error'`.
 * - gzip, deflate and br bodies are decoded, as fetch does.
 * - No timeout of its own: callers pass a signal. A DNS lookup in progress is not a socket and
 *   still holds the process until the resolver answers.
 * - Network failures reject with `TypeError('fetch failed', {cause})`, as Node's fetch does.
 */
export const backgroundFetch: typeof fetch = async (input, init = {}) => {
  const request = input instanceof Request ? input : undefined;
  const url = new URL(request ? request.url : input instanceof URL ? input.href : String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`backgroundFetch: only http: and https: URLs are supported, got ${url.protocol}`);
  }
  const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers ?? request?.headers);
  const body = await bodyBytes(init.body !== undefined ? init.body : request?.body ? request : null, headers);
  if (body) headers.set('content-length', String(body.byteLength));
  const redirect = init.redirect ?? request?.redirect ?? 'follow';
  const signals = [init.signal, request?.signal].filter((s): s is AbortSignal => s != null);

  const { request: send } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  for (const signal of signals) signal.throwIfAborted();
  return new Promise<Response>((resolve, reject) => {
    const req = send(url, { method, headers: Object.fromEntries(headers), agent: false });
    // The point of this function: a pending request does not keep the event loop alive.
    req.on('socket', (socket) => socket.unref());
    let message: IncomingMessage | undefined;
    const onAbort = (event: Event) => {
      const reason = (event.target as AbortSignal).reason;
      done();
      req.destroy();
      message?.destroy(reason);
      reject(reason);
    };
    const done = () => {
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
    };
    for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      done();
      reject(new TypeError('fetch failed', { cause: error }));
    });
    req.on('response', (res) => {
      message = res;
      const status = res.statusCode ?? 0;
      if (redirect === 'error' && [301, 302, 303, 307, 308].includes(status)) {
        done();
        res.destroy();
        reject(new TypeError('fetch failed', { cause: new Error(`unexpected redirect (${status})`) }));
        return;
      }
      toResponse(res, url, method).then(
        (response) => {
          resolve(response);
          // Abort keeps working while the body is read; listeners go once it ends.
          res.on('close', done);
        },
        (error: unknown) => {
          done();
          res.destroy();
          reject(error);
        },
      );
    });
    req.end(body);
  });
};

async function bodyBytes(body: BodyInit | Request | null, headers: Headers): Promise<Uint8Array | undefined> {
  const contentType = (type: string) => {
    if (!headers.has('content-type')) headers.set('content-type', type);
  };
  if (body === null) return undefined;
  if (typeof body === 'string') {
    contentType('text/plain;charset=UTF-8');
    return new TextEncoder().encode(body);
  }
  if (body instanceof URLSearchParams) {
    contentType('application/x-www-form-urlencoded;charset=UTF-8');
    return new TextEncoder().encode(body.toString());
  }
  if (body instanceof Blob) {
    if (body.type) contentType(body.type);
    return new Uint8Array(await body.arrayBuffer());
  }
  if (body instanceof Request) return new Uint8Array(await body.arrayBuffer());
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('backgroundFetch: the body must be a string, URLSearchParams, a Blob or bytes.');
}

const NULL_BODY_STATUSES = [204, 205, 304];

async function toResponse(res: IncomingMessage, url: URL, method: string): Promise<Response> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) throw new TypeError('fetch failed', { cause: new Error(`status ${status}`) });
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (method === 'HEAD' || NULL_BODY_STATUSES.includes(status)) res.resume();
  else body = toWebStream(await decoded(res, headers.get('content-encoding')));
  const response = new Response(body, { status, statusText: res.statusMessage ?? '', headers });
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

async function decoded(res: IncomingMessage, encoding: string | null): Promise<Readable> {
  const coding = encoding?.trim().toLowerCase();
  if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate' && coding !== 'br') return res;
  const zlib = await import('node:zlib');
  const decoder =
    coding === 'br'
      ? zlib.createBrotliDecompress()
      : coding === 'deflate'
        ? zlib.createInflate()
        : zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  res.on('error', (error) => decoder.destroy(error));
  return res.pipe(decoder);
}

/** A Node stream as a web ReadableStream, with backpressure; a connection lost midway errors it. */
function toWebStream(source: Readable): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (error: unknown) => {
        if (finished) return;
        finished = true;
        controller.error(error);
      };
      source.on('data', (chunk: Uint8Array) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.on('end', () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      source.on('error', fail);
      source.on('close', () => fail(new TypeError('terminated')));
    },
    pull() {
      source.resume();
    },
    cancel() {
      finished = true;
      source.destroy();
    },
  });
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Runs in Node (global-setup.ts): a server whose answers the page may not read, for the requests a
 * browser blocks (issue 18, item 22). It answers every method, HEAD included, on any path of:
 * - `/no-acao/`: preflights allow the page, but answers lack Access-Control-Allow-Origin;
 * - `/no-preflight/`: preflights are refused (no CORS header at all), so only the probe gets in;
 * - `/hang/`: never answers.
 * `GET /requests` (readable by any origin) counts what reached it: `{ "GET /no-acao/v1/documents": 1 }`.
 */
export async function startBlockingServer() {
  const seen: Record<string, number> = {};
  const server = createServer((request, response) => {
    request.resume();
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/requests') {
      response.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
      response.end(JSON.stringify(seen));
      return;
    }
    const key = `${request.method} ${pathname}`;
    seen[key] = (seen[key] ?? 0) + 1;
    if (pathname.startsWith('/hang/')) return;
    if (request.method === 'OPTIONS' && pathname.startsWith('/no-acao/')) {
      response.writeHead(204, {
        'Access-Control-Allow-Origin': request.headers.origin ?? '*',
        'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE',
        // `*` would not cover Authorization (Fetch standard, CORS-preflight fetch).
        'Access-Control-Allow-Headers': request.headers['access-control-request-headers'] ?? '',
        // Each test sees its own preflight.
        'Access-Control-Max-Age': '0',
      });
      response.end();
      return;
    }
    const bodyless = request.method === 'OPTIONS' || request.method === 'HEAD';
    response.writeHead(bodyless ? 204 : 200, bodyless ? {} : { 'Content-Type': 'application/json' });
    response.end(bodyless ? undefined : '{"data":[],"hasMore":false}');
  });
  const url = await listen(server);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: a port that was free a moment ago. */
export async function closedUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

function listen(server: ReturnType<typeof createServer>): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export type RawRequest = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
type Handler = (req: RawRequest, res: ServerResponse) => void;

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

/**
 * A real HTTP server on 127.0.0.1 that answers with whatever a test crafts (bodies the dev server
 * never sends: HTML, truncated JSON, tokens with newlines). Records every request; closed after the test.
 */
export async function rawServer(handler: Handler) {
  const requests: RawRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

/** A token endpoint answer, for raw servers. */
export function tokenAnswer(res: ServerResponse, accessToken = 'cdx_at_raw', expiresIn = 3600) {
  json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: 'read write' });
}

export function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_raw' }).end(JSON.stringify(body));
}

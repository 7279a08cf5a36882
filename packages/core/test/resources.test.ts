import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock';
import { resolveConfig } from '../src/config';
import type { OperationSpec } from '../src/operations';
import { RateLimiter } from '../src/rate-limiter';
import { buildResources } from '../src/resources';
import { TokenManager } from '../src/token-manager';
import { memoryTokenStore } from '../src/token-store';
import { Transport } from '../src/transport';

// An operation the dev server does not have yet, as `pnpm generate` would add it to the table:
// the client gains the method with no hand-written code.
const archive: OperationSpec = {
  operationId: 'archiveDocument',
  resource: 'documents',
  method: 'archive',
  httpMethod: 'POST',
  path: '/documents/{id}/archive',
  pathParams: ['id'],
  queryParams: [],
  hasBody: true,
  auth: true,
  scopes: ['write'],
  idempotency: true,
  pagination: null,
  batch: null,
};

const seen: Array<{ method: string; url: string; auth: string; key: string; body: string }> = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      auth: req.headers.authorization ?? '',
      key: String(req.headers['idempotency-key']),
      body,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"archived":true}');
  });
});
let baseUrl = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('resources from the operation table', () => {
  it('turn a new table row into client.<resource>.<method>() that sends the right request', async () => {
    const config = resolveConfig({ baseUrl });
    const tokens = new TokenManager({
      fetchToken: async () => ({ accessToken: 'tok', expiresIn: 3600 }),
      store: memoryTokenStore,
      key: `resources-test|${baseUrl}`,
      clock: systemClock,
    });
    const transport = new Transport(config, tokens, new RateLimiter(systemClock));
    const resources = buildResources({ archiveDocument: archive }, transport, config) as unknown as {
      documents: { archive(id: string, body: unknown, options?: { idempotencyKey?: string }): Promise<unknown> };
    };
    const result = await resources.documents.archive('doc 1/x', { reason: 'old' }, { idempotencyKey: 'k1' });
    expect(result).toEqual({ archived: true });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/v1/documents/doc%201%2Fx/archive',
        auth: 'Bearer tok',
        key: 'k1',
        body: '{"reason":"old"}',
      },
    ]);
  });
});

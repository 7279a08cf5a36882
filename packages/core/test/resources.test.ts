import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock';
import { resolveConfig } from '../src/config';
import type { OperationSpec } from '../src/operations';
import { RateLimiter } from '../src/rate-limiter';
import { APIResource, call } from '../src/resources';
import { TokenManager } from '../src/token-manager';
import { memoryTokenStore } from '../src/token-store';
import { Transport } from '../src/transport';

// An operation the dev server does not have yet, as `pnpm generate` would add it to the table and
// to the generated resource class: one line calling the hand-written `call` helper.
const archive: OperationSpec = {
  operationId: 'archiveDocument',
  resource: 'documents',
  method: 'archive',
  httpMethod: 'POST',
  path: '/documents/{id}/archive',
  pathParams: ['id'],
  queryParams: [],
  hasBody: true,
  hasResponseBody: true,
  auth: true,
  scopes: ['write'],
  idempotency: true,
  pagination: null,
  batch: null,
  batchable: null,
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

class Documents extends APIResource {
  archive(id: string, body: unknown, options?: { idempotencyKey?: string }) {
    return call(this, archive, { path: { id }, body }, options);
  }
}

describe('resource methods as the generator writes them', () => {
  it('send the right request for a table row', async () => {
    const config = resolveConfig({ baseUrl });
    const tokens = new TokenManager({
      fetchToken: async () => ({ accessToken: 'tok', expiresIn: 3600 }),
      store: memoryTokenStore,
      key: `resources-test|${baseUrl}`,
      clock: systemClock,
    });
    const transport = new Transport(config, tokens, new RateLimiter(systemClock));
    const documents = new Documents({ transport, config });
    const { data, requestId } = await documents
      .archive('doc 1/x', { reason: 'old' }, { idempotencyKey: 'k1' })
      .withResponse();
    expect(data).toEqual({ archived: true });
    expect(requestId).toBeUndefined();
    expect(JSON.stringify(documents)).toBe('{}');
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

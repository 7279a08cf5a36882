import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createConfig, sdk } from '../src/generated-entry';
import { operationTable } from '../src/index';

// The generated layer over real HTTP on 127.0.0.1: a recording server stands in for the API
// until @codex/dev-server exists; it answers every request with an empty page.
type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
const seen: Seen[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"next_cursor":null}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('generated ky client', () => {
  it('sends listDocuments as GET /documents with its query', async () => {
    const client = createClient(createConfig({ baseUrl }));
    const result = await sdk.listDocuments({ client, query: { limit: 5, cursor: 'abc' }, throwOnError: true });
    expect(result.data).toEqual({ data: [], next_cursor: null });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/documents?limit=5&cursor=abc' });
  });

  it('sends createDocument as a JSON POST with the Idempotency-Key header', async () => {
    const client = createClient(createConfig({ baseUrl }));
    await sdk.createDocument({
      client,
      body: { title: 'T', content: 'C' },
      headers: { 'Idempotency-Key': 'key-1' },
      throwOnError: true,
    });
    const request = seen.at(-1);
    expect(request).toMatchObject({ method: 'POST', url: '/v1/documents' });
    expect(request?.headers['idempotency-key']).toBe('key-1');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request?.body ?? '')).toEqual({ title: 'T', content: 'C' });
  });

  it('fills path parameters: getDocument -> GET /documents/{id}', async () => {
    const client = createClient(createConfig({ baseUrl }));
    await sdk.getDocument({ client, path: { id: 'doc_42' }, throwOnError: true });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/documents/doc_42' });
  });
});

describe('operation table', () => {
  it('puts every operation of the contract on its client method', () => {
    const methods = Object.values(operationTable).map(
      (op) => `${op.resource}.${op.method} ${op.httpMethod} ${op.path}`,
    );
    expect(methods.sort()).toEqual([
      'auth.token POST /auth/token',
      'documents.batch POST /documents/batch',
      'documents.create POST /documents',
      'documents.delete DELETE /documents/{id}',
      'documents.get GET /documents/{id}',
      'documents.list GET /documents',
      'documents.update PATCH /documents/{id}',
    ]);
  });

  it('has an SDK function for every row', () => {
    for (const op of Object.values(operationTable)) expect(typeof sdk[op.operationId]).toBe('function');
  });

  it('carries what the runtime needs: scopes, idempotency, pagination, batch limit', () => {
    expect(operationTable.issueToken).toMatchObject({ auth: false, scopes: [] });
    expect(operationTable.listDocuments).toMatchObject({
      scopes: ['read'],
      pagination: { cursorParam: 'cursor', limitParam: 'limit', itemsField: 'data', nextCursorField: 'next_cursor' },
    });
    expect(operationTable.createDocument).toMatchObject({ scopes: ['write'], idempotency: true });
    expect(operationTable.batchDocuments).toMatchObject({
      idempotency: true,
      batch: { operationsField: 'operations', resultsField: 'results', maxOperations: 100 },
    });
    expect(operationTable.getDocument.pathParams).toEqual(['id']);
  });
});

// biome-ignore-all lint/suspicious/noExplicitAny: the test walks the spec as untyped YAML.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// openapi/codex.yaml against the contract (shared/codex-api-v1.md): every code, header and limit.
// The expectations below are transcribed from the contract, not read from the spec. The spec is
// the only list of operations: the contract's operations are pinned where the contract fixes
// them (scopes, statuses, error codes, idempotency, batch ops), and an operation added to the spec
// is held to the rules the contract states for every operation, derived from the operation itself
// (its security, its body) rather than from a list here. Adding an operation needs no edit here.

type Json = Record<string, any>;
let spec: Json;

const SPEC = new URL('../../../openapi/codex.yaml', import.meta.url);
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** The contract's operations: their scopes (null: no token) and success status. */
const CONTRACT: Record<string, [string[] | null, string]> = {
  'POST /auth/token': [null, '200'],
  'GET /documents': [['read'], '200'],
  'POST /documents': [['write'], '201'],
  'GET /documents/{id}': [['read'], '200'],
  'PATCH /documents/{id}': [['write'], '200'],
  'DELETE /documents/{id}': [['write'], '204'],
  'POST /documents/batch': [['write'], '200'],
};

// How the contract says any request can fail (contract, Errors).
const COMMON = ['rate_limited', 'internal_error', 'unavailable'];
const BEARER = ['missing_token', 'invalid_token', 'insufficient_scope'];
// Every body can be too large or not JSON.
const BODY = ['invalid_request', 'payload_too_large', 'unsupported_media_type'];

function deref(node: any): any {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((n: any, k: string) => n?.[k], spec);
  }
  return current;
}

function operations(): Array<{ key: string; op: Json }> {
  return Object.entries(spec.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, op: item[m] })),
  );
}

function op(key: string): Json {
  const found = operations().find((o) => o.key === key);
  if (!found) throw new Error(`${key} is not in the spec`);
  return found.op;
}

/** Every error example of every response of an operation, as code -> status. */
function errorCodes(operation: Json): Map<string, string> {
  const codes = new Map<string, string>();
  for (const [status, ref] of Object.entries(operation.responses as Json)) {
    const media = deref(ref).content?.['application/json'];
    const examples = [media?.example, ...Object.values(media?.examples ?? {}).map((e: any) => e.value)];
    for (const example of examples) if (example?.error?.code) codes.set(example.error.code, status);
  }
  return codes;
}

beforeAll(async () => {
  spec = parse(await readFile(SPEC, 'utf8'));
});

describe('openapi/codex.yaml follows the Codex API v1 contract', () => {
  it('serves https://api.codex.dev/v1 with OAuth 2.0 client credentials and scopes read, write', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.servers).toEqual([expect.objectContaining({ url: 'https://api.codex.dev/v1' })]);
    const flow = spec.components.securitySchemes.codexAuth.flows.clientCredentials;
    expect(flow.tokenUrl).toBe('https://api.codex.dev/v1/auth/token');
    expect(Object.keys(flow.scopes).sort()).toEqual(['read', 'write']);
  });

  it('has the contract operations, with the contract scopes and success statuses', () => {
    const keys = operations().map((o) => o.key);
    for (const [key, [scopes, success]] of Object.entries(CONTRACT)) {
      expect(keys, key).toContain(key);
      const operation = op(key);
      if (scopes === null) expect(operation.security, key).toEqual([]);
      else expect(operation.security, key).toEqual([{ codexAuth: scopes }]);
      const successes = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
      expect(successes, key).toEqual([success]);
    }
  });

  it("gives every operation, the contract's and any added one, what the SDKs and the dev server need", () => {
    const ids = new Set<string>();
    const scopes = Object.keys(spec.components.securitySchemes.codexAuth.flows.clientCredentials.scopes);
    for (const { key, op: operation } of operations()) {
      expect(operation.operationId, key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(ids.has(operation.operationId), `${key}: operationId ${operation.operationId} is taken`).toBe(false);
      ids.add(operation.operationId);
      expect(operation['x-codex-resource'], key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(operation['x-codex-method'], key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      // Only the token endpoint goes without a token (contract, Authentication).
      expect(Array.isArray(operation.security), `${key}: security`).toBe(true);
      if (key !== 'POST /auth/token') {
        expect(operation.security, key).toEqual([{ codexAuth: [expect.any(String)] }]);
        expect(scopes, key).toContain(operation.security[0].codexAuth[0]);
      }
      const successes = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
      expect(successes, `${key}: exactly one success status`).toHaveLength(1);
    }
  });

  it('defines every error code and maps each to its contract status', () => {
    const contract: Record<string, string> = {
      invalid_request: '400',
      invalid_client: '401',
      missing_token: '401',
      invalid_token: '401',
      insufficient_scope: '403',
      not_found: '404',
      idempotency_key_reused: '422',
      payload_too_large: '413',
      unsupported_media_type: '415',
      rate_limited: '429',
      internal_error: '500',
      unavailable: '503',
    };
    expect([...spec.components.schemas.ErrorCode.enum].sort()).toEqual(Object.keys(contract).sort());
    const seen = new Map<string, string>();
    for (const { key, op: operation } of operations()) {
      for (const [code, status] of errorCodes(operation)) {
        expect(status, `${key} ${code}`).toBe(contract[code]);
        seen.set(code, status);
      }
    }
    expect([...seen.keys()].sort()).toEqual(Object.keys(contract).sort());
  });

  it('lets every operation fail the ways the contract says it can', () => {
    // The contract's operations: exactly these codes.
    const expected: Record<string, string[]> = {
      'POST /auth/token': [...BODY, 'invalid_client', ...COMMON],
      'GET /documents': ['invalid_request', ...BEARER, ...COMMON],
      'POST /documents': [...BODY, ...BEARER, 'idempotency_key_reused', ...COMMON],
      'GET /documents/{id}': [...BEARER, 'not_found', ...COMMON],
      'PATCH /documents/{id}': [...BODY, ...BEARER, 'not_found', ...COMMON],
      'DELETE /documents/{id}': [...BEARER, 'not_found', ...COMMON],
      'POST /documents/batch': [...BODY, ...BEARER, 'idempotency_key_reused', ...COMMON],
    };
    for (const [key, codes] of Object.entries(expected)) {
      expect([...errorCodes(op(key)).keys()].sort(), key).toEqual([...codes].sort());
    }
    // Any other operation: at least what every request can get, by what the operation has.
    for (const { key, op: operation } of operations()) {
      if (key in expected) continue;
      const codes = [...errorCodes(operation).keys()];
      const needed = [...COMMON, ...BEARER];
      if (operation.requestBody) needed.push(...BODY);
      if (operation['x-codex-idempotency'] === true) needed.push('idempotency_key_reused');
      for (const code of needed) expect(codes, `${key} can fail with ${code}`).toContain(code);
    }
  });

  it('uses the error envelope {error: {code, message, request_id, param?}} for every error response', () => {
    const detail = spec.components.schemas.ErrorDetail;
    expect(detail.required.sort()).toEqual(['code', 'message', 'request_id']);
    expect(Object.keys(detail.properties).sort()).toEqual(['code', 'message', 'param', 'request_id']);
    for (const { key, op: operation } of operations()) {
      for (const [status, ref] of Object.entries(operation.responses as Json)) {
        if (status.startsWith('2')) continue;
        expect(deref(ref).content['application/json'].schema, `${key} ${status}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
  });

  it('declares X-Request-Id and X-RateLimit-* on every response, Retry-After on 429, WWW-Authenticate on 401', () => {
    for (const { key, op: operation } of operations()) {
      for (const [status, ref] of Object.entries(operation.responses as Json)) {
        const headers = Object.keys(deref(ref).headers ?? {});
        for (const name of ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) {
          expect(headers, `${key} ${status}`).toContain(name);
        }
        if (status === '429') expect(headers, `${key} 429`).toContain('Retry-After');
        if (status === '401' && key !== 'POST /auth/token') expect(headers, `${key} 401`).toContain('WWW-Authenticate');
      }
    }
    expect(spec.components.headers['WWW-Authenticate'].schema.const).toBe('Bearer error="invalid_token"');
  });

  it('sends WWW-Authenticate with invalid_token only, so it is not a required header of every 401', () => {
    // Contract, Using the token: missing_token has no WWW-Authenticate (issue 9, item 19).
    expect(spec.components.headers['WWW-Authenticate'].required).not.toBe(true);
  });

  it('accepts both forms of Retry-After, delta-seconds and HTTP-date, and nothing else', () => {
    // Issue 9, item 18: with oneOf over overlapping branches, every `Retry-After: 30` was invalid.
    const schemas = [
      deref(spec.components.headers['Retry-After'].schema),
      deref(deref(spec.components.responses.Unavailable).headers['Retry-After'].schema),
    ];
    for (const schema of schemas) {
      const branches: Json[] = (schema.anyOf ?? schema.oneOf).map(deref);
      const matching = (value: string) =>
        branches.filter(
          (b) => (b.type ?? schema.type) === 'string' && (b.pattern === undefined || new RegExp(b.pattern).test(value)),
        ).length;
      const valid = (value: string) => (schema.oneOf ? matching(value) === 1 : matching(value) >= 1);
      for (const value of ['0', '30', 'Wed, 21 Oct 2026 07:28:00 GMT', new Date(0).toUTCString()]) {
        expect(valid(value), value).toBe(true);
      }
      for (const value of ['soon', '-1', '2026-10-21T07:28:00Z']) expect(valid(value), value).toBe(false);
    }
  });

  it('takes an Idempotency-Key (1-255 chars) on POST /documents and POST /documents/batch, not on the other contract operations, and says Idempotent-Replayed', () => {
    const contract = ['POST /documents', 'POST /documents/batch'];
    for (const { key, op: operation } of operations()) {
      const params = (operation.parameters ?? []).map(deref);
      const idem = params.find((p: Json) => p.name === 'Idempotency-Key');
      // Header and extension go together on every operation; the contract fixes its own.
      expect(operation['x-codex-idempotency'] === true, key).toBe(Boolean(idem));
      if (key in CONTRACT) expect(Boolean(idem), key).toBe(contract.includes(key));
      if (idem) {
        expect(idem.in).toBe('header');
        expect(deref(idem.schema)).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
        const success = Object.entries(operation.responses as Json).find(([s]) => s.startsWith('2'))?.[1];
        expect(Object.keys(deref(success).headers ?? {}), key).toContain('Idempotent-Replayed');
      }
    }
  });

  it('carries the limits as schema constraints: title 1-200, content 1 MiB, metadata 16, limit 1-100 (20), batch 1-100', () => {
    const { Title, Content, Metadata, BatchRequest, DocumentList } = spec.components.schemas;
    expect(Title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(Content).toMatchObject({ type: 'string', 'x-codex-max-bytes': 1024 * 1024 });
    expect(Metadata).toMatchObject({ type: 'object', maxProperties: 16, additionalProperties: { type: 'string' } });
    expect(BatchRequest.properties.operations).toMatchObject({ minItems: 1, maxItems: 100 });
    expect(op('POST /documents/batch')['x-codex-batch'].maxOperations).toBe(100);
    const limit = op('GET /documents').parameters.find((p: Json) => p.name === 'limit');
    expect(deref(limit.schema)).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    expect(DocumentList.properties.next_cursor.type).toEqual(['string', 'null']);
    expect(op('GET /documents')['x-codex-pagination']).toEqual({
      cursorParam: 'cursor',
      limitParam: 'limit',
      itemsField: 'data',
      nextCursorField: 'next_cursor',
    });
  });

  it('accepts any batch item on the wire, typed as a BatchOperation for the SDKs', () => {
    // Contract: one bad operation fails alone, so a bad item cannot make the request invalid
    // (issue 9, item 20); the wire-only branch is what the SDK's types leave out.
    const items = spec.components.schemas.BatchRequest.properties.operations.items;
    expect(items.anyOf).toEqual([
      { $ref: '#/components/schemas/BatchOperation' },
      expect.objectContaining({ not: { $ref: '#/components/schemas/BatchOperation' }, 'x-codex-wire-only': true }),
    ]);
  });

  it('makes create, update and delete batchable as the batch ops of the contract', () => {
    // Contract: Op is {"op": "create", "document"}, {"op": "update", "id", "document"},
    // {"op": "delete", "id"} (issue 20: single calls are folded into POST /documents/batch).
    expect(op('POST /documents')['x-codex-batchable']).toEqual({
      via: 'batchDocuments',
      op: 'create',
      body: 'document',
    });
    expect(op('PATCH /documents/{id}')['x-codex-batchable']).toEqual({
      via: 'batchDocuments',
      op: 'update',
      id: 'id',
      body: 'document',
    });
    expect(op('DELETE /documents/{id}')['x-codex-batchable']).toEqual({
      via: 'batchDocuments',
      op: 'delete',
      id: 'id',
    });
    expect(op('POST /documents/batch').operationId).toBe('batchDocuments');
    // The contract's other operations are not batchable; an added one may be, through a batch operation.
    const batchable = operations().filter(({ op: operation }) => operation['x-codex-batchable']);
    const contractBatchable = batchable.map(({ key }) => key).filter((key) => key in CONTRACT);
    expect(contractBatchable.sort()).toEqual(['DELETE /documents/{id}', 'PATCH /documents/{id}', 'POST /documents']);
    const batches = operations().filter(({ op: operation }) => operation['x-codex-batch']);
    for (const { key, op: operation } of batchable) {
      const via = operation['x-codex-batchable'].via;
      expect(
        batches.map(({ op: batch }) => batch.operationId),
        `${key}: x-codex-batchable.via`,
      ).toContain(via);
    }
  });

  it('has examples a mock can serve: a last page, and batch results answering their operations', () => {
    // Issue 9, item 22: a mock serves the first example; without one, Prism paginated forever.
    const list = op('GET /documents').responses['200'].content['application/json'];
    const [first] = Object.values(list.examples as Json) as Json[];
    expect(first?.value.next_cursor).toBeNull();
    const batch = op('POST /documents/batch');
    const requests = batch.requestBody.content['application/json'].examples as Json;
    const responses = batch.responses['200'].content['application/json'].examples as Json;
    expect(Object.keys(responses)).toEqual(Object.keys(requests));
    for (const [name, example] of Object.entries(requests)) {
      const indexes = responses[name].value.results.map((r: Json) => r.index);
      expect(indexes, name).toEqual(example.value.operations.map((_: unknown, i: number) => i));
    }
  });

  it('describes the token exchange and the document and batch shapes', () => {
    const { TokenRequest, TokenResponse, Document, BatchOperation, BatchResult } = spec.components.schemas;
    expect(TokenRequest.required.sort()).toEqual(['client_id', 'client_secret']);
    expect(Object.keys(TokenRequest.properties).sort()).toEqual(['client_id', 'client_secret', 'scope']);
    expect(TokenResponse.required.sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(TokenResponse.properties.token_type.const).toBe('Bearer');
    expect(Document.required.sort()).toEqual(['content', 'created_at', 'id', 'metadata', 'title', 'updated_at']);
    // The contract's ops; any other is the op of an operation made batchable (x-codex-batchable).
    const ops = Object.keys(BatchOperation.discriminator.mapping);
    expect(ops).toEqual(expect.arrayContaining(['create', 'delete', 'update']));
    const batchableOps = operations()
      .map(({ op: operation }) => operation['x-codex-batchable']?.op)
      .filter(Boolean);
    for (const extra of ops.filter((o) => !['create', 'delete', 'update'].includes(o))) {
      expect(batchableOps, `batch op ${extra} belongs to a batchable operation`).toContain(extra);
    }
    expect(BatchResult.required.sort()).toEqual(['index', 'status']);
    expect(Object.keys(BatchResult.properties).sort()).toEqual(['document', 'error', 'index', 'status']);
  });
});

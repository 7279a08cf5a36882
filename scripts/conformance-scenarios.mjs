// The drive of scripts/conformance.mjs: every operation of openapi/codex.yaml, its success and
// every error status the spec lists for it, each sent through Prism to the dev server.
//
// `via: 'strict'` goes through `prism proxy --errors`: the request must be valid and the answer
// must conform, with no violation at all (warnings included: an undocumented status is one).
// `via: 'report'` is for requests the spec itself calls invalid (a missing token, a 415, a 400
// from a schema violation), which `--errors` would answer without asking the server: they go
// through a Prism without `--errors`, which must report a request violation (else the request
// belongs in 'strict') and nothing wrong with the response.
//
// `prepare(ctx)` sets the scene directly on the dev server (tokens, documents, faults, limits)
// and returns the request; `after(ctx)` undoes what it changed.

const INVALID_TOKEN = { name: 'www-authenticate', value: 'Bearer error="invalid_token"' };
const NO_WWW_AUTHENTICATE = { name: 'www-authenticate', value: null };
const REPLAYED = { name: 'idempotent-replayed', value: 'true' };
const DELTA_SECONDS = { name: 'retry-after', value: /^[0-9]+$/ };
const HTTP_DATE = { name: 'retry-after', value: / GMT$/ };
const doc = { title: 'Conformance', content: 'Driven through Prism.' };
// 600,000 two-byte characters: within maxLength (characters), over 1 MiB of UTF-8 (413).
const bigContent = () => 'é'.repeat(600_000);
const MISSING_ID = 'doc_0000000000conformance';

/** The bearer operations' shared cases: 401 (both codes), 403, 429, 500, 503. */
function bearerCases(operationId, scope, request) {
  const otherScope = scope === 'read' ? 'write' : 'read';
  return [
    {
      operationId,
      name: 'no Authorization header: 401 missing_token, no WWW-Authenticate',
      via: 'report',
      requestViolation: /security|Invalid security scheme/i,
      prepare: async (ctx) => request(ctx, null),
      expect: { status: 401, code: 'missing_token', headers: [NO_WWW_AUTHENTICATE] },
    },
    {
      operationId,
      name: 'an unknown token: 401 invalid_token with WWW-Authenticate',
      via: 'strict',
      prepare: async (ctx) => request(ctx, 'cdx_at_not_a_token'),
      expect: { status: 401, code: 'invalid_token', headers: [INVALID_TOKEN] },
    },
    {
      operationId,
      name: 'an expired token: 401 invalid_token with WWW-Authenticate',
      via: 'strict',
      prepare: async (ctx) => {
        ctx.admin.configure({ tokenLifetimeSeconds: 0.001 });
        const token = await ctx.token('rw', undefined, { fresh: true });
        ctx.admin.configure({ tokenLifetimeSeconds: 3600 });
        await new Promise((resolve) => setTimeout(resolve, 5));
        return request(ctx, token);
      },
      expect: { status: 401, code: 'invalid_token', headers: [INVALID_TOKEN] },
    },
    {
      operationId,
      name: `a token without scope ${scope}: 403 insufficient_scope`,
      via: 'strict',
      prepare: async (ctx) => request(ctx, await (scope === 'write' ? ctx.token('ro') : ctx.token('rw', otherScope))),
      expect: { status: 403, code: 'insufficient_scope' },
    },
    ...['seconds', 'http-date'].map((format) => ({
      operationId,
      name: `over the rate limit: 429 rate_limited, Retry-After as ${format}`,
      via: 'strict',
      prepare: async (ctx) => {
        const token = await ctx.token('rw');
        const sent = await request(ctx, token);
        ctx.admin.configure({ rateLimit: { limit: 1 }, retryAfterFormat: format });
        await ctx.direct('GET', '/documents', { token }); // the window's one request
        return sent;
      },
      after: (ctx) => ctx.admin.configure({ rateLimit: { limit: 1000 }, retryAfterFormat: 'seconds' }),
      expect: { status: 429, code: 'rate_limited', headers: [format === 'seconds' ? DELTA_SECONDS : HTTP_DATE] },
    })),
    ...[
      [500, 'internal_error', {}],
      [503, 'unavailable', { retryAfter: 5, retryAfterFormat: 'http-date' }],
    ].map(([status, code, extra]) => ({
      operationId,
      name: `an injected fault: ${status} ${code}`,
      via: 'strict',
      prepare: async (ctx) => {
        const token = await ctx.token('rw');
        const sent = await request(ctx, token);
        ctx.admin.fault({ operationId, type: 'status', status, ...extra });
        return sent;
      },
      expect: { status, code },
    })),
  ];
}

/** Cases every operation with a JSON body has: 415 for other media types. */
function bodyCases(operationId, request) {
  return ['text/plain', 'application/xml'].map((type) => ({
    operationId,
    name: `a body as ${type}: 415 unsupported_media_type`,
    via: 'report',
    requestViolation: /content types/i,
    prepare: async (ctx) => ({ ...(await request(ctx)), raw: type === 'text/plain' ? 'hello' : '<doc/>', type }),
    expect: { status: 415, code: 'unsupported_media_type' },
  }));
}

const bearer = (token) => (token ? { Authorization: `Bearer ${token}` } : {});

async function newDocument(ctx) {
  const created = await ctx.direct('POST', '/documents', { token: await ctx.token('rw'), body: doc });
  return created.body.id;
}

const tokenBody = (ctx, extra = {}) => ({
  client_id: ctx.keys.rw.clientId,
  client_secret: ctx.keys.rw.clientSecret,
  ...extra,
});

export const scenarios = [
  // POST /auth/token
  {
    operationId: 'issueToken',
    name: 'client credentials: 200 and a token',
    via: 'strict',
    prepare: async (ctx) => ({ method: 'POST', path: '/auth/token', body: tokenBody(ctx) }),
    expect: { status: 200 },
  },
  {
    operationId: 'issueToken',
    name: 'a read-only key asking for write: 200 with scope read',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/auth/token',
      body: { client_id: ctx.keys.ro.clientId, client_secret: ctx.keys.ro.clientSecret, scope: 'read write' },
    }),
    expect: { status: 200, body: (b) => b.scope === 'read' },
  },
  {
    operationId: 'issueToken',
    name: 'no client_secret: 400 invalid_request',
    via: 'report',
    requestViolation: /client_secret/,
    prepare: async (ctx) => ({ method: 'POST', path: '/auth/token', body: { client_id: ctx.keys.rw.clientId } }),
    expect: { status: 400, code: 'invalid_request' },
  },
  {
    operationId: 'issueToken',
    name: 'a wrong secret: 401 invalid_client',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/auth/token',
      body: tokenBody(ctx, { client_secret: 'cdx_sk_wrong' }),
    }),
    expect: { status: 401, code: 'invalid_client' },
  },
  {
    operationId: 'issueToken',
    name: 'a body over 64 KiB: 413 payload_too_large',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/auth/token',
      body: tokenBody(ctx, { client_id: `cdx_id_${'x'.repeat(70 * 1024)}` }),
    }),
    expect: { status: 413, code: 'payload_too_large' },
  },
  ...bodyCases('issueToken', async (ctx) => ({ method: 'POST', path: '/auth/token', body: tokenBody(ctx) })),
  ...['seconds', 'http-date'].map((format) => ({
    operationId: 'issueToken',
    name: `over the rate limit: 429 rate_limited, Retry-After as ${format}`,
    via: 'strict',
    prepare: async (ctx) => {
      ctx.admin.configure({ rateLimit: { limit: 1 }, retryAfterFormat: format });
      await ctx.direct('POST', '/auth/token', { body: tokenBody(ctx) });
      return { method: 'POST', path: '/auth/token', body: tokenBody(ctx) };
    },
    after: (ctx) => ctx.admin.configure({ rateLimit: { limit: 1000 }, retryAfterFormat: 'seconds' }),
    expect: { status: 429, code: 'rate_limited', headers: [format === 'seconds' ? DELTA_SECONDS : HTTP_DATE] },
  })),
  ...[
    [500, 'internal_error'],
    [503, 'unavailable'],
  ].map(([status, code]) => ({
    operationId: 'issueToken',
    name: `an injected fault: ${status} ${code}`,
    via: 'strict',
    prepare: async (ctx) => {
      ctx.admin.fault({ operationId: 'issueToken', type: 'status', status, retryAfter: 3 });
      return { method: 'POST', path: '/auth/token', body: tokenBody(ctx) };
    },
    expect: { status, code },
  })),

  // GET /documents
  {
    operationId: 'listDocuments',
    name: 'a first page with more after it: 200 and a next_cursor',
    via: 'strict',
    prepare: async (ctx) => {
      await newDocument(ctx);
      await newDocument(ctx);
      return { method: 'GET', path: '/documents?limit=1', headers: bearer(await ctx.token('ro')) };
    },
    expect: { status: 200, body: (b) => typeof b.next_cursor === 'string' },
  },
  {
    operationId: 'listDocuments',
    name: 'the last page: 200 and next_cursor null',
    via: 'strict',
    prepare: async (ctx) => ({ method: 'GET', path: '/documents?limit=100', headers: bearer(await ctx.token('ro')) }),
    expect: { status: 200, body: (b) => b.next_cursor === null },
  },
  {
    operationId: 'listDocuments',
    name: 'a cursor the API did not issue: 400 invalid_request',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'GET',
      path: '/documents?cursor=bogus',
      headers: bearer(await ctx.token('ro')),
    }),
    expect: { status: 400, code: 'invalid_request' },
  },
  {
    operationId: 'listDocuments',
    name: 'limit 0: 400 invalid_request',
    via: 'report',
    requestViolation: /limit/,
    prepare: async (ctx) => ({ method: 'GET', path: '/documents?limit=0', headers: bearer(await ctx.token('ro')) }),
    expect: { status: 400, code: 'invalid_request' },
  },
  ...bearerCases('listDocuments', 'read', async (_ctx, token) => ({
    method: 'GET',
    path: '/documents',
    headers: bearer(token),
  })),

  // POST /documents
  {
    operationId: 'createDocument',
    name: 'a document: 201',
    via: 'strict',
    prepare: async (ctx) => ({ method: 'POST', path: '/documents', headers: bearer(await ctx.token('rw')), body: doc }),
    expect: { status: 201 },
  },
  {
    operationId: 'createDocument',
    name: 'the same Idempotency-Key and body again: 201 replayed',
    via: 'strict',
    prepare: async (ctx) => {
      const token = await ctx.token('rw');
      const headers = { ...bearer(token), 'Idempotency-Key': 'conformance-replay' };
      await ctx.direct('POST', '/documents', {
        token,
        body: doc,
        headers: { 'Idempotency-Key': 'conformance-replay' },
      });
      return { method: 'POST', path: '/documents', headers, body: doc };
    },
    expect: { status: 201, headers: [REPLAYED] },
  },
  {
    operationId: 'createDocument',
    name: 'the same Idempotency-Key with another body: 422 idempotency_key_reused',
    via: 'strict',
    prepare: async (ctx) => {
      const token = await ctx.token('rw');
      await ctx.direct('POST', '/documents', { token, body: doc, headers: { 'Idempotency-Key': 'conformance-reuse' } });
      return {
        method: 'POST',
        path: '/documents',
        headers: { ...bearer(token), 'Idempotency-Key': 'conformance-reuse' },
        body: { ...doc, title: 'Another' },
      };
    },
    expect: { status: 422, code: 'idempotency_key_reused' },
  },
  {
    operationId: 'createDocument',
    name: 'an empty title: 400 invalid_request',
    via: 'report',
    requestViolation: /title/,
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/documents',
      headers: bearer(await ctx.token('rw')),
      body: { ...doc, title: '' },
    }),
    expect: { status: 400, code: 'invalid_request' },
  },
  {
    operationId: 'createDocument',
    name: 'an Idempotency-Key of 256 characters: 400 invalid_request',
    via: 'report',
    requestViolation: /idempotency-key/i,
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/documents',
      headers: { ...bearer(await ctx.token('rw')), 'Idempotency-Key': 'k'.repeat(256) },
      body: doc,
    }),
    expect: { status: 400, code: 'invalid_request' },
  },
  {
    operationId: 'createDocument',
    name: 'content over 1 MiB of UTF-8: 413 payload_too_large',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/documents',
      headers: bearer(await ctx.token('rw')),
      body: { title: 'Big', content: bigContent() },
    }),
    expect: { status: 413, code: 'payload_too_large' },
  },
  ...bodyCases('createDocument', async (ctx) => ({
    method: 'POST',
    path: '/documents',
    headers: bearer(await ctx.token('rw')),
  })),
  ...bearerCases('createDocument', 'write', async (_ctx, token) => ({
    method: 'POST',
    path: '/documents',
    headers: bearer(token),
    body: doc,
  })),

  // POST /documents/batch
  {
    operationId: 'batchDocuments',
    name: 'create, update and delete: 200 with 201, 200, 204',
    via: 'strict',
    prepare: async (ctx) => {
      const [a, b] = [await newDocument(ctx), await newDocument(ctx)];
      return {
        method: 'POST',
        path: '/documents/batch',
        headers: bearer(await ctx.token('rw')),
        body: {
          operations: [
            { op: 'create', document: doc },
            { op: 'update', id: a, document: { title: 'Renamed' } },
            { op: 'delete', id: b },
          ],
        },
      };
    },
    expect: { status: 200, body: (b) => b.results.map((r) => r.status).join() === '201,200,204' },
  },
  {
    operationId: 'batchDocuments',
    name: 'bad operations fail alone: 200 with per-operation 400, 404 and 413',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/documents/batch',
      headers: bearer(await ctx.token('rw')),
      body: {
        operations: [
          { op: 'create', document: doc },
          { op: 'create', document: { ...doc, title: '' } },
          { op: 'archive', id: MISSING_ID },
          { op: 'delete', id: MISSING_ID },
          { op: 'create', document: { title: 'Big', content: bigContent() } },
        ],
      },
    }),
    expect: { status: 200, body: (b) => b.results.map((r) => r.status).join() === '201,400,400,404,413' },
  },
  {
    operationId: 'batchDocuments',
    name: 'the same Idempotency-Key and body again: 200 replayed',
    via: 'strict',
    prepare: async (ctx) => {
      const token = await ctx.token('rw');
      const body = { operations: [{ op: 'create', document: doc }] };
      await ctx.direct('POST', '/documents/batch', {
        token,
        body,
        headers: { 'Idempotency-Key': 'conformance-batch' },
      });
      return {
        method: 'POST',
        path: '/documents/batch',
        headers: { ...bearer(token), 'Idempotency-Key': 'conformance-batch' },
        body,
      };
    },
    expect: { status: 200, headers: [REPLAYED] },
  },
  {
    operationId: 'batchDocuments',
    name: 'the same Idempotency-Key with another body: 422 idempotency_key_reused',
    via: 'strict',
    prepare: async (ctx) => {
      const token = await ctx.token('rw');
      const headers = { 'Idempotency-Key': 'conformance-batch-reuse' };
      await ctx.direct('POST', '/documents/batch', {
        token,
        headers,
        body: { operations: [{ op: 'create', document: doc }] },
      });
      return {
        method: 'POST',
        path: '/documents/batch',
        headers: { ...bearer(token), ...headers },
        body: { operations: [{ op: 'delete', id: MISSING_ID }] },
      };
    },
    expect: { status: 422, code: 'idempotency_key_reused' },
  },
  {
    operationId: 'batchDocuments',
    name: 'no operations: 400 invalid_request',
    via: 'report',
    requestViolation: /operations/,
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/documents/batch',
      headers: bearer(await ctx.token('rw')),
      body: { operations: [] },
    }),
    expect: { status: 400, code: 'invalid_request' },
  },
  {
    operationId: 'batchDocuments',
    name: 'a body over the server limit: 413 payload_too_large',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'POST',
      path: '/documents/batch',
      headers: bearer(await ctx.token('rw')),
      // 5 x 900 kB > the 4 MiB limit the drive gives the server; each item is valid.
      body: {
        operations: Array.from({ length: 5 }, () => ({
          op: 'create',
          document: { title: 'Big', content: 'x'.repeat(900_000) },
        })),
      },
    }),
    expect: { status: 413, code: 'payload_too_large' },
  },
  ...bodyCases('batchDocuments', async (ctx) => ({
    method: 'POST',
    path: '/documents/batch',
    headers: bearer(await ctx.token('rw')),
  })),
  ...bearerCases('batchDocuments', 'write', async (_ctx, token) => ({
    method: 'POST',
    path: '/documents/batch',
    headers: bearer(token),
    body: { operations: [{ op: 'create', document: doc }] },
  })),

  // GET /documents/{id}
  {
    operationId: 'getDocument',
    name: 'a document: 200',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'GET',
      path: `/documents/${await newDocument(ctx)}`,
      headers: bearer(await ctx.token('ro')),
    }),
    expect: { status: 200 },
  },
  {
    operationId: 'getDocument',
    name: 'an unknown id: 404 not_found',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'GET',
      path: `/documents/${MISSING_ID}`,
      headers: bearer(await ctx.token('ro')),
    }),
    expect: { status: 404, code: 'not_found' },
  },
  ...bearerCases('getDocument', 'read', async (ctx, token) => ({
    method: 'GET',
    path: `/documents/${await newDocument(ctx)}`,
    headers: bearer(token),
  })),

  // PATCH /documents/{id}
  {
    operationId: 'updateDocument',
    name: 'a new title: 200',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'PATCH',
      path: `/documents/${await newDocument(ctx)}`,
      headers: bearer(await ctx.token('rw')),
      body: { title: 'Renamed' },
    }),
    expect: { status: 200, body: (b) => b.title === 'Renamed' },
  },
  {
    operationId: 'updateDocument',
    name: 'an unknown id: 404 not_found',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'PATCH',
      path: `/documents/${MISSING_ID}`,
      headers: bearer(await ctx.token('rw')),
      body: { title: 'Renamed' },
    }),
    expect: { status: 404, code: 'not_found' },
  },
  {
    operationId: 'updateDocument',
    name: 'no field: 400 invalid_request',
    via: 'report',
    requestViolation: /properties|fewer/i,
    prepare: async (ctx) => ({
      method: 'PATCH',
      path: `/documents/${await newDocument(ctx)}`,
      headers: bearer(await ctx.token('rw')),
      body: {},
    }),
    expect: { status: 400, code: 'invalid_request' },
  },
  {
    operationId: 'updateDocument',
    name: 'content over 1 MiB of UTF-8: 413 payload_too_large',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'PATCH',
      path: `/documents/${await newDocument(ctx)}`,
      headers: bearer(await ctx.token('rw')),
      body: { content: bigContent() },
    }),
    expect: { status: 413, code: 'payload_too_large' },
  },
  ...bodyCases('updateDocument', async (ctx) => ({
    method: 'PATCH',
    path: `/documents/${await newDocument(ctx)}`,
    headers: bearer(await ctx.token('rw')),
  })),
  ...bearerCases('updateDocument', 'write', async (ctx, token) => ({
    method: 'PATCH',
    path: `/documents/${await newDocument(ctx)}`,
    headers: bearer(token),
    body: { title: 'Renamed' },
  })),

  // DELETE /documents/{id}
  {
    operationId: 'deleteDocument',
    name: 'a document: 204',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'DELETE',
      path: `/documents/${await newDocument(ctx)}`,
      headers: bearer(await ctx.token('rw')),
    }),
    expect: { status: 204 },
  },
  {
    operationId: 'deleteDocument',
    name: 'an unknown id: 404 not_found',
    via: 'strict',
    prepare: async (ctx) => ({
      method: 'DELETE',
      path: `/documents/${MISSING_ID}`,
      headers: bearer(await ctx.token('rw')),
    }),
    expect: { status: 404, code: 'not_found' },
  },
  ...bearerCases('deleteDocument', 'write', async (ctx, token) => ({
    method: 'DELETE',
    path: `/documents/${await newDocument(ctx)}`,
    headers: bearer(token),
  })),
];

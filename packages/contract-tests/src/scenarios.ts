// The contract suite: what every runtime package must do against a real @codex/dev-server.
// No imports, so that vitest (Node, Chromium) and `deno test` can all load it as it is.

/** The parts of a runtime package's Client the scenarios use. */
export type AnyClient = {
  documents: {
    list(query?: {
      limit?: number;
      cursor?: string;
    }): PromiseLike<{ data: Array<{ id: string; title: string }>; hasNextPage(): boolean }> &
      AsyncIterable<{ id: string; title: string }>;
    create(
      body: { title: string; content: string },
      options?: { idempotencyKey?: string },
    ): Promise<{ id: string; title: string }>;
    get(id: string): Promise<{ id: string; title: string }>;
    update(id: string, body: { title?: string }): Promise<{ id: string; title: string }>;
    delete(id: string): Promise<void>;
    batch(
      ops: Array<{ op: 'create'; document: { title: string; content: string } }>,
    ): Promise<Array<{ index: number; status: number }>>;
  };
};

type TokenStoreLike = {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
};

export type ContractEnv = {
  /** Builds the runtime's Client against the dev server; `tokenStore` keeps each scenario's tokens apart. */
  createClient(options: {
    apiKey?: string;
    maxRetries?: number;
    timeout?: number;
    tokenStore: TokenStoreLike;
  }): AnyClient;
  server: { url: string; origin: string; adminSecret: string; readWriteKey: string; readOnlyKey: string };
  guards: {
    isPermissionDeniedError(e: unknown): boolean;
    isAuthenticationError(e: unknown): boolean;
    isAPIConnectionTimeoutError(e: unknown): boolean;
    isNotFoundError(e: unknown): boolean;
  };
};

export type Scenario = { name: string; run(): Promise<void> };

export type ClientRequest = Parameters<ContractEnv['createClient']>[0];

/** The options a scenario asks for, without undefined values (for exactOptionalPropertyTypes). */
export function definedOptions({ apiKey, maxRetries, timeout }: ClientRequest): {
  apiKey?: string;
  maxRetries?: number;
  timeout?: number;
} {
  return {
    ...(apiKey !== undefined && { apiKey }),
    ...(maxRetries !== undefined && { maxRetries }),
    ...(timeout !== undefined && { timeout }),
  };
}

type Logged = {
  operationId: string | null;
  status: number | null;
  auth: string;
  idempotencyKey: string | null;
  /** The TCP connection the request came on (numbered by the dev server). */
  connection: number | null;
};

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`contract: ${message}`);
}

function same(actual: unknown, expected: unknown, message: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${message}: expected ${e}, got ${a}`);
}

function memoryStore(): TokenStoreLike {
  const map = new Map<string, unknown>();
  return {
    get: async (k) => map.get(k),
    set: async (k, v) => void map.set(k, v),
    delete: async (k) => void map.delete(k),
  };
}

/** The scenarios, each starting from an empty server and a client with no token. */
export function contractScenarios(env: ContractEnv): Scenario[] {
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${env.server.origin}/_admin${path}`, {
      method,
      headers: { 'X-Admin-Secret': env.server.adminSecret, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    check(response.ok, `admin ${method} ${path} answered ${response.status}`);
    return response.status === 204 ? undefined : response.json();
  };
  const requests = async (): Promise<Logged[]> =>
    ((await admin('GET', '/requests')) as { requests: Logged[] }).requests;
  const count = async (operationId: string) => (await requests()).filter((r) => r.operationId === operationId).length;
  const client = (
    options: { apiKey?: string; maxRetries?: number; timeout?: number; tokenStore?: TokenStoreLike } = {},
  ) => env.createClient({ apiKey: env.server.readWriteKey, tokenStore: memoryStore(), ...options });
  const scenario = (name: string, run: () => Promise<void>): Scenario => ({
    name,
    run: async () => {
      await admin('POST', '/reset');
      await run();
    },
  });

  return [
    scenario('exchanges the key once for 20 concurrent calls', async () => {
      const c = client();
      await Promise.all(Array.from({ length: 20 }, () => c.documents.list()));
      same(await count('issueToken'), 1, 'token requests');
      same(await count('listDocuments'), 20, 'list requests');
    }),
    scenario('creates, gets, updates, lists and deletes a document', async () => {
      const c = client();
      const doc = await c.documents.create({ title: 'contract', content: 'body' });
      same((await c.documents.get(doc.id)).title, 'contract', 'get');
      same((await c.documents.update(doc.id, { title: 'renamed' })).title, 'renamed', 'update');
      same(
        (await c.documents.list()).data.map((d) => d.id),
        [doc.id],
        'list',
      );
      await c.documents.delete(doc.id);
      const missing = await c.documents.get(doc.id).then(
        () => null,
        (e: unknown) => e,
      );
      check(env.guards.isNotFoundError(missing), 'get after delete is NotFoundError');
    }),
    scenario('imports 250 documents in 3 batch requests and iterates them in 3 pages', async () => {
      const c = client();
      const ops = Array.from({ length: 250 }, (_, i) => ({
        op: 'create' as const,
        document: { title: `d${i}`, content: 'c' },
      }));
      const results = await c.documents.batch(ops);
      same(results.length, 250, 'results');
      check(
        results.every((r, i) => r.index === i && r.status === 201),
        'every result in order, 201',
      );
      same(await count('batchDocuments'), 3, 'batch requests');
      let seen = 0;
      for await (const _ of c.documents.list({ limit: 100 })) seen++;
      same(seen, 250, 'documents iterated');
      same(await count('listDocuments'), 3, 'pages');
    }),
    scenario('retries 503 twice, then succeeds', async () => {
      const c = client();
      await admin('POST', '/faults', { operationId: 'listDocuments', type: 'status', status: 503, count: 2 });
      await c.documents.list();
      same(
        (await requests()).filter((r) => r.operationId === 'listDocuments').map((r) => r.status),
        [503, 503, 200],
        'statuses',
      );
    }),
    scenario('waits out a 429 with Retry-After', async () => {
      const c = client();
      await admin('POST', '/faults', { operationId: 'listDocuments', type: 'status', status: 429, retryAfter: 1 });
      const started = Date.now();
      await c.documents.list();
      check(Date.now() - started >= 900, 'waited about a second');
    }),
    scenario('after revoked tokens: one 401, a new token, success', async () => {
      const c = client();
      await c.documents.list();
      await admin('POST', '/tokens/revoke');
      await c.documents.list();
      same(
        (await requests()).map((r) => `${r.operationId} ${r.status}`),
        ['issueToken 200', 'listDocuments 200', 'listDocuments 401', 'issueToken 200', 'listDocuments 200'],
        'requests',
      );
    }),
    scenario('a create whose response is lost is applied once', async () => {
      const c = client();
      await admin('POST', '/faults', { operationId: 'createDocument', type: 'lose-response' });
      await c.documents.create({ title: 'once', content: 'c' });
      const creates = (await requests()).filter((r) => r.operationId === 'createDocument');
      same(creates.length, 2, 'attempts');
      check(
        creates[0]?.idempotencyKey && creates[0].idempotencyKey === creates[1]?.idempotencyKey,
        'same Idempotency-Key',
      );
      same((await c.documents.list()).data.length, 1, 'documents');
    }),
    scenario('a read-only key gets PermissionDeniedError, not retried', async () => {
      const c = client({ apiKey: env.server.readOnlyKey });
      const error = await c.documents.create({ title: 't', content: 'c' }).then(
        () => null,
        (e: unknown) => e,
      );
      check(env.guards.isPermissionDeniedError(error), 'PermissionDeniedError');
      same(await count('createDocument'), 1, 'create requests');
    }),
    scenario('a wrong secret gives AuthenticationError after one token request', async () => {
      const c = client({ apiKey: `${env.server.readWriteKey.split(':')[0]}:cdx_sk_wrong` });
      const error = await c.documents.list().then(
        () => null,
        (e: unknown) => e,
      );
      check(env.guards.isAuthenticationError(error), 'AuthenticationError');
      same(await count('issueToken'), 1, 'token requests');
    }),
    scenario('a wrong secret never uses the right secret’s token, even from a shared store', async () => {
      const tokenStore = memoryStore();
      await client({ tokenStore }).documents.list();
      const wrong = client({ apiKey: `${env.server.readWriteKey.split(':')[0]}:cdx_sk_wrong`, tokenStore });
      const error = await wrong.documents.list().then(
        () => null,
        (e: unknown) => e,
      );
      check(env.guards.isAuthenticationError(error), 'AuthenticationError');
      same(await count('issueToken'), 2, 'token requests');
      same(await count('listDocuments'), 1, 'list requests');
    }),
    scenario('refuses dot-segment ids before anything is sent', async () => {
      const c = client();
      for (const id of ['.', '..']) {
        const error = await c.documents.get(id).then(
          () => null,
          (e: unknown) => e,
        );
        check(error instanceof Error && error.name === 'CodexError', `get('${id}') rejects with a CodexError`);
      }
      same(await requests(), [], 'requests');
    }),
    scenario('keeps connections alive: 100 sequential calls use a handful of connections', async () => {
      const c = client();
      for (let i = 0; i < 100; i++) await c.documents.list();
      const connections = new Set((await requests()).map((r) => r.connection));
      check(!connections.has(null), 'the dev server numbers connections');
      // A browser may open a few in parallel (6 per host); one per call would be 101.
      check(connections.size <= 6, `${connections.size} connections for 101 requests`);
    }),
    scenario('ends a hung request with the timeout', async () => {
      // The token first, with the default timeout: on a loaded machine, the token request and
      // the first call may take longer than 300 ms, and only the hung request is to time out.
      const tokenStore = memoryStore();
      await client({ tokenStore }).documents.list();
      const c = client({ timeout: 300, maxRetries: 0, tokenStore });
      await admin('POST', '/faults', { operationId: 'getDocument', type: 'hang' });
      const error = await c.documents.get('doc_1').then(
        () => null,
        (e: unknown) => e,
      );
      check(env.guards.isAPIConnectionTimeoutError(error), 'APIConnectionTimeoutError');
    }),
  ];
}

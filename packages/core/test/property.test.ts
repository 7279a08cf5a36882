import type { LoggedRequest, RunningServer } from '@codex/dev-server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Client, isAPIConnectionError, isCodexError } from '../src/index';
import { devServer, RW } from './helpers';

// Issue 9, gate: whatever a caller passes as ids, bodies, queries and options, a call of a public
// method either rejects with a typed CodexError (not a connection error) before any request leaves,
// or sends exactly the intended requests: the method and path of its operation, with the id as one
// path segment that decodes to exactly the id given. Against @codex/dev-server on 127.0.0.1.
//
// What reached the server is read twice: from the server's request log (server.admin.requests()),
// and from a fetch that records each request and passes it on to the real fetch. The log only has
// requests that matched a route, so a request sent to a wrong path (`GET /v1/` for get('..')) is
// only in the second.

const NUM_RUNS = 100;
// Per method; a loaded CI machine gets fewer runs rather than a timeout (6 methods: < 30 s).
const TIME_LIMIT_MS = 4_000;

// ---- Hostile values -------------------------------------------------------------------------

const hostileChar = fc.oneof(
  fc.constantFrom('.', '/', '\\', '%', '2', 'e', 'E', '?', '#', '&', '=', '+', ' ', ';', ':', '@', 'a'),
  fc.constantFrom('\t', '\n', '\r', '\0', '\x7f', '\x85', '\u2028', '\uFEFF', 'é', '€', '😀', '\uD800', '\uDFFF'),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
);
const hostileString = fc.oneof(
  fc.string({ unit: hostileChar, maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const dotSegments = ['.', '..', '%2e', '%2E', '.%2E', '%2e.', '%2E%2E', '...', '.\u0000', '..\u200b'];
const ids = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...dotSegments) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'doc_1',
      '',
      ' ',
      '/',
      '//',
      './x',
      '../x',
      'a/..',
      'a/b',
      '?',
      '#',
      '?a=1#b',
      'a%2Fb',
      '%',
      '%zz',
      '\u0000',
      '\n',
      '\r\n',
      '\uD800',
      'a\uDC00b',
      '😀',
      'x'.repeat(2_000),
    ),
  },
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(42, null, undefined, {}, ['doc_1'], Symbol('id'), 1n) },
);

const circular = () => {
  const value: Record<string, unknown> = { title: 't', content: 'c' };
  value.self = value;
  return value;
};
// Deeper than JSON.stringify can go: it throws a RangeError, which the SDK must not let out raw.
let deepValue: unknown;
const deep = () => {
  if (!deepValue) {
    let value: unknown = 'leaf';
    for (let i = 0; i < 200_000; i++) value = { v: value };
    deepValue = { title: 't', content: 'c', metadata: value };
  }
  return deepValue;
};
const validBody = fc.record({
  title: fc.string({ minLength: 1, maxLength: 20 }),
  content: fc.string({ maxLength: 40 }),
});
const bodies = fc.oneof(
  { weight: 4, arbitrary: validBody },
  { weight: 2, arbitrary: fc.record({ title: hostileString, content: hostileString }) },
  { weight: 1, arbitrary: fc.record({ title: fc.constant('t') }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constant(null).map(circular) },
  { weight: 1, arbitrary: fc.bigInt().map((n) => ({ title: 't', content: 'c', n })) },
  { weight: 1, arbitrary: fc.constant(null).map(deep) },
  {
    weight: 1,
    arbitrary: fc.constant({
      title: 't',
      content: 'c',
      toJSON() {
        throw new Error('toJSON failed');
      },
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'text', 42, [], true) },
  { weight: 1, arbitrary: fc.constant({ title: 't', content: 'x'.repeat(1_100_000) }) },
);

const liveController = new AbortController();
const signals = fc.constantFrom<unknown>(undefined, liveController.signal, AbortSignal.abort(), 'x', {}, null);
const idempotencyKeys = fc.oneof(
  fc.constantFrom<unknown>(undefined, 'k'.repeat(255), 'k'.repeat(254), 'k'.repeat(256), '', 'a\nb', 42, null),
  fc.uuid(),
  hostileString,
);
const headers = fc.constantFrom<unknown>(
  undefined,
  { 'X-Trace': 'abc' },
  { 'X-Trace': 'a\nb' },
  { 'X-Trace': 'a\r\nX-Injected: 1' },
  { 'X-Trace': '€' },
  { 'X-Trace': 42 },
  { 'Bad Header': 'x' },
  { 'X\n': 'x' },
  'x',
  null,
);
const validCallOptions = fc.record(
  {
    timeout: fc.constant(30_000),
    deadline: fc.constant(30_000),
    maxRetries: fc.constantFrom(0, 2),
    signal: fc.constant(liveController.signal),
    idempotencyKey: fc.oneof(fc.uuid(), fc.constantFrom('k'.repeat(255), 'import-1')),
    headers: fc.constant({ 'X-Trace': 'abc' }),
  },
  { requiredKeys: [] },
);
const hostileCallOptions = fc.record(
  {
    timeout: fc.constantFrom<unknown>(30_000, 'x', -1, Number.NaN),
    deadline: fc.constantFrom<unknown>(30_000, 'x', -5),
    maxRetries: fc.constantFrom<unknown>(0, 2, -1, 1.5, 'x'),
    signal: signals,
    idempotencyKey: idempotencyKeys,
    headers,
  },
  { requiredKeys: [] },
);
const callOptions = fc.oneof(
  { weight: 6, arbitrary: validCallOptions },
  { weight: 3, arbitrary: hostileCallOptions },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'x', 42) },
);
const throwing = () => {
  throw new Error('hook failed');
};
const clientOptions = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        timeout: fc.constantFrom<unknown>(30_000, 'x', -1),
        maxRetries: fc.constantFrom<unknown>(2, -1, 'x'),
        // Telemetry hooks that throw must change nothing: still exactly one request (issue 9, item 7).
        hooks: fc.constantFrom<unknown>(
          { onRequest: throwing, onResponse: throwing, onRetry: throwing },
          { onResponse: async () => throwing() },
          { onRequest: 'x' },
          'x',
        ),
        headers: fc.constantFrom<unknown>({ 'X-App': 'ok' }, { 'X-App': 'a\nb' }, 'x'),
      },
      { requiredKeys: [] },
    ),
  },
);
const queries = fc.oneof(
  fc.constantFrom<unknown>(undefined, {}, { limit: 5 }, { limit: 'x' }, { limit: 0 }, { limit: 1_000 }, null, 'x', []),
  fc.record({ cursor: hostileString }),
  fc.record({ limit: fc.constantFrom<unknown>(10n, Number.NaN, Symbol('l'), {}, circular()) }),
  fc.record({ extra: hostileString }),
);
const batchOps = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: validBody.map((document) => ({ op: 'create', document })) },
        { weight: 3, arbitrary: fc.record({ op: fc.constant('update'), id: hostileString, document: validBody }) },
        { weight: 3, arbitrary: fc.record({ op: fc.constant('delete'), id: hostileString }) },
        { weight: 1, arbitrary: fc.constant(null).map(() => ({ op: 'create', document: circular() })) },
        { weight: 1, arbitrary: fc.bigInt().map((n) => ({ op: 'create', document: { title: 't', content: 'c', n } })) },
      ),
      { maxLength: 4 },
    ),
  },
  // Two chunks: more operations than one request takes.
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 101, max: 130 })
      .map((n) => Array.from({ length: n }, (_, i) => ({ op: 'delete', id: `doc_${i}` }))),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(undefined, null, 'x', {}, { length: 1, 0: { op: 'delete', id: 'a' } }),
  },
);

// ---- The property -------------------------------------------------------------------------------

type Sent = { method: string; url: string };
/** One call, as data (fast-check prints it as the counterexample). */
type Call = {
  /** `client.documents[name](...args)` */
  name: 'get' | 'update' | 'delete' | 'create' | 'list' | 'batch';
  args: unknown[];
  /** The operation's method and path (relative to the base URL), with `{id}` for the id. */
  method: string;
  path: string;
  id?: unknown;
  /** Requests a call that is sent sends: 1, or one per chunk for a batch. */
  requests: number;
  /** For a batch given an array: its length (one outcome each); an empty batch may send nothing. */
  operations?: number;
};

async function settle(promise: () => PromiseLike<unknown>) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the call did not settle within 10 s')), 10_000);
  });
  try {
    // A method that throws synchronously counts as a rejection here.
    return { ok: true as const, value: await Promise.race([Promise.resolve().then(promise), timeout]) };
  } catch (error) {
    if (error instanceof Error && error.message === 'the call did not settle within 10 s') throw error;
    return { ok: false as const, error };
  } finally {
    clearTimeout(timer);
  }
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : `non-Error ${String(error)}`;

/** The id encoded in `path` (which follows `prefix/`), decoded; undefined when it is not one segment. */
function decodedSegment(path: string, prefix: string): string | undefined {
  if (!path.startsWith(`${prefix}/`)) return undefined;
  const segment = path.slice(prefix.length + 1);
  if (segment.includes('/')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Runs one call and checks it; returns whether it sent anything. */
async function check(server: RunningServer, sent: Sent[], clientOpts: Record<string, unknown>, call: Call) {
  server.admin.clearRequests();
  sent.length = 0;
  const outcome = await settle(() => {
    const client = new Client({
      apiKey: `${RW.clientId}:${RW.clientSecret}`,
      baseUrl: server.url,
      // Backoff without waits, so that a failing case (retried) is fast to shrink.
      random: () => 0,
      fetch: recorder(sent),
      ...clientOpts,
    } as never);
    const documents = client.documents as unknown as Record<string, (...args: unknown[]) => PromiseLike<unknown>>;
    // Lists: a PagePromise, awaited for its first page.
    return (documents[call.name] as (...args: unknown[]) => PromiseLike<unknown>)(...call.args);
  });
  // Token requests are the SDK's own and go to a fixed path; only the call's requests are judged.
  const apiSent = sent.filter((s) => !new URL(s.url).pathname.endsWith('/auth/token'));
  const logged = server.admin.requests().filter((r: LoggedRequest) => r.operationId !== 'issueToken');
  const what = outcome.ok ? 'resolved' : `rejected with ${describeError(outcome.error)}`;

  if (apiSent.length === 0 && logged.length === 0) {
    if (outcome.ok) {
      expect(call.operations, `resolved without sending anything: ${what}`).toBe(0);
      checkOutcomes(call, outcome.value);
      return false;
    }
    expect(isCodexError(outcome.error), `nothing sent, but ${what}: not a CodexError`).toBe(true);
    expect(isAPIConnectionError(outcome.error), `nothing sent, but ${what}: not a connection error`).toBe(false);
    return false;
  }

  // Something was sent: exactly the intended requests, and a typed outcome.
  const base = new URL(server.url).pathname; // '/v1'
  const intended = `${call.method} ${call.path}`;
  expect(apiSent.length, `${intended}: requests fetched (${what})`).toBe(call.requests);
  expect(logged.length, `${intended}: requests that reached a route (${what})`).toBe(call.requests);
  for (const request of apiSent) {
    const url = new URL(request.url);
    expect(request.method, `${intended}: method sent`).toBe(call.method);
    expect(url.origin, `${intended}: origin`).toBe(new URL(server.url).origin);
    if (call.path.endsWith('{id}')) {
      expect(url.search, `${intended}: no query`).toBe('');
      const prefix = `${base}${call.path.slice(0, -'/{id}'.length)}`;
      expect(decodedSegment(url.pathname, prefix), `${intended}: path sent, ${url.pathname}`).toBe(call.id);
    } else {
      expect(url.pathname, `${intended}: path sent`).toBe(`${base}${call.path}`);
    }
  }
  for (const request of logged) {
    expect(request.method, `${intended}: method received`).toBe(call.method);
    if (call.path.endsWith('{id}')) {
      const prefix = call.path.slice(0, -'/{id}'.length);
      expect(decodedSegment(request.path, prefix), `${intended}: path received, ${request.path}`).toBe(call.id);
    } else {
      expect(request.path, `${intended}: path received`).toBe(call.path);
    }
  }
  if (outcome.ok) checkOutcomes(call, outcome.value);
  else expect(isCodexError(outcome.error), `${intended} sent, then ${what}: not a CodexError`).toBe(true);
  return true;
}

/** A fetch that records what it is asked to send, then sends it with the real fetch. */
function recorder(sent: Sent[]): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    let normalized = url;
    try {
      // What fetch itself will send: WHATWG URL parsing resolves dot segments.
      normalized = new URL(url).href;
    } catch {
      // fetch rejects it too; keep it as given.
    }
    sent.push({ method, url: normalized });
    return fetch(input, init);
  };
}

async function property(calls: fc.Arbitrary<Call>) {
  const server = await devServer({ rateLimit: { limit: 1_000_000 } });
  const sent: Sent[] = [];
  const branches = { sent: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(clientOptions, calls, async (clientOpts, call) => {
      branches[(await check(server, sent, clientOpts as Record<string, unknown>, call)) ? 'sent' : 'refused']++;
    }),
    { numRuns: NUM_RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
  );
  if (process.env.CODEX_TEST_DEBUG) console.log('BRANCHES', JSON.stringify(branches));
  // Not vacuous: the generators reach both branches, each in at least a twentieth of the runs.
  const runs = branches.sent + branches.refused;
  // 100 runs on a quiet machine; a CI machine running every package's tests at once gets fewer.
  expect(runs, 'runs').toBeGreaterThanOrEqual(10);
  expect(branches.sent, `runs that sent a request, of ${runs}`).toBeGreaterThanOrEqual(runs / 20);
  expect(branches.refused, `runs refused before sending, of ${runs}`).toBeGreaterThanOrEqual(runs / 20);
}

/** A batch that resolved: one outcome per operation, in order, no holes (issue 9, item 17). */
function checkOutcomes(call: Call, value: unknown) {
  if (call.operations === undefined) return;
  const indexes = Array.from({ length: call.operations }, (_, i) => i);
  expect(Array.isArray(value), 'batch returns an array').toBe(true);
  expect(Object.keys(value as object), 'one outcome per operation, no holes').toEqual(indexes.map(String));
  expect((value as Array<{ index: unknown }>).map((o) => o.index)).toEqual(indexes);
}

const byId =
  (name: Call['name'], method: string) =>
  (id: unknown, ...rest: unknown[]): Call => ({
    name,
    args: [id, ...rest],
    method,
    path: '/documents/{id}',
    id,
    requests: 1,
  });

describe('property: typed error before sending, or exactly the intended request (issue 9)', () => {
  it('documents.get', () =>
    property(fc.tuple(ids, callOptions).map(([id, options]) => byId('get', 'GET')(id, options))));

  it('documents.update', () =>
    property(
      fc.tuple(ids, bodies, callOptions).map(([id, body, options]) => byId('update', 'PATCH')(id, body, options)),
    ));

  it('documents.delete', () =>
    property(fc.tuple(ids, callOptions).map(([id, options]) => byId('delete', 'DELETE')(id, options))));

  it('documents.create', () =>
    property(
      fc.tuple(bodies, callOptions).map(
        ([body, options]): Call => ({
          name: 'create',
          args: [body, options],
          method: 'POST',
          path: '/documents',
          requests: 1,
        }),
      ),
    ));

  it('documents.list', () =>
    property(
      fc.tuple(queries, callOptions).map(
        ([query, options]): Call => ({
          name: 'list',
          args: [query, options],
          method: 'GET',
          path: '/documents',
          requests: 1,
        }),
      ),
    ));

  it('documents.batch', () =>
    property(
      fc.tuple(batchOps, callOptions).map(([operations, options]): Call => {
        const count = Array.isArray(operations) ? operations.length : undefined;
        return {
          name: 'batch',
          args: [operations, options],
          method: 'POST',
          path: '/documents/batch',
          requests: Math.ceil((count ?? 1) / 100),
          ...(count !== undefined && { operations: count }),
        };
      }),
    ));
});

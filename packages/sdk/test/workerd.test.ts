import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ContractEnv, contractScenarios } from '@codex/contract-tests';
import { type RunningServer, startServer } from '@codex/dev-server';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module of the repository's scripts, without types.
import { bundleWorker, startWorker } from '../../../scripts/workerd.mjs';

// Issue 11, items 1 and 2: the contract suite in real workerd (Miniflare's), with @codex/sdk
// bundled as wrangler bundles a Worker, which resolves it to the edge build (it takes an API key).
let server: RunningServer;
let worker: Miniflare;
const info = {
  adminSecret: 'workerd-admin',
  readWriteKey: 'cdx_id_workerd_rw:cdx_sk_workerd_rw',
  readOnlyKey: 'cdx_id_workerd_ro:cdx_sk_workerd_ro',
};

beforeAll(async () => {
  server = await startServer({
    port: 0,
    adminSecret: info.adminSecret,
    keys: [
      { clientId: 'cdx_id_workerd_rw', clientSecret: 'cdx_sk_workerd_rw' },
      { clientId: 'cdx_id_workerd_ro', clientSecret: 'cdx_sk_workerd_ro', readOnly: true },
    ],
  });
  const script: string = await bundleWorker(new URL('./workerd/contract-worker.ts', import.meta.url).pathname);
  expect(script).not.toMatch(/from\s*["']node:|require\(["']node:/);
  worker = startWorker(script, {
    CODEX_CONTRACT_SERVER: JSON.stringify({ ...info, url: server.url, origin: server.origin }),
  });
}, 60_000);
afterAll(async () => {
  await worker?.dispose();
  await server?.close();
});

const call = async (path: string) => (await worker.dispatchFetch(`http://worker${path}`)).json();

describe('contract (workerd)', () => {
  for (const { name } of contractScenarios({} as ContractEnv)) {
    it(name, async () => {
      const result = (await call(`/run?name=${encodeURIComponent(name)}`)) as { ok: boolean; error?: string };
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
    }, 30_000);
  }
});

describe('@codex/sdk in workerd', () => {
  it('resolves to the edge build', async () => {
    expect(await call('/build')).toEqual({ userAgent: expect.stringMatching(/^codex-sdk-edge\//) });
  });

  it('logLevel logs to the console: method, URL, status, attempt, request id; never the secret or a token', async () => {
    const { lines } = (await call('/log')) as { lines: string[] };
    expect(lines).toContainEqual(`debug codex: → GET ${server.url}/documents (attempt 1)`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^debug codex: ← 200 GET \S+\/documents \(listDocuments, attempt 1, request req_\w+\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^error codex: ✗ getDocument failed: NotFoundError 404 not_found \(request req_\w+\)$/),
    );
    expect(lines.join('\n')).not.toMatch(/cdx_sk_|cdx_at_|bearer|authorization/i);
  });

  // Issue 18, item 24: Node's defaults (60 s per attempt, 2 retries) outlive a Worker's request.
  it('ends a call to an API that does not answer with the default deadline of 20 s', async () => {
    server.admin.fault({ operationId: 'listDocuments', type: 'hang' });
    const started = performance.now();
    // The Worker's clock runs 100 times faster: 20 s of deadline take 0.2 s.
    const result = await call('/hang?speedup=100');
    expect(result).toMatchObject({
      name: 'APIConnectionTimeoutError',
      code: 'deadline_exceeded',
      message: 'The call exceeded its deadline of 20000 ms.',
      timeout: 8000,
      maxRetries: 2,
    });
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(server.admin.requests().at(-1)).toMatchObject({ operationId: 'listDocuments', fault: 'hang' });
  });

  it('ends it with a deadline and timeout passed as options instead', async () => {
    server.admin.fault({ operationId: 'listDocuments', type: 'hang' });
    const started = performance.now();
    const options = encodeURIComponent(JSON.stringify({ deadline: 300, timeout: 30_000 }));
    const result = await call(`/hang?options=${options}`);
    expect(result).toMatchObject({
      code: 'deadline_exceeded',
      message: 'The call exceeded its deadline of 300 ms.',
      timeout: 30_000,
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('refuses a redirect to another origin, which sees no request (and so no token)', async () => {
    let elsewhere = 0;
    const other = createServer((_, res) => {
      elsewhere++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const redirecting = createServer((req, res) => {
      if (req.url?.endsWith('/auth/token')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"access_token":"tok_workerd","token_type":"Bearer","expires_in":3600}');
      }
      res.writeHead(302, { location: `${otherUrl}/v1/documents` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/v1`;
    try {
      const result = (await call(`/redirect?baseUrl=${encodeURIComponent(baseUrl)}`)) as {
        name: string;
        message: string;
      };
      expect(result.name).toBe('RedirectError');
      expect(result.message).toContain(otherUrl);
      expect(elsewhere).toBe(0);
    } finally {
      other.close();
      redirecting.close();
    }
  });
});

// Issue 20: auto-batching in the edge build, in real workerd.
describe("batching: 'auto' in workerd", () => {
  let batching: RunningServer;
  beforeAll(async () => {
    // A server of its own, with a tight rate limit no other test shares.
    batching = await startServer({
      port: 0,
      adminSecret: info.adminSecret,
      keys: [{ clientId: 'cdx_id_workerd_rw', clientSecret: 'cdx_sk_workerd_rw' }],
      rateLimit: { limit: 3, windowSeconds: 2 },
    });
  });
  afterAll(() => batching?.close());

  it('20 concurrent creates and an invalid one under 3 requests per 2 s: folded into batches, each settling as its single call would, no 429', async () => {
    const { titles, results } = (await call(`/batching?baseUrl=${encodeURIComponent(batching.url)}`)) as {
      titles: string[];
      results: Array<Record<string, unknown>>;
    };
    const invalid = results.pop();
    expect(results).toEqual(titles.map((title) => ({ id: expect.stringMatching(/^doc_/), title })));
    expect(new Set(results.map((r) => r.id)).size).toBe(20);
    expect(invalid).toMatchObject({
      name: 'BadRequestError',
      isBadRequestError: true,
      isAPIError: true,
      status: 400,
      code: 'invalid_request',
    });

    const sent = batching.admin.requests().filter((r) => r.operationId !== 'issueToken');
    const batches = sent.filter((r) => r.operationId === 'batchDocuments');
    expect(batches.length).toBeGreaterThanOrEqual(1);
    // The invalid call, the last one, cannot have had one of the window's 3 slots: it was folded.
    expect(batches.map((r) => r.requestId)).toContain(invalid?.requestId);
    expect(sent.length).toBeLessThan(21);
    expect(batching.admin.requests().filter((r) => r.status === 429)).toEqual([]);
    expect(sent.every((r) => r.operationId === 'createDocument' || r.operationId === 'batchDocuments')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Client } from '../src/index';

// Issue 9, gate: memory is bounded. The heap after GC stays flat (within 2 MB) over 50,000 calls
// that all pass one long-lived AbortSignal (Node 20's AbortSignal.any kept every combined signal
// alive through the caller's), and over 20,000 Clients created, used once and dropped, each with
// its own token provider or its own API key (shared() kept one token manager and one limiter per
// key for good).
//
// Needs global.gc: vitest.config.ts runs the tests with --expose-gc.
//
// The API is answered in process by the `fetch` option, not over HTTP: what is measured is what
// the SDK retains, and a server or sockets in the same process would add their own garbage and
// time (50,000 real requests take minutes on a loaded CI machine).

const MB = 1024 * 1024;
const TOLERANCE = 2 * MB;
const BASE_URL = 'https://api.codex.test/v1';

const DOCUMENT = JSON.stringify({
  id: 'doc_1',
  title: 't',
  content: 'c',
  metadata: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});
const TOKEN = JSON.stringify({
  access_token: 'cdx_at_memory',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'read write',
});

/** The Codex API in process: the token endpoint and GET /documents/{id}. */
const inProcessApi: typeof fetch = async (input) => {
  const url = input instanceof Request ? input.url : String(input);
  const body = url.endsWith('/auth/token') ? TOKEN : DOCUMENT;
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_memory' },
  });
};

const settings = {
  baseUrl: BASE_URL,
  fetch: inProcessApi,
  // Pacing is not what is measured: no waits.
  pacing: { limit: 1e9 },
};

const gc = (globalThis as { gc?: () => void }).gc;

/** heapUsed after full GCs; FinalizationRegistry callbacks run on later turns, so several. */
async function heapAfterGc(): Promise<number> {
  if (!gc) throw new Error('global.gc is missing: run node with --expose-gc (see vitest.config.ts).');
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().heapUsed;
}

/** Heap growth over `rounds` rounds of `round`, after `warmUp` rounds (JIT, caches, pools). */
async function growth(rounds: number, warmUp: number, round: (i: number) => Promise<unknown>) {
  for (let i = 0; i < warmUp; i++) await round(i);
  const before = await heapAfterGc();
  for (let i = 0; i < rounds; i++) await round(warmUp + i);
  const after = await heapAfterGc();
  const mb = (n: number) => `${(n / MB).toFixed(2)} MB`;
  const report = `heap after GC ${mb(before)} → ${mb(after)} (${mb(after - before)}) over ${rounds} rounds`;
  console.info(report);
  return { delta: after - before, report };
}

describe('memory: heap after GC is flat (issue 9, items 12 and 13)', () => {
  it('over 50,000 calls that pass one long-lived AbortSignal', { timeout: 120_000 }, async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const client = new Client({ apiKey: 'cdx_id_memory:cdx_sk_memory', ...settings });
    const { delta, report } = await growth(50_000, 5_000, () => client.documents.get('doc_1', { signal }));
    expect(Math.abs(delta), report).toBeLessThan(TOLERANCE);
    controller.abort();
  });

  it('over 20,000 Clients, each with its own tokenProvider, created, used and dropped', {
    timeout: 120_000,
  }, async () => {
    const { delta, report } = await growth(20_000, 2_000, (i) =>
      new Client({
        tokenProvider: async () => ({ accessToken: `cdx_at_provider_${i}`, expiresIn: 3600 }),
        ...settings,
      }).documents.get('doc_1'),
    );
    expect(Math.abs(delta), report).toBeLessThan(TOLERANCE);
  });

  it('over 20,000 Clients, each with its own API key, created, used and dropped', { timeout: 120_000 }, async () => {
    const { delta, report } = await growth(20_000, 2_000, (i) =>
      new Client({ apiKey: `cdx_id_tenant${i}:cdx_sk_tenant${i}`, ...settings }).documents.get('doc_1'),
    );
    expect(Math.abs(delta), report).toBeLessThan(TOLERANCE);
  });
});

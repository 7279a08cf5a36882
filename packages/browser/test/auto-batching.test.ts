import { describe, expect, inject, it } from 'vitest';
import { BadRequestError, Client, type Document, isAPIError } from '../src/index';

// Issue 20, in real Chromium: single creates that would wait for a pacing slot are folded into
// `POST /documents/batch` requests, against a dev server of their own (another origin: CORS) that
// allows 3 requests per 2 s window (see global-setup.ts).
const server = inject('batchingServer');

type Logged = { operationId: string | null; status: number | null; requestId: string };
async function requests(): Promise<Logged[]> {
  const response = await fetch(`${server.origin}/_admin/requests`, {
    headers: { 'X-Admin-Secret': server.adminSecret },
  });
  return ((await response.json()) as { requests: Logged[] }).requests;
}
const clearRequests = () =>
  fetch(`${server.origin}/_admin/requests`, { method: 'DELETE', headers: { 'X-Admin-Secret': server.adminSecret } });

/** What a page's backend does with @codex/node: exchange the key and hand out the token. */
const backendTokenProvider = async () => {
  const [client_id, client_secret] = server.readWriteKey.split(':');
  const response = await fetch(`${server.url}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id, client_secret }),
  });
  const token = await response.json();
  return { accessToken: token.access_token as string, expiresIn: token.expires_in as number };
};

describe("batching: 'auto' in Chromium", () => {
  it('20 concurrent creates and an invalid one under 3 requests per 2 s: folded into batches, each settling as its single call would, no 429', async () => {
    const client = new Client({ baseUrl: server.url, tokenProvider: backendTokenProvider });
    // A page that has made a call already: the client paces by its answer's X-RateLimit-* headers
    // (with a tokenProvider, the token response is the page backend's, unseen by the client).
    await client.documents.list({ limit: 1 });
    await clearRequests();

    const titles = Array.from({ length: 20 }, (_, i) => `from the browser ${i}`);
    const settled = await Promise.allSettled([
      ...titles.map((title) => client.documents.create({ title, content: 'x' })),
      client.documents.create({ title: '', content: 'x' }),
    ]);
    const invalid = settled.pop();

    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
    const created = settled.map((r) => (r as PromiseFulfilledResult<Document>).value);
    expect(created.map((doc) => doc.title)).toEqual(titles);
    expect(new Set(created.map((doc) => doc.id)).size).toBe(20);

    expect(invalid?.status).toBe('rejected');
    const error = (invalid as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(isAPIError(error)).toBe(true);
    expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 'invalid_request' });

    const sent = (await requests()).filter((r) => r.operationId !== 'issueToken');
    const batches = sent.filter((r) => r.operationId === 'batchDocuments');
    expect(batches.length).toBeGreaterThanOrEqual(1);
    // The invalid call, the last one, cannot have had one of the window's 3 slots: it was folded.
    expect(batches.map((r) => r.requestId)).toContain(error.requestId);
    expect(sent.length).toBeLessThan(21);
    expect(sent.filter((r) => r.status === 429)).toEqual([]);
    expect(sent.every((r) => r.operationId === 'createDocument' || r.operationId === 'batchDocuments')).toBe(true);
  });
});

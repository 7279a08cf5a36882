import { BadRequestError, Client, type Document, isAPIError } from '../mod.ts';

// Issue 20, in the real deno binary: single creates that would wait for a pacing slot are folded
// into `POST /documents/batch` requests, against the dev server of test/run.mjs that allows 3
// requests per 2 s window (no other test uses it).
const server = JSON.parse(Deno.args[0] ?? '{}') as {
  readWriteKey: string;
  adminSecret: string;
  batchingUrl: string;
  batchingOrigin: string;
};

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

type Logged = { operationId: string | null; status: number | null; requestId: string };
async function requests(): Promise<Logged[]> {
  const response = await fetch(`${server.batchingOrigin}/_admin/requests`, {
    headers: { 'X-Admin-Secret': server.adminSecret },
  });
  return ((await response.json()) as { requests: Logged[] }).requests;
}

Deno.test({
  name: "batching: 'auto': 20 concurrent creates and an invalid one under 3 requests per 2 s are folded into batches, each settling as its single call would, no 429",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const client = new Client({ apiKey: server.readWriteKey, baseUrl: server.batchingUrl });
    const titles = Array.from({ length: 20 }, (_, i) => `from deno ${i}`);
    const settled = await Promise.allSettled([
      ...titles.map((title) => client.documents.create({ title, content: 'x' })),
      client.documents.create({ title: '', content: 'x' }),
    ]);
    const invalid = settled.pop();

    const failed = settled.filter((r) => r.status === 'rejected');
    assert(failed.length === 0, `valid creates failed: ${failed.map((r) => String(r.reason)).join('; ')}`);
    const created = settled.map((r) => (r as PromiseFulfilledResult<Document>).value);
    assert(JSON.stringify(created.map((doc) => doc.title)) === JSON.stringify(titles), 'each call has its own title');
    assert(new Set(created.map((doc) => doc.id)).size === 20, '20 documents');

    assert(invalid?.status === 'rejected', `the invalid create should fail, got ${JSON.stringify(invalid)}`);
    const error = invalid.reason;
    assert(error instanceof BadRequestError, `expected a BadRequestError, got ${error}`);
    assert(isAPIError(error), 'isAPIError');
    assert(error.status === 400 && error.code === 'invalid_request', `${error.status} ${error.code}`);

    const logged = await requests();
    const sent = logged.filter((r) => r.operationId !== 'issueToken');
    const batches = sent.filter((r) => r.operationId === 'batchDocuments');
    const summary = JSON.stringify(logged.map((r) => `${r.operationId} ${r.status}`));
    assert(batches.length >= 1, `no batch request: ${summary}`);
    // The invalid call, the last one, cannot have had one of the window's 3 slots: it was folded.
    assert(
      batches.some((r) => r.requestId === error.requestId),
      `the error's request id is a batch's: ${error.requestId}`,
    );
    assert(sent.length < 21, `fewer requests than calls: ${summary}`);
    assert(!logged.some((r) => r.status === 429), `no 429: ${summary}`);
    assert(
      sent.every((r) => r.operationId === 'createDocument' || r.operationId === 'batchDocuments'),
      `creates and batches only: ${summary}`,
    );
  },
});

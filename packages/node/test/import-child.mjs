// A bulk import, as a user's script would run it, for resumable-import.test.ts to SIGKILL and run
// again (issue 20). Runs @codex/node as users get it (the built dist: `@codex/node` resolves to this
// package's own exports). One argument, JSON: {baseUrl, apiKey, count, idempotencyKey, concurrency,
// edited?: operation indices whose title is changed}. Writes one JSON line per event to stdout:
// {event: 'progress', done, total} after each chunk, then {event: 'done', outcomes, chunks}.
import { Client } from '@codex/node';

const { baseUrl, apiKey, count, idempotencyKey, concurrency, edited = [] } = JSON.parse(process.argv[2] ?? '{}');
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** The same list on every run: operation i creates "Document i" (unless `edited` lists i). */
const operations = Array.from({ length: count }, (_, i) => ({
  op: 'create',
  document: {
    title: `Document ${i}${edited.includes(i) ? ' (edited)' : ''}`,
    content: `Imported by ${idempotencyKey}`,
  },
}));

const client = new Client({ apiKey, baseUrl });
const { data, responses } = await client.documents
  .batch(operations, {
    idempotencyKey,
    concurrency,
    onProgress: (done, total) => print({ event: 'progress', done, total }),
  })
  .withResponse();

print({
  event: 'done',
  // [status, document id or error code] per operation, in input order.
  outcomes: data.map((o) => [o.status, o.document?.id ?? o.error?.code ?? null]),
  // Per chunk: the answer's status and whether the API replayed it (undefined: no successful answer).
  chunks: responses.map(
    (r) => r && { status: r.response.status, replayed: r.response.headers.get('Idempotent-Replayed') === 'true' },
  ),
});

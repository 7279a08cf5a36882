// The Quick start demo: starts a local Codex API (@codex/dev-server) on a free port and uses the
// Node SDK against it the way an application would, then stops the server.
//
// The server is set up to make the SDK work for its living: tokens live 3 seconds (so they are
// refreshed during the import), the rate limit is 12 requests per 2 seconds (so the import must
// be paced), and two batch requests fail (a 503 and a dropped connection) and must be retried.
// Then the same kind of import written as single creates: the calls that would wait for the rate
// limit are folded into batch requests (auto-batching, on by default).
import { startServer } from '@codex/dev-server';
import { Client } from '@codex/node';

const TOTAL = 2000;
const SINGLES = 500;
const out = process.stdout;
const step = (text) => out.write(`\n${text}\n`);

const server = await startServer({ port: 0, tokenLifetimeSeconds: 3, rateLimit: { limit: 12, windowSeconds: 2 } });
const [key] = server.keys;
const retries = [];
let exitCode = 0;

try {
  step(`Started @codex/dev-server at ${server.url}`);
  out.write('  tokens live 3 s, rate limit 12 requests per 2 s per key\n');

  const client = new Client({
    apiKey: `${key.clientId}:${key.clientSecret}`,
    baseUrl: server.url,
    hooks: { onRetry: (retry) => retries.push(retry) },
  });

  step('1. Exchange the key for a token, then create, list, update and delete a document');
  const doc = await client.documents.create({
    title: 'Hello, Codex',
    content: 'My first document.',
    metadata: { source: 'quickstart' },
  });
  out.write(`  created   ${doc.id} "${doc.title}"\n`);
  const page = await client.documents.list({ limit: 10 });
  out.write(`  listed    ${page.data.length} document(s), more pages: ${page.hasNextPage()}\n`);
  const updated = await client.documents.update(doc.id, { title: 'Hello again, Codex' });
  out.write(`  updated   ${updated.id} "${updated.title}"\n`);
  await client.documents.delete(doc.id);
  out.write(`  deleted   ${doc.id}\n`);

  step(`2. Import ${TOTAL.toLocaleString('en')} documents with documents.batch, under the rate limit`);
  server.admin.fault({ operationId: 'batchDocuments', type: 'status', status: 503 });
  server.admin.fault({ operationId: 'batchDocuments', type: 'reset' });
  const operations = Array.from({ length: TOTAL }, (_, i) => ({
    op: 'create',
    document: {
      title: `Imported document ${i + 1}`,
      content: `Body of document ${i + 1}.`,
      metadata: { batch: 'quickstart' },
    },
  }));
  const started = Date.now();
  let shown = -1;
  const bar = (done) => {
    const width = 30;
    const filled = Math.round((done / TOTAL) * width);
    const line = `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(4)}/${TOTAL}`;
    // Redraw in place on a terminal; in a log (CI), a line every quarter.
    if (out.isTTY) out.write(`\r${line}`);
    else if (Math.floor((done / TOTAL) * 4) > shown) {
      shown = Math.floor((done / TOTAL) * 4);
      out.write(`${line}\n`);
    }
  };
  bar(0);
  const results = await client.documents.batch(operations, { onProgress: bar });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const created = results.filter((r) => r.status === 201).length;
  out.write(
    `${out.isTTY ? '\n' : ''}  ${created.toLocaleString('en')} created, ${TOTAL - created} failed, in ${seconds} s\n`,
  );

  step(`3. Import ${SINGLES} more written as single creates: Promise.all(rows.map((row) => documents.create(row)))`);
  const rows = Array.from({ length: SINGLES }, (_, i) => ({
    title: `Single document ${i + 1}`,
    content: `Body of single document ${i + 1}.`,
    metadata: { batch: 'quickstart-singles' },
  }));
  const folded = [];
  // The same Client (token and pacing shared), with its debug log lines kept: one line per batch.
  const logged = client.withOptions({ logger: { debug: (line) => line.includes('folded') && folded.push(line) } });
  const firstSingle = server.admin.requests().length;
  const singlesStarted = Date.now();
  const singles = await Promise.all(rows.map((row) => logged.documents.create(row)));
  const singlesSeconds = ((Date.now() - singlesStarted) / 1000).toFixed(1);
  const singlesLog = server.admin.requests().slice(firstSingle);
  const sentAlone = singlesLog.filter((r) => r.operationId === 'createDocument').length;
  const sentInBatches = singlesLog.filter((r) => r.operationId === 'batchDocuments').length;
  const singleRequests = sentAlone + sentInBatches;
  out.write(
    `  ${singles.length} created in ${singleRequests} requests: ${sentAlone} sent alone while the window had room, ` +
      `${SINGLES - sentAlone} folded into ${sentInBatches} batch requests, in ${singlesSeconds} s\n`,
  );
  if (folded.length)
    out.write(`  debug log: "${folded[0]}"${folded.length > 1 ? ` (+${folded.length - 1} more)` : ''}\n`);

  step('4. Count them back, page by page');
  let counted = 0;
  for await (const _ of client.documents.list({ limit: 100 })) counted++;
  out.write(`  ${counted.toLocaleString('en')} documents on the server\n`);

  const log = server.admin.requests();
  const tokens = log.filter((r) => r.operationId === 'issueToken').length;
  const batches = log.slice(0, firstSingle).filter((r) => r.operationId === 'batchDocuments').length;
  const limited = log.filter((r) => r.status === 429).length;
  step('What the SDK handled');
  out.write(
    `  tokens issued: ${tokens} (${tokens - 1} refreshed before expiry, ${log.filter((r) => r.auth === 'expired').length} requests sent with an expired token)\n`,
  );
  for (const r of retries) out.write(`  retried ${r.operationId} after ${r.reason}, waited ${r.delay} ms\n`);
  out.write(`  429 responses: ${limited} (requests were paced to the server's limit)\n`);

  const expired = log.filter((r) => r.auth === 'expired').length;
  if (created !== TOTAL || singles.length !== SINGLES || counted !== TOTAL + SINGLES || expired > 0) exitCode = 1;
  out.write(
    `\n${exitCode === 0 ? '✓' : '✗'} Quick start: created, listed, updated and deleted a document, imported ${created.toLocaleString('en')}/${TOTAL.toLocaleString('en')} documents in ${batches} batch requests (${seconds} s), ` +
      `imported ${singles.length} documents as single creates in ${singleRequests} requests (${sentInBatches} batch requests, ${singlesSeconds} s), ` +
      `${tokens - 1} token refreshes, ${retries.length} retries handled, ${limited} rate-limit errors.\n`,
  );
} catch (error) {
  exitCode = 1;
  console.error('\n✗ Quick start failed:', error);
} finally {
  await server.close();
}
process.exit(exitCode);

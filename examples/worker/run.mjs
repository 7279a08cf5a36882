#!/usr/bin/env node
import { startServer } from '@codex/dev-server';
// Runs src/worker.js in real workerd (Miniflare), bundled as wrangler bundles it, against
// @codex/dev-server on 127.0.0.1: seeds three documents, then sends 10 requests to the Worker at
// once. They share the isolate's token: the server sees one token request from the Worker.
// Exits non-zero if anything is off.
import { Client } from '@codex/sdk';
import { bundleWorker, startWorker } from '../../scripts/workerd.mjs';

const key = { clientId: 'cdx_id_worker', clientSecret: 'cdx_sk_worker_secret' };
const apiKey = `${key.clientId}:${key.clientSecret}`;
const server = await startServer({ port: 0, keys: [key] });
let worker;
try {
  // @codex/sdk resolves to @codex/node here, in Node.
  const seeder = new Client({ apiKey, baseUrl: server.url });
  for (const title of ['one', 'two', 'three']) await seeder.documents.create({ title, content: 'from Node' });
  const before = server.admin.requests().length;

  worker = startWorker(await bundleWorker(new URL('./src/worker.js', import.meta.url).pathname), {
    CODEX_API_KEY: apiKey,
    CODEX_BASE_URL: server.url,
  });
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const response = await worker.dispatchFetch('http://worker/');
      if (!response.ok) throw new Error(`the Worker answered ${response.status}: ${await response.text()}`);
      return response.json();
    }),
  );
  const ms = performance.now() - started;
  const requests = server.admin.requests().slice(before);
  const tokens = requests.filter((r) => r.operationId === 'issueToken').length;
  const lists = requests.filter((r) => r.operationId === 'listDocuments' && r.status === 200).length;
  const titles = answers.map((docs) => docs.map((d) => d.title).join(','));
  const ok = titles.every((t) => t === 'one,two,three') && tokens === 1 && lists === 10;
  console.log(
    `${ok ? '✓' : '✗'} Worker in workerd: 10 concurrent requests listed ${titles[0]} in ${ms.toFixed(0)} ms; ` +
      `the server saw ${tokens} token request and ${lists} lists from it`,
  );
  if (!ok) process.exitCode = 1;
} finally {
  await worker?.dispose();
  await server.close();
}

import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type { RunningServer } from '@codex/dev-server';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../src/index';
import { devServerWith } from './helpers';

// Issue 20: a bulk import SIGKILLed half-way and started again with the same idempotencyKey ends
// with every document exactly once. The import runs in a child process (import-child.mjs, the
// built @codex/node) against @codex/dev-server over HTTP on 127.0.0.1; this process kills it.

const RW = { clientId: 'cdx_id_import', clientSecret: 'cdx_sk_import_secret', readOnly: false };
const API_KEY = `${RW.clientId}:${RW.clientSecret}`;
const KEY = 'import-2026-12-02';
const COUNT = 1000; // 10 chunks of the spec's 100 operations
const CHUNKS = COUNT / 100;
const CHILD = new URL('./import-child.mjs', import.meta.url).pathname;
// Generous: CI runs every package's tests at once on 2 cores.
const WAIT_MS = 60_000;
const TEST_MS = 120_000;

/** [status, document id or error code] per operation, as the child prints them. */
type Outcome = [status: number, idOrCode: string | null];
type Done = { event: 'done'; outcomes: Outcome[]; chunks: Array<{ status: number; replayed: boolean } | null> };
type ChildEvent = { event: 'progress'; done: number; total: number } | Done;

const children: ChildProcessByStdio<null, Readable, Readable>[] = [];
const proxies: Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const proxy of proxies.splice(0)) {
    proxy.close();
    proxy.closeAllConnections();
  }
});

/** Starts the import in a child process: the same operations and key on every run, unless `edited`. */
function startImport(baseUrl: string, options: { concurrency?: number; edited?: number[] } = {}) {
  const config = { baseUrl, apiKey: API_KEY, count: COUNT, idempotencyKey: KEY, concurrency: 1, ...options };
  const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
  });
  // 'close': the process has exited and its output has been read to the end.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  // Whole lines only: the last one may still be arriving.
  const events = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as ChildEvent);
  /** Operations with an outcome, as the child last reported. */
  const progress = () => events().reduce((done, e) => (e.event === 'progress' ? Math.max(done, e.done) : done), 0);
  return { child, closed, events, progress };
}

/** Runs the import to its end; its outcomes and, per chunk, whether the API replayed its answer. */
async function runImport(baseUrl: string, options: { concurrency?: number; edited?: number[] } = {}): Promise<Done> {
  const run = startImport(baseUrl, options);
  const { code, stderr } = await run.closed;
  expect(code, stderr).toBe(0);
  const done = run.events().find((e): e is Done => e.event === 'done');
  expect(done).toBeDefined();
  return done as Done;
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const batches = (server: RunningServer) => server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
/** The chunk keys the API has applied (answered fresh, with a 200). */
const applied = (server: RunningServer) =>
  batches(server)
    .filter((r) => r.status === 200 && !r.replayed)
    .map((r) => r.idempotencyKey as string)
    .sort();
const chunkKey = (chunk: number) => `${KEY} ${chunk}`;
const chunkKeys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => chunkKey(from + i));

/** Until the request log has not changed for 300 ms: a request the killed child had sent is done with. */
async function quiet(server: RunningServer): Promise<void> {
  let last = '';
  let same = 0;
  while (same < 3) {
    await new Promise((r) => setTimeout(r, 100));
    const now = JSON.stringify(server.admin.requests());
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

/** Every document on the server, through every page. */
async function allDocuments(server: RunningServer) {
  server.admin.configure({ rateLimit: { limit: 1000, windowSeconds: 60 } });
  const client = new Client({ apiKey: API_KEY, baseUrl: server.url });
  const documents: Array<{ id: string; title: string }> = [];
  for await (const { id, title } of client.documents.list({ limit: 100 })) documents.push({ id, title });
  return documents;
}

const titles = (edited: number[] = []) =>
  Array.from({ length: COUNT }, (_, i) => `Document ${i}${edited.includes(i) ? ' (edited)' : ''}`).sort();

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * A reverse proxy to the dev server that holds one chunk of the import (known by its
 * Idempotency-Key), so that the kill lands while that chunk is in flight, every time:
 * - 'unsent': reads the request and never forwards it (the API never sees the chunk);
 * - 'unanswered': forwards it, reads the API's whole answer (the chunk is applied) and never
 *   passes it on.
 * Everything else passes through. `held` resolves once the chunk is held.
 */
async function holdingProxy(server: RunningServer, chunk: number, mode: 'unsent' | 'unanswered') {
  const target = new URL(server.origin);
  let hold = () => {};
  const held = new Promise<void>((resolve) => {
    hold = resolve;
  });
  const proxy = createServer(async (req, res) => {
    const body = await readAll(req);
    const holding = req.headers['idempotency-key'] === chunkKey(chunk);
    if (holding && mode === 'unsent') return hold();
    const { 'transfer-encoding': _, ...headers } = req.headers;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...headers, host: target.host, 'content-length': String(body.length) },
      },
      async (answer) => {
        const answerBody = await readAll(answer);
        if (holding) return hold();
        const { 'transfer-encoding': __, ...answerHeaders } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, { ...answerHeaders, 'content-length': String(answerBody.length) });
        res.end(answerBody);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`, held };
}

/** Until the proxy holds its chunk; fails at once if the import ends first. */
async function held(proxy: { held: Promise<void> }, run: ReturnType<typeof startImport>): Promise<void> {
  const ended = run.closed.then(({ code, signal, stderr }) => {
    throw new Error(`The import ended (${code ?? signal}) before its chunk was held. ${stderr}`);
  });
  ended.catch(() => {}); // once held, the kill ends it: not a failure
  await Promise.race([proxy.held, ended]);
}

describe('resumable bulk imports: documents.batch with an idempotencyKey, SIGKILLed and run again (issue 20)', () => {
  it(
    'a process killed half-way, run again with the same key and operations, ends with every document exactly once',
    async () => {
      // 2 requests a second: the import (a token request and 10 chunks) takes about 5 s.
      const server = await devServerWith([RW], { rateLimit: { limit: 2, windowSeconds: 1 } });
      const first = startImport(server.url, { concurrency: 2 });
      await waitUntil(() => applied(server).length >= 3, 'the API to apply 3 chunks');
      first.child.kill('SIGKILL');
      expect((await first.closed).signal).toBe('SIGKILL');
      await quiet(server);
      const before = applied(server);
      // Some chunks applied, not all; the child never finished.
      expect(before.length).toBeGreaterThanOrEqual(3);
      expect(before.length).toBeLessThan(CHUNKS);
      expect(first.events().some((e) => e.event === 'done')).toBe(false);
      // The child heard back about at most what the API applied (less when the kill caught an answer in flight).
      expect(first.progress()).toBeLessThanOrEqual(before.length * 100);

      // The second run, unthrottled so that it is quick, with another concurrency: a chunk's key
      // depends only on its position.
      server.admin.configure({ rateLimit: { limit: 1000, windowSeconds: 60 } });
      server.admin.clearRequests();
      const second = await runImport(server.url, { concurrency: 4 });
      expect(second.outcomes.filter(([status]) => status !== 201)).toEqual([]);
      // Chunks applied before the kill were replayed (Idempotent-Replayed: true), the others applied now.
      expect(second.chunks.map((c) => c?.replayed)).toEqual(chunkKeys(0, CHUNKS).map((k) => before.includes(k)));
      const replayed = batches(server).filter((r) => r.replayed);
      expect(replayed.map((r) => r.idempotencyKey).sort()).toEqual(before);
      expect(applied(server)).toEqual(chunkKeys(0, CHUNKS).filter((k) => !before.includes(k)));

      const documents = await allDocuments(server);
      expect(documents).toHaveLength(COUNT);
      expect(documents.map((d) => d.title).sort()).toEqual(titles());
      // The replayed answers name the documents the first run created: one document per operation.
      expect(new Set(second.outcomes.map(([, id]) => id))).toEqual(new Set(documents.map((d) => d.id)));
    },
    TEST_MS,
  );

  // Where the kill lands within a chunk's round trip, made certain by a proxy that holds chunk 4.
  it.each([
    { mode: 'unsent' as const, appliedBefore: 4 },
    { mode: 'unanswered' as const, appliedBefore: 5 },
  ])(
    'a kill while chunk 4 is in flight ($mode): the next run replays exactly the $appliedBefore chunks the API applied',
    async ({ mode, appliedBefore }) => {
      const server = await devServerWith([RW]);
      const proxy = await holdingProxy(server, 4, mode);
      const first = startImport(proxy.url);
      await held(proxy, first);
      first.child.kill('SIGKILL');
      expect((await first.closed).signal).toBe('SIGKILL');
      // The child heard back about chunks 0-3; the API applied chunk 4 too when it got it.
      expect(first.progress()).toBe(400);
      expect(applied(server)).toEqual(chunkKeys(0, appliedBefore));

      server.admin.clearRequests();
      const second = await runImport(server.url);
      expect(second.outcomes.filter(([status]) => status !== 201)).toEqual([]);
      expect(second.chunks.map((c) => c?.replayed)).toEqual(chunkKeys(0, CHUNKS).map((_, i) => i < appliedBefore));
      expect(
        batches(server)
          .filter((r) => r.replayed)
          .map((r) => r.idempotencyKey),
      ).toEqual(chunkKeys(0, appliedBefore));

      const documents = await allDocuments(server);
      expect(documents).toHaveLength(COUNT);
      expect(documents.map((d) => d.title).sort()).toEqual(titles());
      expect(new Set(second.outcomes.map(([, id]) => id))).toEqual(new Set(documents.map((d) => d.id)));
    },
    TEST_MS,
  );

  it(
    'the same key with different operations: a chunk the API applied fails with idempotency_key_reused, not applied again',
    async () => {
      const server = await devServerWith([RW]);
      const proxy = await holdingProxy(server, 4, 'unsent');
      const first = startImport(proxy.url);
      await held(proxy, first);
      first.child.kill('SIGKILL');
      await first.closed;
      expect(applied(server)).toEqual(chunkKeys(0, 4));

      // One title changed in chunk 1 (applied before the kill) and one in chunk 6 (never sent).
      server.admin.clearRequests();
      const second = await runImport(server.url, { edited: [150, 650] });
      const chunkOf = (index: number) => Math.floor(index / 100);
      // Chunk 1's operations all fail: its key was used with another body.
      expect(second.outcomes.filter((_, i) => chunkOf(i) === 1)).toEqual(
        Array.from({ length: 100 }, () => [422, 'idempotency_key_reused']),
      );
      expect(second.outcomes.filter(([status], i) => chunkOf(i) !== 1 && status !== 201)).toEqual([]);
      expect(second.chunks.map((c) => c?.replayed)).toEqual([true, undefined, true, true, ...Array(6).fill(false)]);
      expect(batches(server).find((r) => r.status === 422)?.idempotencyKey).toBe(chunkKey(1));

      // Chunk 1 stays as the first run applied it; chunk 6, which the API had not seen, is applied
      // as the new list says.
      const documents = await allDocuments(server);
      expect(documents).toHaveLength(COUNT);
      expect(documents.map((d) => d.title).sort()).toEqual(titles([650]));
    },
    TEST_MS,
  );
});

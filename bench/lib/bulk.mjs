import { Client } from '@codex/node';
import { issueToken } from './dev-server.mjs';

// Bulk import under a scaled quota: N creates through one documents.batch() call of a Client with
// default settings, on a key whose first request opens the server's first window. The ceiling is
// limit × 100 operations per window. N = windows × limit × 100 makes windows × limit batch
// requests plus the token request: a client that never waits longer than it must sends its last
// batch right as window `windows + 1` opens, so its time is windows × window length (+ one answer).

/** Every document on the server, by listing all pages (under a high limit, with its own key). */
async function listAll(server) {
  const headers = { Authorization: `Bearer ${await issueToken(server.url, server.keys.count)}` };
  const documents = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor && { cursor }) });
    const response = await fetch(`${server.url}/documents?${query}`, { headers });
    if (!response.ok) throw new Error(`list: ${response.status} ${await response.text()}`);
    const page = await response.json();
    documents.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return documents;
}

/** The server's fixed windows as its rate limiter opens them, from the request log. */
export function serverWindows(requests, opened, windowSeconds) {
  const windows = [];
  for (const at of requests.map((r) => Date.parse(r.at)).sort((a, b) => a - b)) {
    const last = windows.at(-1);
    if (last && at < last.start + windowSeconds * 1000) last.requests++;
    else windows.push({ start: at, requests: 1 });
  }
  return windows.map((w) => ({ opensAt: (w.start - opened) / 1000, requests: w.requests }));
}

export async function measureBulk(server, { limit = 60, windowSeconds = 3, windows = 4, highLimit }) {
  const n = windows * limit * 100;
  const key = server.keys.bulk;
  await server.admin('PATCH', '/settings', { rateLimit: { limit, windowSeconds } });
  await server.admin('DELETE', '/requests');
  const client = new Client({ apiKey: server.apiKey('bulk'), baseUrl: server.url });
  const operations = Array.from({ length: n }, (_, i) => ({
    op: 'create',
    document: { title: `bulk-${i}`, content: `document ${i} of the bulk benchmark` },
  }));
  const start = performance.now();
  let outcomes;
  let error;
  try {
    // A guard against a client that never finishes; not a setting the benchmark measures.
    outcomes = await client.documents.batch(operations, { signal: AbortSignal.timeout(60_000) });
  } catch (caught) {
    error = caught;
  }
  const seconds = (performance.now() - start) / 1000;
  await server.admin('PATCH', '/settings', { rateLimit: { limit: highLimit, windowSeconds: 60 } });

  const { requests } = await server.admin('GET', '/requests');
  const mine = requests.filter((r) => r.clientId === key.clientId);
  const opened = Math.min(...mine.map((r) => Date.parse(r.at)));
  const tooMany = mine.filter((r) => r.status === 429);
  const documents = (await listAll(server)).filter((d) => d.title.startsWith('bulk-'));
  const titles = new Set(documents.map((d) => d.title));

  const ceiling = (limit * 100) / windowSeconds;
  return {
    n,
    windows,
    limit,
    windowSeconds,
    seconds,
    opsPerSecond: n / seconds,
    ceiling,
    share: n / seconds / ceiling,
    error: error && `${error.code ?? error.name}: ${error.message}`,
    failed: outcomes ? outcomes.filter((o) => o.status < 200 || o.status >= 300).length : n,
    stored: documents.length,
    missing: n - titles.size,
    duplicates: documents.length - titles.size,
    requests: mine.length,
    tooMany: tooMany.length,
    tooManyAfterFirstWindow: tooMany.filter((r) => Date.parse(r.at) >= opened + windowSeconds * 1000).length,
    lastRequestSeconds: (Math.max(...mine.map((r) => Date.parse(r.at))) - opened) / 1000,
    // The server's windows (each opens at the first request after the last one ended): when each
    // opened and how many requests it took. Shows where the time went.
    windowsSeen: serverWindows(mine, opened, windowSeconds),
  };
}

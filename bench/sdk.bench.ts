import { bench, describe } from 'vitest';
import { Client, memoryTokenStore, parseRetryAfter, systemClock, TokenManager } from '../packages/core/src/index';
import { startServer } from '../packages/dev-server/src/index';

// What the SDK adds per call, against @codex/dev-server on 127.0.0.1 (real HTTP), and its hot paths.
const server = await startServer({ port: 0, rateLimit: { limit: 1_000_000, windowSeconds: 60 } });
const [key] = server.keys;
const client = new Client({
  apiKey: `${key?.clientId}:${key?.clientSecret}`,
  baseUrl: server.url,
  pacing: { limit: 1_000_000, windowMs: 60_000 },
});
await client.documents.create({ title: 'bench', content: 'bench' });
const docs = Array.from({ length: 100 }, (_, i) => ({
  op: 'create' as const,
  document: { title: `b${i}`, content: 'c' },
}));

const tokens = new TokenManager({
  fetchToken: async () => ({ accessToken: 'tok', expiresIn: 3600 }),
  store: memoryTokenStore,
  key: 'bench',
  clock: systemClock,
});
await tokens.getToken();
const retryAfter = new Headers({ 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' });

describe('over HTTP', () => {
  bench('documents.list() (token cached, paced, retried on failure)', async () => {
    await client.documents.list({ limit: 1 });
  });
  bench('documents.batch() of 100 creates', async () => {
    await client.documents.batch(docs);
  });
});

describe('hot paths', () => {
  bench('TokenManager.getToken() with a fresh token', async () => {
    await tokens.getToken();
  });
  bench('parseRetryAfter(HTTP-date)', () => {
    parseRetryAfter(retryAfter, Date.now());
  });
});
